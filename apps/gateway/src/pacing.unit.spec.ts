import type { WebSocket } from 'uWebSockets.js';
import { describe, expect, it } from 'vitest';
import { sendBounded, sendEphemeral, sendPaced, SocketClosed, wakeDrains, type Paced } from './pacing.ts';

// How the gateway keeps a slow socket's buffer bounded: ephemeral frames are
// the first to go, replays wait for the socket to drain, and a frame that
// would overflow the limit closes the socket with 4008. The socket here is a
// stand-in recording what uWS would be asked to do.
function socket(buffered: number) {
  const data: Paced = { closed: false, drains: [] };
  const sent: string[] = [];
  const ended: number[] = [];
  const ws = {
    buffered,
    getUserData: () => data,
    getBufferedAmount() {
      return this.buffered;
    },
    send(frame: string) {
      sent.push(frame);
      this.buffered += frame.length;
      return 1;
    },
    end(code: number) {
      ended.push(code);
    },
  };
  return { ws, uws: ws as unknown as WebSocket<Paced>, data, sent, ended };
}

describe('pacing', () => {
  it('drops ephemeral frames for a socket past the ephemeral limit, and only for it', () => {
    const behind = socket(5000);
    const current = socket(0);
    for (const { uws } of [behind, current]) sendEphemeral(uws, '{"op":"typing"}', 4096);
    expect(behind.sent).toEqual([]);
    expect(current.sent).toEqual(['{"op":"typing"}']);
  });

  it('closes with 4008 instead of sending a frame that would pass the limit', () => {
    const full = socket(900);
    expect(sendBounded(full.uws, 'x'.repeat(200), 1000)).toBe(false);
    expect(full.sent).toEqual([]);
    expect(full.ended).toEqual([4008]);
    const roomy = socket(700);
    expect(sendBounded(roomy.uws, 'x'.repeat(200), 1000)).toBe(true);
    expect(roomy.ended).toEqual([]);
  });

  it('makes a replay wait for the socket to drain past the high-water mark, and stop when it closes', async () => {
    const slow = socket(0);
    await sendPaced(slow.uws, 'a'.repeat(50), 100, 5000);
    let second = false;
    const waiting = sendPaced(slow.uws, 'b'.repeat(100), 100, 5000).then(() => (second = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(second).toBe(false);
    expect(slow.data.drains).toHaveLength(1);
    slow.ws.buffered = 0;
    wakeDrains(slow.data);
    await waiting;
    expect(second).toBe(true);

    const closing = socket(0);
    const stuck = sendPaced(closing.uws, 'c'.repeat(200), 100, 5000);
    closing.data.closed = true;
    wakeDrains(closing.data);
    await expect(stuck).rejects.toBeInstanceOf(SocketClosed);
    await expect(sendPaced(closing.uws, 'd', 100, 5000)).rejects.toBeInstanceOf(SocketClosed);

    // A socket that does not drain in time is closed as too slow.
    const stalled = socket(0);
    await expect(sendPaced(stalled.uws, 'e'.repeat(200), 100, 30)).rejects.toBeInstanceOf(SocketClosed);
    expect(stalled.ended).toEqual([4008]);
  });
});
