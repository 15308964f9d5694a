import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export type Frame = { op: string; [key: string]: unknown };

/** What a client keeps to resume: its session, the log's epoch, and its cursors. */
export type ResumeState = { session: string; epoch: string; user: number; guilds: Record<string, number> };

/**
 * A real WebSocket client for tests: records every frame, waits for frames
 * matching a predicate, and sends commands with fresh ids, resolving with
 * their outcome frame.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closed: { code: number; reason: string } | null = null;
  /** Kept up to date from ready, resumed, events and joining outcomes, as a real client would. */
  readonly state: ResumeState = { session: '', epoch: '', user: 0, guilds: {} };

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const frame = JSON.parse(isBinary ? '{"op":"binary"}' : data.toString()) as Frame;
      this.frames.push(frame);
      this.track(frame);
      this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  /**
   * Opens a socket with the token at the upgrade and, unless told not to,
   * identifies once `hello` arrives and waits for `ready` (a new session).
   */
  static async connect(url: string, token: string, options: { identify?: boolean } = {}): Promise<TestClient> {
    const socket = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    if (options.identify ?? true) {
      await client.waitFor((f) => f.op === 'hello', 10_000, 'hello');
      client.send({ op: 'identify' });
      await client.waitFor((f) => f.op === 'ready', 15_000, 'ready');
    }
    return client;
  }

  /** Opens a socket and resumes `state` (another client's, or an earlier socket's); resolves once `resumed` arrives. */
  static async resume(url: string, token: string, state: ResumeState): Promise<TestClient> {
    const client = await TestClient.connect(url, token, { identify: false });
    await client.waitFor((f) => f.op === 'hello', 10_000, 'hello');
    Object.assign(client.state, structuredClone(state));
    client.send({ op: 'resume', session: state.session, epoch: state.epoch, cursors: { user: state.user, guilds: state.guilds } });
    await client.waitFor((f) => f.op === 'resumed' || f.op === 'invalid_session', 20_000, 'resumed');
    return client;
  }

  /** The events received, in order (replayed and live alike). */
  get events(): (Frame & { cursor: number; prev: number; stream: string; guildId: string | null; type: string; data: Record<string, unknown> })[] {
    return this.frames.filter((f) => f.op === 'event') as never;
  }

  private track(frame: Frame): void {
    const state = this.state;
    if (frame.op === 'ready') {
      Object.assign(state, { session: frame['session'], epoch: frame['epoch'], user: frame['cursor'] });
      for (const guild of frame['guilds'] as { id: string }[]) state.guilds[guild.id] = frame['cursor'] as number;
    } else if (frame.op === 'event') {
      const { cursor, guildId, stream } = frame as unknown as { cursor: number; guildId: string | null; stream: string };
      if (stream.startsWith('user:')) state.user = cursor;
      else if (guildId !== null) state.guilds[guildId] = cursor;
    } else if (frame.op === 'outcome' && frame['status'] === 'accepted') {
      const event = frame['event'] as { type: string; guildId: string | null; cursor: number };
      // Joining a guild: the gateway goes on from the joining event, so the cursor starts there.
      if ((event.type === 'GuildCreated' || event.type === 'MemberJoined') && event.guildId && state.guilds[event.guildId] === undefined) state.guilds[event.guildId] = event.cursor;
    } else if (frame.op === 'unsubscribed') {
      delete state.guilds[frame['guildId'] as string];
    }
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
    const event = outcome['event'] as { type: string; guildId: string; cursor: number; data: Record<string, unknown> };
    // Entering a guild: the gateway watches it for this socket once `subscribed` comes.
    if (event.type === 'GuildCreated' || event.type === 'MemberJoined') {
      const mark = this.frames.indexOf(outcome);
      await this.waitFor((f) => f.op === 'subscribed' && f['guildId'] === event.guildId && this.frames.indexOf(f) > mark, 10_000, `subscribed to ${event.guildId}`);
    }
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
