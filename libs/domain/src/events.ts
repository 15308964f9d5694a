import type { GuildEvent } from './guild/guild.events.ts';
import type { MessageEvent } from './guild/message.events.ts';

export type ParleyEvent = GuildEvent | MessageEvent;
export type EventType = ParleyEvent['type'];

/**
 * The stream an event belongs to. Ordering, optimistic concurrency and gap
 * detection are all per stream: a guild's own stream, or one channel's
 * message stream.
 */
export type StreamRef =
  | { kind: 'guild'; guildId: string }
  | { kind: 'channel'; guildId: string; channelId: string };

export function streamOf(event: ParleyEvent): StreamRef {
  switch (event.type) {
    case 'MessagePosted':
      return { kind: 'channel', guildId: event.data.guildId, channelId: event.data.channelId };
    case 'GuildCreated':
    case 'ChannelCreated':
    case 'InviteCreated':
    case 'MemberJoined':
      return { kind: 'guild', guildId: event.data.guildId };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

export const isGuildEvent = (event: ParleyEvent): event is GuildEvent => streamOf(event).kind === 'guild';
