import { deepStrictEqual } from 'node:assert/strict';
import { DomainError } from '../errors.ts';
import type { ParleyCommand } from '../commands.ts';
import { decide } from '../decide.ts';
import { isMessageEvent, isUserEvent, type ParleyEvent } from '../events.ts';
import type { CommandMeta, Decision } from '../guild/decision.ts';
import { evolveGuild } from '../guild/guild.evolve.ts';
import { initialGuildState } from '../guild/guild.state.ts';
import { evolveMessages, initialChannelMessages } from '../message/message.state.ts';

/**
 * given(events).when(command, meta).then(event) / .thenRejects(code), where
 * the events may mix a guild's and one channel's (message events):
 * the form every decider rule is specified in. Framework-free so it works
 * under any test runner; it throws on mismatch.
 */
export function given(...events: ParleyEvent[]) {
  const guild = initialGuildState();
  const messages = initialChannelMessages();
  // Each event's index stands in for its event log sequence.
  events.forEach((event, seq) => {
    if (isMessageEvent(event)) evolveMessages(messages, event, seq + 1);
    else if (!isUserEvent(event)) evolveGuild(guild, event);
  });
  return {
    when(command: ParleyCommand, meta: CommandMeta) {
      const run = (): Decision => decide(command, { guild, messages }, meta);
      return {
        then(expected: Decision): void {
          deepStrictEqual(run(), expected);
        },
        thenRejects(code: string, status?: number): void {
          let decided: Decision;
          try {
            decided = run();
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            if (error.code !== code) throw new Error(`expected rejection ${code}, got ${error.code}: ${error.message}`);
            if (status !== undefined && error.status !== status) {
              throw new Error(`expected status ${status}, got ${error.status}`);
            }
            return;
          }
          throw new Error(`expected rejection ${code}, got ${JSON.stringify(decided)}`);
        },
      };
    },
  };
}
