import { TestClient, useSystem } from '@parley/testing';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

/** Resolves with the HTTP status the upgrade got (101 when the socket opened). */
function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin ? { origin } : {});
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('gateway admission limits and readiness', () => {
  const harness = useSystem({ limits: { maxConnectionsPerUser: 2, maxConnectionsPerIp: 4, allowedOrigins: ['https://app.example'] } });
  const url = async (userId: string) => `${harness.system.wsUrl(0)}?token=${encodeURIComponent(await harness.env.token(userId))}`;

  it('answers health and readiness', async () => {
    const base = harness.system.wsUrl(0).replace('ws://', 'http://').replace('/ws', '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, node: 'gw1' });
  });

  it('refuses browsers from other origins, and lets native clients (no Origin) in', async () => {
    expect(await upgradeStatus(await url('olivia'), 'https://evil.example')).toBe(403);
    expect(await upgradeStatus(await url('olivia'), 'https://app.example')).toBe(101);
    expect(await upgradeStatus(await url('olivia'))).toBe(101);
  });

  it('caps sockets per user and per address, and frees a place when one closes', async () => {
    const first = await harness.connect('ursula');
    await harness.connect('ursula');
    expect(await upgradeStatus(await url('ursula'))).toBe(429);
    await harness.connect('ivan');
    await harness.connect('ivan');
    // Four sockets from 127.0.0.1 now: a fifth user is refused too.
    expect(await upgradeStatus(await url('yves'))).toBe(429);
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await TestClient.connect(harness.system.wsUrl(0), await harness.env.token('ursula'));
    await again.close();
  });
});
