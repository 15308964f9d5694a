import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, TestClient, useSystem } from '@parley/testing';
import { afterEach, describe, expect, it } from 'vitest';

// A gateway node dies (kill -9) or is drained (SIGTERM) under live traffic:
// its clients resume on another node from their cursors and, across both
// sockets, receive every event of their guild exactly once, in order
// (promise 3), checked against a witness that never moved.
const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const FAST = { commandsPerSecond: 100_000, commandBurst: 100_000, framesPerSecond: 100_000, frameBurst: 100_000 };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('gateway failover', () => {
  const harness = useSystem({ gateways: 1, limits: FAST });
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  /** A gateway node as its own process (`node --import tsx`, so signals reach it and not a wrapper). */
  async function spawnGateway(drainMs: number): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
    const { env } = harness;
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'apps/gateway/src/main.ts')], {
      cwd: REPO,
      env: {
        ...process.env,
        NATS_URL: env.natsUrl,
        DATABASE_URL: env.databaseUrl,
        PARLEY_NAMESPACE: env.namespace,
        JWT_ISSUER: env.auth.issuer,
        JWT_AUDIENCE: env.auth.audience,
        JWT_PUBLIC_KEY_FILE: env.keys.publicKeyFile,
        GATEWAY_PORT: String(port),
        GATEWAY_NODE_ID: 'gw-child',
        GATEWAY_DRAIN_MS: String(drainMs),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/ready`).then((res) => res.ok).catch(() => false)) || undefined, 20_000, 'child gateway ready');
    return { child, url: `ws://127.0.0.1:${port}/ws`, exited };
  }

  /** A guild owned by a writer on the in-process node, a witness there, and members on the child node. */
  async function scene(prefix: string, url: string, count: number) {
    const writer = await harness.connect(`${prefix}-writer`, 0);
    const guild = await writer.accepted('CreateGuild', { name: prefix });
    const guildId = guild.data['guildId'] as string;
    const channelId = guild.data['channelId'] as string;
    const invite = await writer.accepted('CreateInvite', { guildId, channelId, maxUses: null, maxAgeSeconds: null });
    const join = async (userId: string, at: string) => {
      const client = await TestClient.connect(at, await harness.env.token(userId));
      await client.accepted('JoinGuild', { code: invite.data['code'] });
      return client;
    };
    const witness = await join(`${prefix}-witness`, harness.system.wsUrl(0));
    const members: { userId: string; first: TestClient; from: number; second?: TestClient }[] = [];
    for (let i = 0; i < count; i++) {
      const userId = `${prefix}-m${i}`;
      const first = await join(userId, url);
      members.push({ userId, first, from: first.state.guilds[guildId]! });
    }
    return { writer, witness, guildId, channelId, members };
  }

  /** Posts `count` messages in small pipelined batches, calling `midway` once half are out. */
  async function traffic(writer: TestClient, guildId: string, channelId: string, count: number, midway: () => void): Promise<number[]> {
    const cursors: number[] = [];
    for (let i = 0; i < count; i += 20) {
      if (i === Math.floor(count / 40) * 20) midway();
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, j) => writer.command('PostMessage', { guildId, channelId, content: `live ${i + j}` })));
      for (const outcome of outcomes) cursors.push(outcome['cursor'] as number);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return cursors;
  }

  /** Resumes each member on the in-process node as soon as its first socket closes. */
  function resumeOnClose(members: Awaited<ReturnType<typeof scene>>['members']): Promise<void[]> {
    return Promise.all(
      members.map(async (member) => {
        const closed = await eventually(async () => member.first.closed ?? undefined, 30_000, `${member.userId} closed`);
        expect(closed.code).not.toBe(1000);
        member.second = await TestClient.resume(harness.system.wsUrl(0), await harness.env.token(member.userId), member.first.state);
        expect(member.second.frames.some((f) => f.op === 'resumed')).toBe(true);
      }),
    );
  }

  async function expectExactlyOnce(setting: Awaited<ReturnType<typeof scene>>, posted: number[]) {
    const { witness, guildId, members } = setting;
    const last = posted.at(-1)!;
    const seen = (client: TestClient) => client.events.filter((e) => e.guildId === guildId).map((e) => e.cursor);
    await witness.waitFor((f) => f.op === 'event' && f['cursor'] === last, 10_000, 'witness at the end');
    for (const member of members) {
      await member.second!.waitFor((f) => f.op === 'event' && f['cursor'] === last, 10_000, `${member.userId} at the end`);
      const got = [...seen(member.first), ...seen(member.second!)];
      expect(got).toEqual(seen(witness).filter((cursor) => cursor > member.from));
      for (const cursor of posted) expect(got).toContain(cursor);
    }
  }

  it('kill -9 of a gateway under live traffic: its clients resume on another node with zero loss and zero duplicates', async () => {
    const node = await spawnGateway(0);
    const setting = await scene('kill', node.url, 5);
    const resumed = resumeOnClose(setting.members);
    const posted = await traffic(setting.writer, setting.guildId, setting.channelId, 400, () => node.child.kill('SIGKILL'));
    await resumed;
    await expectExactlyOnce(setting, posted);
    // Some events reached the first sockets, some were replayed to the second: the switch happened mid-stream.
    for (const member of setting.members) expect(member.first.events.some((e) => e.guildId === setting.guildId && e.type === 'MessagePosted')).toBe(true);
  });

  it('SIGTERM drains a gateway: each client is asked to move, resumes elsewhere with no loss, and the process exits in bounded time', async () => {
    const node = await spawnGateway(1000);
    const setting = await scene('drain', node.url, 5);
    const resumed = resumeOnClose(setting.members);
    let signalledAt = 0;
    const posted = await traffic(setting.writer, setting.guildId, setting.channelId, 400, () => {
      signalledAt = Date.now();
      node.child.kill('SIGTERM');
    });
    await resumed;
    await expectExactlyOnce(setting, posted);
    for (const member of setting.members) {
      const reconnect = member.first.frames.find((f) => f.op === 'reconnect');
      expect(reconnect).toMatchObject({ reason: 'draining', afterMs: expect.any(Number) });
      expect(reconnect!['afterMs']).toBeLessThan(1000);
      expect(member.first.closed?.code).toBe(4003);
    }
    expect(await node.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(1000 + 10_000);
  });
});
