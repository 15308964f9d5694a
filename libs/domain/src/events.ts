import type { GuildEvent } from './guild/guild.events.ts';
import { MESSAGE_EVENT_TYPES, type MessageEvent } from './message/message.events.ts';

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

/** Channel message streams hold MessageEvents; everything else is on the guild's own stream. */
export function streamOf(event: ParleyEvent): StreamRef {
  if (isMessageEvent(event)) return { kind: 'channel', guildId: event.data.guildId, channelId: event.data.channelId };
  return { kind: 'guild', guildId: event.data.guildId };
}

const MESSAGE_EVENTS = new Set<string>(MESSAGE_EVENT_TYPES);
export const isMessageEvent = (event: ParleyEvent): event is MessageEvent => MESSAGE_EVENTS.has(event.type);

export const isGuildEvent = (event: ParleyEvent): event is GuildEvent => !isMessageEvent(event);
