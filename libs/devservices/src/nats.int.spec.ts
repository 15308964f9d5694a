import { createConnection } from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRuns } from './processes.ts';
import { startLocalNats, type StartedServer } from './index.ts';

/** The INFO greeting, read with a bare socket so the check does not rely on the code under test. */
function infoOf(url: string): Promise<Record<string, unknown>> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\r\n');
      if (end < 0) return;
      socket.destroy();
      if (!text.startsWith('INFO ')) reject(new Error(`not an INFO line: ${text}`));
      else resolve(JSON.parse(text.slice(5, end)) as Record<string, unknown>);
    });
    socket.on('error', reject);
  });
}

describe('startLocalNats', () => {
  let dataDir: string;
  const servers: StartedServer[] = [];
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-nats-'));
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a second nats-server with JetStream on a free port, keeps its data, and stop() kills it', async () => {
    const first = await startLocalNats(dataDir);
    servers.push(first);
    expect(first.startedNow).toBe(true);
    expect(first.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(first.url).not.toBe('nats://127.0.0.1:4222');
    const info = await infoOf(first.url);
    expect(info.jetstream).toBe(true);
    expect(info.port).toBe(Number(new URL(first.url).port));

    const nc = await connect({ servers: first.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'DEVSERVICES_TEST', subjects: ['devservices.test'] });
    } finally {
      await nc.close();
    }

    const pid = first.pid as number;
    expect(processRuns(pid)).toBe(true);
    await first.stop();
    await first.stop();
    expect(processRuns(pid)).toBe(false);
    await expect(infoOf(first.url)).rejects.toThrow(/ECONNREFUSED/);

    // Same store folder, new process and port: the stream is still there.
    const second = await startLocalNats(dataDir);
    servers.push(second);
    expect(second.pid).not.toBe(pid);
    const nc2 = await connect({ servers: second.url });
    try {
      const jsm = await jetstreamManager(nc2);
      expect((await jsm.streams.info('DEVSERVICES_TEST')).config.subjects).toEqual(['devservices.test']);
    } finally {
      await nc2.close();
    }
  }, 60_000);

  it('reuses a server left running on the same store instead of starting a second one on it', async () => {
    const running = await startLocalNats(dataDir);
    servers.push(running);
    const again = await startLocalNats(dataDir);
    expect(again.startedNow).toBe(false);
    expect(again.url).toBe(running.url);
    await again.stop();
    expect(processRuns(running.pid as number)).toBe(true);
  }, 60_000);
});
