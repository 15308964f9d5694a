import type { GuildEvent } from './guild/guild.events.ts';
import { MESSAGE_EVENT_TYPES, type MessageEvent } from './message/message.events.ts';
import { USER_EVENT_TYPES, type UserEvent } from './user/user.events.ts';

export type ParleyEvent = GuildEvent | MessageEvent | UserEvent;
export type EventType = ParleyEvent['type'];

/**
 * The stream an event belongs to. Ordering, optimistic concurrency and gap
 * detection are all per stream: a guild's own stream, or one channel's
 * message stream.
 */
export type StreamRef =
  | { kind: 'guild'; guildId: string }
  | { kind: 'channel'; guildId: string; channelId: string }
  | { kind: 'user'; userId: string };

/** Channel message streams hold MessageEvents, user streams UserEvents, a guild's own stream the rest. */
export function streamOf(event: ParleyEvent): StreamRef {
  if (isMessageEvent(event)) return { kind: 'channel', guildId: event.data.guildId, channelId: event.data.channelId };
  if (isUserEvent(event)) return { kind: 'user', userId: event.data.userId };
  return { kind: 'guild', guildId: event.data.guildId };
}

const MESSAGE_EVENTS = new Set<string>(MESSAGE_EVENT_TYPES);
const USER_EVENTS = new Set<string>(USER_EVENT_TYPES);
export const isMessageEvent = (event: ParleyEvent): event is MessageEvent => MESSAGE_EVENTS.has(event.type);
export const isUserEvent = (event: ParleyEvent): event is UserEvent => USER_EVENTS.has(event.type);
export const isGuildEvent = (event: ParleyEvent): event is GuildEvent => !isMessageEvent(event) && !isUserEvent(event);
