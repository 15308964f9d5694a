import type { ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import { startProcess, stopProcess } from '../targets/processes.ts';
import type { Connection, Publisher, Target } from '../targets/target.ts';

/**
 * What the three peer targets (Socket.IO + Redis, the ws hub, uWS + NATS)
 * share: their server processes, and the client side of a connection over
 * the `ws` package, so each peer's client costs the load generator the same.
 */

/**
 * A peer target's options: node i listens on `basePort + i`; `prefix`
 * (letters, digits, `-`, `_`) keeps a run's Redis keys and channels, or
 * NATS subjects, apart from any other run's.
 */
export type PeerOptions = { basePort: number; prefix: string };

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** A peer's server processes: node i runs `entry <basePort + i> ...args` and prints `ready` once listening. */
export class PeerNodes {
  private readonly children: ChildProcess[] = [];

  constructor(
    private readonly entry: string,
    private readonly basePort: number,
    private readonly count: number,
  ) {}

  /** Starts every node. If one fails, setup fails; the ones started are still in pids() and stopped by stop(). */
  async start(args: string[]): Promise<void> {
    const ports = Array.from({ length: this.count }, (_, i) => this.basePort + i);
    await Promise.all(ports.map(async (port) => this.children.push(await startProcess(this.entry, [String(port), ...args], {}, 'ready'))));
  }

  /** The WebSocket URL of the node serving `user` (users spread round-robin over the nodes). */
  url(user: number, path: string): string {
    return `ws://127.0.0.1:${this.basePort + (user % this.count)}${path}`;
  }

  pids(): number[] {
    return this.children.flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
  }

  /** Stops every node (SIGTERM, then SIGKILL); resolves once all have exited. */
  async stop(): Promise<void> {
    await Promise.all(this.children.map((child) => stopProcess(child)));
  }
}

/** What every peer target shares: its nodes, started by `setup` with `args`, and stopped by `stop`. */
export abstract class PeerTarget implements Pick<Target, 'setup' | 'pids' | 'stop'> {
  protected readonly nodes: PeerNodes;

  constructor(
    entry: string,
    basePort: number,
    nodes: number,
    private readonly args: string[],
  ) {
    this.nodes = new PeerNodes(entry, basePort, nodes);
  }

  /** Starts the nodes; rooms need no preparing (each peer's rooms exist once joined). */
  async setup(): Promise<void> {
    await this.nodes.start(this.args);
  }

  pids(): number[] {
    return this.nodes.pids();
  }

  async stop(): Promise<void> {
    await this.nodes.stop();
  }
}

/**
 * One client connection. Every text frame, decoded once, goes to `onText`
 * from the very first one (the listener is attached before the socket opens,
 * so a frame that arrives with the upgrade response is not missed).
 * Requests carry a numeric id and resolve when `ack(id)` is called; all
 * pending requests reject when the socket closes, so no caller waits forever.
 * Socket errors never throw: they end in a close.
 */
export class PeerSocket implements Connection {
  private readonly ws: WebSocket;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 0;
  /** Resolves once the socket is open; rejects if it fails or closes first. */
  readonly opened: Promise<void>;

  constructor(url: string, onText: (text: string) => void) {
    // No compression offered: every peer's server would accept it differently, and none of them should pay for it.
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    // binaryType is the default 'nodebuffer': a message, even a fragmented one, arrives as one Buffer.
    this.ws.on('message', (data) => onText((data as Buffer).toString()));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.on('error', reject);
      this.ws.once('close', (code) => reject(new Error(`${url} closed (${code}) before it opened`)));
    });
    this.ws.once('close', (code) => {
      const error = new Error(`${url} closed (${code}) before the ack`);
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
    });
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** Waits for `ack(id)`: for an id the peer's protocol fixes rather than one `request` picks. */
  awaitAck(id: number): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('the connection is not open'));
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  /** Sends `frame(id)` with a fresh id (0, 1, 2, ...) and resolves when that id is acked. */
  request(frame: (id: number) => string): Promise<void> {
    const id = this.nextId++;
    const acked = this.awaitAck(id);
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame(id));
    return acked;
  }

  /** Settles the request `id`; an unknown id (already settled) is ignored. */
  ack(id: number): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    waiter.resolve();
  }

  /** Closes the socket (a close handshake) and resolves once it is closed, at once if it already is. */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** A Publisher over `socket` whose publishes are framed by `frame(id, room, body)` and resolve on `ack(id)`. */
export function publisherOn(socket: PeerSocket, frame: (id: number, room: number, body: string) => string): Publisher {
  return {
    publish: (room, body) => socket.request((id) => frame(id, room, body)),
    close: () => socket.close(),
  };
}
