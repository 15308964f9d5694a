import type { GuildEvent } from './guild.events.ts';
import type { MessageEvent } from '../message/message.events.ts';
import type { UserEvent } from '../user/user.events.ts';

/**
 * What the command handler knows that the domain must not make up itself:
 * who acts, when, and fresh server-issued ids, so that deciding is pure and
 * tests are deterministic.
 */
export type CommandMeta = {
  actorId: string;
  now: number;
  /** At least three fresh ids matching ID_PATTERN, used in order. */
  ids: readonly string[];
  /** A fresh unguessable invite code matching INVITE_CODE_PATTERN. */
  inviteCode: string;
};

/** One command yields exactly one event (docs/decisions/003-one-event-per-command.md). */
export type Decision = GuildEvent | MessageEvent | UserEvent;

export function freshId(meta: CommandMeta, index: number): string {
  const id = meta.ids[index];
  if (id === undefined) throw new Error(`decider needs at least ${index + 1} fresh ids`);
  return id;
}
