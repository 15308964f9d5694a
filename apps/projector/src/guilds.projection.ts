import { isGuildEvent, type GuildEvent, type GuildEventType } from '@parley/domain';
import { Guild, PROJECTIONS, type EntityManager } from '@parley/read-model';
import { channelRows } from './guilds/channels.rows.ts';
import { guildRows } from './guilds/guild.rows.ts';
import { memberRows } from './guilds/members.rows.ts';
import { roleRows } from './guilds/roles.rows.ts';
import type { At, RowWriter, RowWriters } from './guilds/rows.ts';
import type { Projection } from './projection.ts';

const WRITERS: RowWriters<GuildEventType> = { ...guildRows, ...memberRows, ...roleRows, ...channelRows };

/**
 * Guilds, their categories, channels, members, roles, bans, overwrites and
 * invites, from each guild's own stream.
 *
 * Each guild event changes the rows at most once, even if it is projected
 * again (a reset checkpoint, a bug, an operator replaying the log into a live
 * database): the guild row's `last_seq` is the last event of that guild
 * applied, and an event at or below it is skipped. A per-row guard would not
 * be enough: a replayed RolesReordered lists only the roles that existed then,
 * so writing its order again over today's rows would scramble positions.
 */
export const guildsProjection: Projection = {
  name: PROJECTIONS.guilds,
  subjects: 'evt.*.g',
  async apply(em, batch) {
    for (const { seq, meta, event } of batch) {
      if (!isGuildEvent(event)) continue; // channel streams are not on this projection's subjects
      if (!(await firstTime(em, event, seq))) continue;
      const write = WRITERS[event.type] as RowWriter<GuildEventType>;
      await write(em, event.data as never, { seq, time: new Date(meta.time) } satisfies At);
    }
  },
};

/** Claims the event for its guild: true when it has not been applied yet. */
async function firstTime(em: EntityManager, event: GuildEvent, seq: number): Promise<boolean> {
  const guildId = event.data.guildId;
  // GuildCreated sets last_seq itself; any later event of the guild finds the row.
  if (event.type === 'GuildCreated') return (await em.count(Guild, { id: guildId })) === 0;
  if ((await em.nativeUpdate(Guild, { id: guildId, lastSeq: { $lt: seq } }, { lastSeq: seq })) > 0) return true;
  if ((await em.count(Guild, { id: guildId })) === 0) throw new Error(`${event.type} at ${seq} for guild ${guildId}, which was never created`);
  return false;
}
