import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats, ensureDevKeys, mintToken, names as namesOf, removeNamespace } from '@parley/platform';
import pg from 'pg';
import WebSocket from 'ws';
import { startProcess, stopProcess } from './processes.ts';
import type { Connection, Publisher, Target } from './target.ts';

type Frame = { op: string; [key: string]: unknown };

/**
 * Parley's durable path, as a client sees it: a message is a PostMessage
 * command over a gateway socket, appended to the event log by the command
 * handler, and delivered by every gateway to the members of the guild. Each
 * room is a guild of its own (its #general), so a subscriber receives its
 * room only. Every app runs as its own process (two gateways), in a
 * namespace and database of the run's own.
 */
export class ParleyTarget implements Target {
  readonly name = 'parley';
  readonly durable = true;
  private readonly namespace = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  private readonly keyDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  private readonly processes: ChildProcess[] = [];
  private readonly rooms: { guildId: string; channelId: string; code: string }[] = [];
  private keys?: { privateKeyFile: string; publicKeyFile: string };

  constructor(private readonly options: { natsUrl: string; postgresUrl: string; basePort: number }) {}

  private get databaseUrl(): string {
    const url = new URL(this.options.postgresUrl);
    url.pathname = `/parley_${this.namespace}`;
    return url.toString();
  }

  private token(user: string): Promise<string> {
    return mintToken({ privateKeyFile: this.keys!.privateKeyFile, issuer: 'parley-bench', audience: 'parley', userId: user, ttlSeconds: 6 * 3600 });
  }

  private async socket(user: string, node: number): Promise<ParleySocket> {
    return ParleySocket.open(`ws://127.0.0.1:${this.options.basePort + node}/ws?token=${await this.token(user)}`);
  }

  async setup(rooms: number): Promise<void> {
    this.keys = await ensureDevKeys(this.keyDir);
    const env = {
      NATS_URL: this.options.natsUrl,
      DATABASE_URL: this.databaseUrl,
      PARLEY_NAMESPACE: this.namespace,
      JWT_ISSUER: 'parley-bench',
      JWT_PUBLIC_KEY_FILE: this.keys.publicKeyFile,
      PARLEY_DATA_DIR: this.keyDir,
      LOG_LEVEL: 'info',
    };
    // The projector migrates (and creates) the database; the others come after it.
    this.processes.push(await startProcess('apps/projector/src/main.ts', [], env, 'projector started'));
    this.processes.push(await startProcess('apps/command-handler/src/main.ts', [], env, 'command handler consuming'));
    for (const node of [0, 1]) {
      const limits = {
        GATEWAY_PORT: String(this.options.basePort + node),
        GATEWAY_NODE_ID: `bench-gw${node + 1}`,
        GATEWAY_COMMANDS_PER_SECOND: '100000',
        GATEWAY_FRAMES_PER_SECOND: '100000',
        GATEWAY_MAX_CONNECTIONS_PER_IP: '1000000',
        GATEWAY_MAX_BACKPRESSURE_BYTES: String(16 * 1024 * 1024),
      };
      this.processes.push(await startProcess('apps/gateway/src/main.ts', [], { ...env, ...limits }, 'gateway listening'));
    }
    await this.addRooms(rooms);
  }

  /** Creates the rooms: guilds, each with an invite, 20 at a time. */
  private async addRooms(rooms: number): Promise<void> {
    const owner = await this.socket('bench-owner', 0);
    const create = async () => {
      const created = await owner.command('CreateGuild', { name: 'room' });
      const { guildId, channelId } = created['data'] as { guildId: string; channelId: string };
      const invite = await owner.command('CreateInvite', { guildId, channelId, maxUses: null, maxAgeSeconds: null });
      return { guildId, channelId, code: (invite['data'] as { code: string }).code };
    };
    while (this.rooms.length < rooms) this.rooms.push(...(await Promise.all(Array.from({ length: Math.min(20, rooms - this.rooms.length) }, create))));
    await owner.close();
  }

  async subscribe(room: number, user: number, onBody: (body: string) => void): Promise<Connection> {
    const socket = await this.socket(`bench-u${user}`, user % 2);
    const { guildId, code } = this.rooms[room]!;
    // Watched before the command goes out: `subscribed` can arrive in the same read as the outcome.
    const subscribed = socket.until((f) => f.op === 'subscribed' && f['guildId'] === guildId);
    await socket.command('JoinGuild', { code });
    await subscribed;
    socket.onEvent = (frame) => {
      if (frame['type'] === 'MessagePosted') onBody((frame['data'] as { content: string }).content);
    };
    return socket;
  }

  async publisher(user: number, rooms: number[]): Promise<Publisher> {
    const socket = await this.socket(`bench-p${user}`, user % 2);
    for (const room of rooms) await socket.command('JoinGuild', { code: this.rooms[room]!.code }).catch(() => undefined);
    return {
      publish: async (room, body) => {
        const { guildId, channelId } = this.rooms[room]!;
        await socket.command('PostMessage', { guildId, channelId, content: body });
      },
      close: () => socket.close(),
    };
  }

  pids(): number[] {
    return this.processes.map((child) => child.pid!);
  }

  async stop(): Promise<void> {
    for (const child of this.processes.reverse()) await stopProcess(child);
    const nc = await connectNats(this.options.natsUrl, 'parley-bench-cleanup');
    await removeNamespace(nc, namesOf(this.namespace));
    await nc.close();
    const admin = new pg.Client({ connectionString: this.options.postgresUrl });
    await admin.connect();
    await admin.query(`drop database if exists parley_${this.namespace} with (force)`);
    await admin.end();
    rmSync(this.keyDir, { recursive: true, force: true });
  }
}

/** A gateway socket speaking protocol v2: identify, commands with outcomes, events to `onEvent`. */
class ParleySocket implements Connection {
  onEvent: (frame: Frame) => void = () => undefined;
  private readonly waiting = new Map<string, { resolve: (frame: Frame) => void; reject: (error: Error) => void }>();
  private watchers: { match: (frame: Frame) => boolean; resolve: () => void }[] = [];
  private next = 0;
  private readonly prefix = randomBytes(4).toString('hex');

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (process.env['BENCH_DEBUG']) console.log('frame', data.toString().slice(0, 200));
      if (frame.op === 'event') return this.onEvent(frame);
      if (frame.op === 'outcome' || (frame.op === 'error' && typeof frame['id'] === 'string')) {
        const waiter = this.waiting.get(frame['id'] as string);
        this.waiting.delete(frame['id'] as string);
        if (frame.op === 'outcome' && frame['status'] === 'accepted') waiter?.resolve(frame['event'] as Frame);
        else waiter?.reject(new Error(`command refused: ${JSON.stringify(frame)}`));
      }
      this.watchers = this.watchers.filter((w) => !(w.match(frame) && (w.resolve(), true)));
    });
  }

  /** Connects and identifies; an upgrade refused as unavailable (503: the node is busy) is retried a few times. */
  static async open(url: string, attempts = 5): Promise<ParleySocket> {
    const ws = new WebSocket(url);
    const socket = new ParleySocket(ws);
    const opened = await new Promise<true | Error>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.on('error', (error) => resolve(error));
    });
    if (opened !== true) {
      if (attempts > 1 && /503/.test(opened.message)) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return ParleySocket.open(url, attempts - 1);
      }
      throw opened;
    }
    const ready = socket.until((f) => f.op === 'ready');
    ws.send('{"op":"identify"}');
    await ready;
    return socket;
  }

  until(match: (frame: Frame) => boolean): Promise<void> {
    return new Promise((resolve) => this.watchers.push({ match, resolve }));
  }

  command(type: string, data: unknown): Promise<Frame> {
    const id = `${this.prefix}-${this.next++}`;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ op: 'command', id, type, data }));
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
