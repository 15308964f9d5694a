import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { Codec } from '@parley/contracts';
import type { ParleyEvent } from '@parley/domain';
import { connectNats, createLogger, provision, type NatsConnection } from '@parley/platform';
import { createOrm, migrate, readCheckpoint, type MikroORM } from '@parley/read-model';
import { eventually, isolatedEnv, type TestEnv } from '@parley/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECTIONS } from './app.ts';
import { Projector } from './projector.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const codec = new Codec();

/** Every read-model row, in a stable order, for comparing two databases. */
async function dump(orm: MikroORM): Promise<Record<string, unknown[]>> {
  const em = orm.em.fork();
  const tables: Record<string, string> = {
    guilds: 'select id, name, owner_id, member_count, created_seq from guilds order by id',
    categories: 'select * from categories order by id',
    channels: 'select * from channels order by id',
    members: 'select guild_id, user_id, joined_seq from members order by guild_id, user_id',
    invites: 'select code, guild_id, uses, max_uses, created_seq from invites order by code',
    messages: 'select seq, id, channel_id, author_id, content from messages order by seq',
    checkpoints: 'select projection, position from projection_checkpoints order by projection',
  };
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(tables)) out[name] = await em.execute(sql);
  return out;
}

describe('projector', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  const orms: MikroORM[] = [];
  let lastSeq = 0;

  async function append(subject: string, event: ParleyEvent): Promise<number> {
    const bytes = codec.encodeEvent({ eventId: `e${lastSeq + 1}`, time: 1_700_000_000_000 + lastSeq, causationId: `c${lastSeq}`, actorId: 'alice', prev: 0 }, event);
    lastSeq = (await jetstream(nc).publish(subject, bytes)).seq;
    return lastSeq;
  }

  async function appendConversation(guildId: string, messages: number): Promise<void> {
    const n = env.names;
    await append(n.guildSubject(guildId), { type: 'GuildCreated', data: { guildId, name: `G ${guildId}`, ownerId: 'alice', categoryId: `${guildId}-cat`, channelId: `${guildId}-gen` } });
    await append(n.guildSubject(guildId), { type: 'InviteCreated', data: { guildId, code: `${guildId}INV`, channelId: `${guildId}-gen`, createdBy: 'alice', maxUses: null, expiresAt: null } });
    for (let i = 0; i < 5; i++) await append(n.guildSubject(guildId), { type: 'MemberJoined', data: { guildId, userId: `u${i}`, inviteCode: `${guildId}INV` } });
    for (let i = 0; i < messages; i++) {
      await append(n.channelSubject(guildId, `${guildId}-gen`), {
        type: 'MessagePosted',
        data: {
          guildId,
          channelId: `${guildId}-gen`,
          messageId: `${guildId}-m${i}`,
          authorId: `u${i % 5}`,
          content: `message ${i}`,
          nonce: null,
          replyTo: null, attachments: [],
          mentionedUserIds: [],
          mentionedRoleIds: [],
          mentionsEveryone: false,
        },
      });
    }
  }

  function spawnProjector(): ChildProcess {
    // `node --import tsx` keeps the projector in this one process, so the kill hits it and not a wrapper.
    return spawn(process.execPath, ['--import', 'tsx', join(REPO, 'apps/projector/src/main.ts')], {
      cwd: REPO,
      env: { ...process.env, NATS_URL: env.natsUrl, DATABASE_URL: env.databaseUrl, PARLEY_NAMESPACE: env.namespace, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
  }

  /** guilds, history, then the rest; every one of them must reach the log's end. */
  async function positions(orm: MikroORM): Promise<number[]> {
    const em = orm.em.fork();
    return Promise.all(PROJECTIONS.map((p) => readCheckpoint(em, p.name)));
  }
  const allAt = (all: number[], seq: number) => all.every((position) => position === seq);

  beforeAll(async () => {
    env = await isolatedEnv();
    nc = await connectNats(env.natsUrl, 'projector-test');
    await provision(nc, env.names);
  });

  afterAll(async () => {
    for (const orm of orms) await orm.close();
    await nc?.close();
    await env?.cleanup();
  });

  it('ends with the same rows as a rebuild from sequence 1 after being killed -9 at arbitrary points', async () => {
    const orm = await createOrm(env.databaseUrl);
    orms.push(orm);
    await migrate(orm);

    // Kill the projector process three times while events keep arriving.
    for (let round = 0; round < 3; round++) {
      const child = spawnProjector();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const before = (await positions(orm))[1]!;
      const appending = appendConversation(`g${round}`, 300);
      // Kill it mid-stream: once it has committed something new, while events keep arriving.
      await eventually(async () => ((await positions(orm))[1]! > before ? true : undefined), 20_000, 'projector progress');
      child.kill('SIGKILL');
      await exited;
      await appending;
    }
    const child = spawnProjector();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await eventually(async () => {
        // All reach the log's end; those with no events at the tail, by their idle advance.
        return allAt(await positions(orm), lastSeq) ? true : undefined;
      }, 20_000, 'projector to catch up after the kills');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const afterKills = await dump(orm);
    expect(afterKills['messages']).toHaveLength(900);
    expect(afterKills['members']).toHaveLength(3 * 6);

    // The same log projected once, from scratch, in-process, into an empty database.
    const fresh = await createOrm(await env.extraDatabase());
    orms.push(fresh);
    await migrate(fresh);
    const logger = createLogger('test', 'warn');
    const rebuilt = PROJECTIONS.map((p) => new Projector(p, { nc, names: env.names, orm: fresh, codec, logger }));
    for (const projector of rebuilt) projector.start();
    await eventually(async () => {
      return allAt(await positions(fresh), lastSeq) ? true : undefined;
    }, 20_000, 'rebuild');
    for (const projector of rebuilt) await projector.stop();

    const rebuiltRows = await dump(fresh);
    expect(afterKills).toEqual(rebuiltRows);
    expect(rebuiltRows['guilds']).toEqual(
      ['g0', 'g1', 'g2'].map((id) => expect.objectContaining({ id, member_count: 6 })),
    );
    expect(rebuiltRows['invites']).toEqual(['g0', 'g1', 'g2'].map((id) => expect.objectContaining({ code: `${id}INV`, uses: 5 })));
  });
});
