import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export type Frame = { op: string; [key: string]: unknown };

/**
 * A real WebSocket client for tests: records every frame, waits for frames
 * matching a predicate, and sends commands with fresh ids, resolving with
 * their outcome frame.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const frame = JSON.parse(isBinary ? '{"op":"binary"}' : data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  static async connect(url: string, token: string): Promise<TestClient> {
    const socket = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return client;
  }

  /** Resolves with the first frame, already received or still to come, that matches. */
  waitFor(match: (frame: Frame) => boolean, timeoutMs = 10_000, label = 'frame'): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const closed = this.closed ? ` (socket closed: ${this.closed.code} ${this.closed.reason})` : '';
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}${closed}`));
      }, timeoutMs);
      this.waiters.push({ match, resolve: (frame) => (clearTimeout(timer), resolve(frame)) });
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a command and resolves with its outcome (or error) frame. */
  async command(type: string, data: unknown, id = `cmd-${randomBytes(8).toString('hex')}`): Promise<Frame> {
    this.send({ op: 'command', id, type, data });
    return this.waitFor((f) => (f.op === 'outcome' || f.op === 'error') && f['id'] === id, 10_000, `outcome of ${type}`);
  }

  /** Like command, but fails unless the command was accepted; returns the resulting event. */
  async accepted(type: string, data: unknown): Promise<{ cursor: number; data: Record<string, unknown> }> {
    const outcome = await this.command(type, data);
    if (outcome['status'] !== 'accepted') throw new Error(`${type} not accepted: ${JSON.stringify(outcome)}`);
    const event = outcome['event'] as { cursor: number; data: Record<string, unknown> };
    return event;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** GET from the HTTP API with a bearer token; returns status and parsed body. */
export async function apiGet(baseUrl: string, path: string, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
