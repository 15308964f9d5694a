import { DEFAULT_EVERYONE_PERMISSIONS, evolveGuild, initialGuildState, PERMISSIONS, type GuildState } from '@parley/domain';
import { loadGuildAccess, type MikroORM } from '@parley/read-model';
import { describe, expect, it } from 'vitest';
import { GUILD_EVENT_TYPES, GUILD_LIFE, MOD } from './guilds.projection.fixture.ts';
import { guildsProjection } from './guilds.projection.ts';
import { useProjectedLog } from './projection.harness.ts';

type Row = Record<string, unknown>;

/** Every row the guilds projection owns, in a stable order. */
async function dump(orm: MikroORM): Promise<Record<string, Row[]>> {
  const em = orm.em.fork();
  const tables = {
    guilds: 'select * from guilds order by id',
    roles: 'select * from roles order by guild_id, position',
    categories: 'select * from categories order by guild_id, position',
    channels: 'select * from channels order by guild_id, category_id nulls first, position',
    members: 'select * from members order by guild_id, user_id',
    member_roles: 'select * from member_roles order by guild_id, user_id, role_id',
    bans: 'select * from bans order by guild_id, user_id',
    channel_overwrites: 'select * from channel_overwrites order by channel_id, target_type, target_id',
    invites: 'select * from invites order by code',
  };
  const out: Record<string, Row[]> = {};
  for (const [name, sql] of Object.entries(tables)) out[name] = await em.execute(sql);
  return out;
}

/** The parts of a GuildState that loadGuildAccess rebuilds, as comparable plain values. */
function comparable(state: GuildState) {
  const sorted = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => a.localeCompare(b));
  const { ownerId, name, description, iconId, defaultChannelId, roleOrder, categoryOrder } = state;
  return {
    ...{ ownerId, name, description, iconId, defaultChannelId, roleOrder, categoryOrder },
    members: sorted(state.members).map(([id, m]) => [id, [...m.roles].sort(), m.nickname]),
    roles: sorted(state.roles),
    categories: sorted(state.categories),
    channels: sorted(state.channels).map(([id, c]) => [id, c.name, c.topic, c.categoryId, sorted(c.overwrites)]),
    // The domain keeps an emptied category's order as []; the read model has no rows to show for it.
    channelOrder: sorted(state.channelOrder).filter(([, ids]) => ids.length > 0),
  };
}

describe('the guilds projection', () => {
  const log = useProjectedLog(guildsProjection, GUILD_LIFE);
  const { envelopes, database, project } = log;

  it('is fed every guild event type', () => {
    expect(new Set(GUILD_LIFE.map((event) => event.type))).toEqual(new Set(GUILD_EVENT_TYPES));
  });

  it('writes the rows the events imply', async () => {
    const rows = await dump(log.orm);
    const seqOf = (index: number) => envelopes[index]!.seq;
    expect(rows['guilds']).toEqual([
      expect.objectContaining({ id: 'g1', name: 'Parley HQ 2', description: 'Where it happens', icon_id: 'icon1', default_channel_id: 'ch5' }),
      expect.objectContaining({ id: 'g2', name: 'Short-lived', owner_id: 'carol', member_count: 2, deleted: true, last_seq: String(envelopes.at(-1)!.seq) }),
    ]);
    expect(rows['guilds']![0]).toMatchObject({ owner_id: 'bob', member_count: 3, deleted: false, created_seq: String(seqOf(0)) });
    expect(rows['roles']!.filter((r) => r['guild_id'] === 'g1')).toEqual([
      { id: 'g1', guild_id: 'g1', name: '@everyone', permissions: DEFAULT_EVERYONE_PERMISSIONS, position: 0 },
      { id: 'vip', guild_id: 'g1', name: 'vip', permissions: 0, position: 1 },
      { id: 'mod', guild_id: 'g1', name: 'mod', permissions: MOD, position: 2 },
      { id: 'helper', guild_id: 'g1', name: 'helpers', permissions: PERMISSIONS.manageMessages, position: 3 },
    ]);
    const pick = (table: string, ...keys: string[]) =>
      rows[table]!.filter((r) => r['guild_id'] === 'g1').map((r) => keys.map((k) => r[k]));
    expect(pick('categories', 'id', 'name', 'position')).toEqual([['cat2', 'Staff', 0], ['cat1', 'Text Channels', 1]]);
    expect(pick('channels', 'id', 'name', 'topic', 'category_id', 'position')).toEqual([
      ['ch5', 'lobby-2', null, null, 0],
      ['ch6', 'old', null, null, 1],
      ['ch1', 'general', 'Say hi', 'cat1', 0],
      ['ch4', 'mods', null, 'cat2', 0],
    ]);
    expect(pick('members', 'user_id', 'nickname')).toEqual([['alice', null], ['bob', null], ['carol', 'Caz']]);
    expect(pick('member_roles', 'user_id', 'role_id')).toEqual([['bob', 'mod'], ['carol', 'helper'], ['carol', 'vip']]);
    expect(pick('bans', 'user_id', 'banned_by', 'reason')).toEqual([['dave', 'alice', 'spam']]);
    expect(pick('channel_overwrites', 'channel_id', 'target_type', 'target_id', 'allow', 'deny')).toEqual([
      ['ch4', 'role', 'g1', 0, PERMISSIONS.viewChannel],
      ['ch4', 'role', 'mod', PERMISSIONS.viewChannel | PERMISSIONS.sendMessages, 0],
      // A member's own overwrite outlives their membership, as in the domain.
      ['ch6', 'member', 'frank', PERMISSIONS.viewChannel, 0],
    ]);
    expect(pick('invites', 'code', 'uses', 'max_uses', 'revoked')).toEqual([['INV1', 3, null, true], ['INV2', 2, 2, false]]);
    expect(new Date(rows['invites']![1]!['expires_at'] as string).getTime()).toBe(1_900_000_000_000);
  });

  it('reads back, through loadGuildAccess, as the state the domain folds from the same events', async () => {
    const fold = (guildId: string) => GUILD_LIFE.filter((e) => e.data.guildId === guildId).reduce(evolveGuild, initialGuildState());
    const g1 = await loadGuildAccess(log.orm.em.fork(), 'g1');
    expect(comparable(g1!)).toEqual(comparable(fold('g1')));
    // Narrowed to one user: that user's membership only, the same permissions for them.
    const carol = await loadGuildAccess(log.orm.em.fork(), 'g1', 'carol');
    expect([...carol!.members.keys()]).toEqual(['carol']);
    expect(comparable(carol!).members).toEqual([['carol', ['helper', 'vip'], 'Caz']]);
    expect(await loadGuildAccess(log.orm.em.fork(), 'g2')).toBeNull();
    expect(await loadGuildAccess(log.orm.em.fork(), 'nope')).toBeNull();
  });

  it('changes nothing when the whole log is projected again over the same rows', async () => {
    const before = await dump(log.orm);
    // Once through the runner with the checkpoint reset to 0...
    await log.orm.em.fork().execute(`update projection_checkpoints set position = 0 where projection = ?`, [guildsProjection.name]);
    await project(log.orm);
    expect(await dump(log.orm)).toEqual(before);
    // ...and once more straight through the projection, in one transaction, with no checkpoint at all.
    await log.orm.em.fork().transactional((em) => guildsProjection.apply(em, envelopes));
    expect(await dump(log.orm)).toEqual(before);
  });

  it('gives the same rows when rebuilt from sequence 1 into an empty database', async () => {
    const fresh = await database(await log.env.extraDatabase());
    await project(fresh);
    expect(await dump(fresh)).toEqual(await dump(log.orm));
  });
});
