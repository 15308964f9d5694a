import { TestClient, useSystem } from '@parley/testing';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';

// A client that stops reading must not grow the gateway's memory or slow
// anyone else: its buffer is bounded, and past the bound it is closed with
// its own code (4008), while 100 other clients on the same node keep
// receiving promptly.
const LIMIT = 256 * 1024;
const FAST = { commandsPerSecond: 100_000, commandBurst: 100_000, framesPerSecond: 100_000, frameBurst: 100_000 };

describe('a slow client', () => {
  const harness = useSystem({ gateways: 1, limits: { ...FAST, maxBackpressureBytes: LIMIT, maxConnectionsPerIp: 1000 } });

  async function guild(owner: TestClient, name: string) {
    const created = await owner.accepted('CreateGuild', { name });
    const guildId = created.data['guildId'] as string;
    const channelId = created.data['channelId'] as string;
    const invite = await owner.accepted('CreateInvite', { guildId, channelId, maxUses: null, maxAgeSeconds: null });
    return { guildId, channelId, code: invite.data['code'] as string };
  }

  it('is closed with 4008 once its buffer passes the limit, while 100 others keep receiving promptly', async () => {
    const writer = await harness.connect('bp-writer');
    const heavy = await guild(writer, 'heavy');
    const light = await guild(writer, 'light');
    // Big messages in the heavy guild, for the slow client to ask for and never read.
    const big = 'x'.repeat(3900);
    await Promise.all(Array.from({ length: 120 }, (_, i) => writer.accepted('PostMessage', { guildId: heavy.guildId, channelId: heavy.channelId, content: `${i} ${big}` })));

    const slow = await harness.connect('bp-slow');
    await slow.accepted('JoinGuild', { code: heavy.code });
    const readers: TestClient[] = [];
    for (let i = 0; i < 100; i++) {
      const reader = await harness.connect(`bp-reader-${i}`);
      await reader.accepted('JoinGuild', { code: light.code });
      readers.push(reader);
    }

    // The slow client stops reading its socket, then asks for page after page of history.
    const tcp = (slow.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();
    for (let i = 0; i < 200; i++) slow.send({ op: 'replay', id: `slow-${String(i).padStart(4, '0')}`, guildId: heavy.guildId, channelId: heavy.channelId, after: 0 });

    // Meanwhile light traffic: every reader gets every message, promptly.
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const sentAt = Date.now();
      const posted = await writer.accepted('PostMessage', { guildId: light.guildId, channelId: light.channelId, content: `light ${i}` });
      await Promise.all(
        readers.map(async (reader) => {
          await reader.waitFor((f) => f.op === 'event' && f['cursor'] === posted.cursor, 5000, `light ${i}`);
          latencies.push(Date.now() - sentAt);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    expect(latencies).toHaveLength(2000);
    // Generous for a shared 2-core CI machine: "promptly" means no one waits on the slow socket.
    expect(p99).toBeLessThan(1000);

    // Reading again, the slow client finds its close code behind what was buffered for it.
    tcp.resume();
    const closed = await new Promise<{ code: number }>((resolve) => (slow.closed ? resolve(slow.closed) : slow.socket.once('close', (code) => resolve({ code }))));
    expect(closed.code).toBe(4008);
    // It got fewer pages than it asked for (the rest were in the kernel's buffers, not the gateway's):
    // the gateway stopped at its limit instead of queueing the rest in memory.
    expect(slow.frames.filter((f) => f.op === 'replayed').length).toBeLessThan(200);
    for (const reader of readers) expect(reader.closed).toBeNull();
  });
});
