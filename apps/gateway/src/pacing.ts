import type { WebSocket } from 'uWebSockets.js';
import { CLOSE } from './protocol.ts';

/** What pacing needs of a socket's user data. */
export type Paced = { closed: boolean; drains: (() => void)[] };

export class SocketClosed extends Error {
  override readonly name = 'SocketClosed';
  constructor() {
    super('socket closed');
  }
}

/**
 * Sends a frame of a long series (a replay) without letting the socket's
 * buffer grow: past `highWater` buffered bytes, waits for the socket to
 * drain, for at most `timeoutMs` (then the socket is closed as too slow).
 * Throws SocketClosed once the socket is gone, to end the series.
 */
export async function sendPaced<T extends Paced>(ws: WebSocket<T>, frame: string, highWater: number, timeoutMs: number): Promise<void> {
  const data = ws.getUserData();
  if (data.closed) throw new SocketClosed();
  ws.send(frame);
  if (ws.getBufferedAmount() <= highWater) return;
  let timer: NodeJS.Timeout | undefined;
  const drained = await new Promise<boolean>((resolve) => {
    data.drains.push(() => resolve(true));
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  clearTimeout(timer);
  if (!drained && !data.closed) ws.end(CLOSE.tooSlow.code, CLOSE.tooSlow.reason);
  if (!drained || data.closed) throw new SocketClosed();
}

/** How a catch-up sends to a socket (shared by the guild hub and the user feed). */
export type ReplayLimits = { replayHighWater: number; drainTimeoutMs: number; maxBackpressureBytes: number };

/**
 * Sends one frame of a catch-up: outside the tail's step it may wait for the
 * socket to drain (`sendPaced`); inside it must not (one slow socket would
 * hold up everyone's live events), so a frame that does not fit closes the
 * socket. Throws SocketClosed once the socket is gone.
 */
export async function sendReplayed<T extends Paced>(ws: WebSocket<T>, frame: string, inChain: boolean, limits: ReplayLimits): Promise<void> {
  if (!inChain) return sendPaced(ws, frame, limits.replayHighWater, limits.drainTimeoutMs);
  if (!sendBounded(ws, frame, limits.maxBackpressureBytes)) throw new SocketClosed();
}

/** Wakes every series waiting on this socket (it drained, or it closed). */
export function wakeDrains(data: Paced): void {
  const waiting = data.drains.splice(0);
  for (const resolve of waiting) resolve();
}

/**
 * Sends a frame that may be lost (typing, presence): a socket already
 * holding more than `limit` buffered bytes is skipped, so ephemeral traffic
 * is the first to go when a client falls behind.
 */
export function sendEphemeral<T>(ws: WebSocket<T>, frame: string, limit: number): void {
  if (ws.getBufferedAmount() <= limit) ws.send(frame);
}

/**
 * Sends a large frame (a replay page) only if it fits under the socket's
 * buffer limit; otherwise closes the socket as too slow (4008) rather than
 * let uWS cut it without a code at its own limit.
 */
export function sendBounded<T>(ws: WebSocket<T>, frame: string, limit: number): boolean {
  if (ws.getBufferedAmount() + frame.length > limit) {
    ws.end(CLOSE.tooSlow.code, CLOSE.tooSlow.reason);
    return false;
  }
  ws.send(frame);
  return true;
}
