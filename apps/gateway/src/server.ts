import type { Codec } from '@parley/contracts';
import { guildFold, StreamStates, type CommandRelay, type EventLog } from '@parley/event-store';
import { AuthError, type Identity, type Logger, type Names, type NatsConnection, type SessionStore, type TokenVerifier, type UploadStore } from '@parley/platform';
import type { MikroORM } from '@parley/read-model';
import uWS from 'uWebSockets.js';
import { createCommandPath } from './command-path.ts';
import { Semaphore, Serial, SharedBuckets, TokenBucket } from './limits.ts';
import { LiveHub, type ReplayOptions } from './live-hub.ts';
import { wakeDrains } from './pacing.ts';
import type { Presence } from './presence.ts';
import { CLOSE, errorFrame, FrameError, parseClientFrame, PROTOCOL_VERSION, type ClientFrame } from './protocol.ts';
import { createSessions } from './session.ts';
import type { Socket, SocketData } from './socket.ts';
import { UserFeed } from './user-feed.ts';

export type { Socket, SocketData };

export type ServerLimits = {
  /** Per node: sockets one user, or one IP address, may hold at once (a soft limit, checked at upgrade). */
  maxConnectionsPerUser: number;
  maxConnectionsPerIp: number;
  /** Browser origins allowed to connect; empty allows any (development). */
  allowedOrigins: string[];
  maxFrameBytes: number;
  /** Bytes a socket may have waiting to be sent; past it the socket is closed with 4008 (too slow). */
  maxBackpressureBytes: number;
  /** Commands, subscriptions, replays and presence changes, per socket and (separately) per user on a node. */
  commandsPerSecond: number;
  commandBurst: number;
  /** Frames of any kind per socket; frames over it are dropped, and a socket that keeps on is closed (4009). */
  framesPerSecond: number;
  frameBurst: number;
  /** Frames dropped over the rate limit within a minute before the socket is closed. */
  maxDroppedFrames: number;
  /** The heartbeat interval `hello` announces; a socket silent for twice as long is closed by uWS. */
  heartbeatMs: number;
  /** Time a socket has after `hello` to identify or resume. */
  identifyTimeoutMs: number;
  /** Events one catch-up may replay before the client is told to resync instead. */
  maxReplayEvents: number;
};

export type ServerDeps = {
  nodeId: string;
  eventLog: EventLog;
  names: Names;
  codec: Codec;
  verify: TokenVerifier;
  orm: MikroORM;
  nc: NatsConnection;
  relay: CommandRelay;
  presence: Presence;
  sessions: SessionStore;
  uploads: UploadStore;
  logger: Logger;
  limits: ServerLimits;
};

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const TYPING_REPEAT_MS = 3000;

/** Catch-ups reading the event log at once on a node: a reconnect storm queues instead of flooding the JetStream API. */
const PARALLEL_CATCH_UPS = 32;

/** How long a replay waits for a socket to drain before closing it as too slow. */
const DRAIN_TIMEOUT_MS = 10_000;

/** The window over which frames dropped over the rate limit are counted toward a 4009 close. */
const DROP_WINDOW_MS = 60_000;

/** How often sockets are checked for falling behind (their send buffer past the limit). */
const SLOW_SWEEP_MS = 100;

/**
 * The WebSocket endpoint `/ws`. A token given at the upgrade is checked
 * before the socket opens; one sent in `identify`/`resume` before any other
 * frame is served. Either way the user id comes only from a verified token.
 */
export type Server = {
  app: uWS.TemplatedApp;
  /**
   * Stops taking sockets and asks every client to move, each at a random
   * moment within `spreadMs` (so they do not all land on the other nodes at
   * once), closing each with 4003 then; resolves when all are gone.
   */
  drain(spreadMs: number): Promise<void>;
};

export function createServer(deps: ServerDeps): Server {
  const { logger, limits } = deps;
  const app = uWS.App();
  const sockets = new Set<Socket>();
  const replay: ReplayOptions = {
    maxReplayEvents: limits.maxReplayEvents,
    replayHighWater: limits.maxBackpressureBytes / 4,
    drainTimeoutMs: DRAIN_TIMEOUT_MS,
    maxBackpressureBytes: limits.maxBackpressureBytes,
    catchUps: new Semaphore(PARALLEL_CATCH_UPS),
  };
  const feed = new UserFeed(app, deps.nc, deps.names, deps.codec, deps.eventLog, logger, replay, (userId, { event }) => {
    // Ended sessions lose their sockets at once (logout, logout everywhere, account deleted).
    if (event.type !== 'SessionsRevoked' && event.type !== 'AccountDeleted') return;
    for (const ws of [...sockets]) {
      const data = ws.getUserData();
      if (data.userId !== userId || data.closed) continue;
      const ended =
        event.type === 'AccountDeleted' ||
        (event.data.sessionId === null ? data.issuedAt <= event.data.at : data.sessionId === event.data.sessionId);
      if (ended) ws.end(CLOSE.sessionRevoked.code, CLOSE.sessionRevoked.reason);
    }
  });
  const states = new StreamStates(deps.eventLog, deps.codec, guildFold);
  const hub = new LiveHub(app, deps.nc, deps.names, deps.codec, deps.eventLog, states, logger, { ...replay, ephemeralLimit: limits.maxBackpressureBytes / 8 });
  const sessions = createSessions({ eventLog: deps.eventLog, codec: deps.codec, names: deps.names, orm: deps.orm, hub, feed, presence: deps.presence, logger, maxBackpressureBytes: limits.maxBackpressureBytes });
  const commands = createCommandPath({ codec: deps.codec, relay: deps.relay, uploads: deps.uploads, subscribe: sessions.subscribe, logger });
  const userActions = new SharedBuckets(limits.commandsPerSecond, limits.commandBurst);
  const perUser = new Map<string, number>();
  const perIp = new Map<string, number>();
  const count = (map: Map<string, number>, key: string, by: number) => {
    const next = (map.get(key) ?? 0) + by;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  };
  let draining = false;

  // A socket past its buffer limit is closed with its own code; uWS's own cut (at twice the limit,
  // for bursts between sweeps) is the backstop that keeps memory bounded either way.
  const sweep = setInterval(() => {
    for (const ws of sockets) {
      if (!ws.getUserData().closed && ws.getBufferedAmount() > limits.maxBackpressureBytes) ws.end(CLOSE.tooSlow.code, CLOSE.tooSlow.reason);
    }
  }, SLOW_SWEEP_MS);
  sweep.unref();

  // Liveness: the process answers. Readiness: it can take sockets (NATS up, not draining).
  app.get('/health', (res) => {
    res.writeHeader('content-type', 'application/json').end(JSON.stringify({ status: 'ok', node: deps.nodeId }));
  });
  app.get('/ready', (res) => {
    const ready = !draining && !deps.nc.isClosed();
    res.writeStatus(ready ? '200 OK' : '503 Service Unavailable').writeHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ready, node: deps.nodeId, sockets: sockets.size }));
  });
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain').end('not found: WebSocket at /ws, health at /health');
  });

  /**
   * Checks a token: valid, not revoked. Throws AuthError for a token that is
   * not good; anything else means the check itself could not be made (the
   * session store did not answer), which is no verdict on the token.
   */
  async function authenticate(token: string): Promise<Identity> {
    const identity = await deps.verify(token);
    if (await deps.sessions.isRevoked(identity)) throw new AuthError('this session has been revoked; log in again');
    return identity;
  }

  app.ws<SocketData>('/ws', {
    // uWS refuses a frame past maxPayloadLength by cutting the connection (the client sees 1006, no
    // reason). With headroom, a frame just past the limit is refused below with a clear 1009; only a
    // grossly oversized one, which no honest client sends, still meets uWS's cut.
    maxPayloadLength: limits.maxFrameBytes * 4,
    maxBackpressure: limits.maxBackpressureBytes * 2,
    closeOnBackpressureLimit: 1,
    idleTimeout: Math.max(8, Math.ceil((limits.heartbeatMs * 2) / 1000)),
    sendPingsAutomatically: true,

    upgrade: (res, req, context) => {
      const origin = req.getHeader('origin');
      const ip = Buffer.from(res.getRemoteAddressAsText()).toString();
      const refuse = (status: string, reason: string): void => {
        res.cork(() => res.writeStatus(status).writeHeader('content-type', 'text/plain').end(reason));
      };
      if (draining) return refuse('503 Service Unavailable', 'node is draining: connect to another node');
      const version = req.getQuery('v');
      if (version && version !== String(PROTOCOL_VERSION)) return refuse('400 Bad Request', `unsupported protocol version ${version.slice(0, 20)}; this node speaks v${PROTOCOL_VERSION}`);
      // Origin guards browsers against other sites opening sockets with their cookies or tokens;
      // native clients send none and are let through.
      if (origin !== '' && limits.allowedOrigins.length > 0 && !limits.allowedOrigins.includes(origin)) return refuse('403 Forbidden', 'origin not allowed');
      if ((perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp) return refuse('429 Too Many Requests', 'too many connections from this address');
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const authorization = req.getHeader('authorization');
      // The auth scheme is case-insensitive (RFC 9110 11.1). Browsers cannot set headers: they pass
      // ?token= or, keeping tokens out of URLs and logs, send it in `identify`.
      const token = /^bearer /i.test(authorization) ? authorization.slice(7) : req.getQuery('token') ?? '';
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      const upgrade = () => {
        if (aborted) return;
        const data: SocketData = {
          userId: '',
          identified: false,
          upgradeToken: token || null,
          sessionId: null,
          issuedAt: 0,
          expiresAt: 0,
          session: '',
          ip,
          guilds: new Map(),
          onUserFeed: false,
          pending: new Map(),
          typedAt: new Map(),
          frames: new TokenBucket(limits.framesPerSecond, limits.frameBurst),
          actions: new TokenBucket(limits.commandsPerSecond, limits.commandBurst),
          dropped: 0,
          droppedSince: 0,
          limitErrorAt: 0,
          replays: new Serial(),
          drains: [],
          closed: false,
        };
        res.cork(() => res.upgrade(data, key, protocol, extensions, context));
      };
      if (!token) return upgrade();
      // A bad token at the upgrade is refused before any socket exists.
      authenticate(token).then(
        (identity) => {
          if (aborted) return;
          if ((perUser.get(identity.userId) ?? 0) >= limits.maxConnectionsPerUser) return refuse('429 Too Many Requests', 'too many connections for this user');
          upgrade();
        },
        (error: Error) => {
          if (aborted) return;
          if (error instanceof AuthError) return refuse('401 Unauthorized', error.message);
          logger.warn({ err: error }, 'token check failed');
          refuse('503 Service Unavailable', 'the token cannot be checked right now; retry');
        },
      );
    },

    open: (ws) => {
      sockets.add(ws);
      const data = ws.getUserData();
      count(perIp, data.ip, 1);
      data.timer = setTimeout(() => {
        if (!data.closed && !data.identified) ws.end(CLOSE.notIdentified.code, CLOSE.notIdentified.reason);
      }, limits.identifyTimeoutMs);
      ws.send(JSON.stringify({ op: 'hello', v: PROTOCOL_VERSION, node: deps.nodeId, heartbeatMs: limits.heartbeatMs }));
    },

    drain: (ws) => wakeDrains(ws.getUserData()),

    message: (ws, message, isBinary) => {
      const data = ws.getUserData();
      if (message.byteLength > limits.maxFrameBytes) {
        ws.end(CLOSE.frameTooLarge.code, `${CLOSE.frameTooLarge.reason}: at most ${limits.maxFrameBytes} bytes`);
        return;
      }
      const wait = data.frames.take();
      if (wait > 0) {
        // Drops are counted over a window: a client that slips over the limit now and then is not cut off.
        if (Date.now() - data.droppedSince > DROP_WINDOW_MS) Object.assign(data, { dropped: 0, droppedSince: Date.now() });
        if (++data.dropped > limits.maxDroppedFrames) return ws.end(CLOSE.flooding.code, CLOSE.flooding.reason);
        // One error a second at most: a flood must not be answered with a flood.
        if (Date.now() - data.limitErrorAt >= 1000) {
          data.limitErrorAt = Date.now();
          ws.send(errorFrame('rate.limited', `at most ${limits.framesPerSecond} frames per second; frames over it are dropped`, undefined, wait));
        }
        return;
      }
      if (isBinary) {
        ws.send(errorFrame('frame.binary', 'binary frames are not supported; send JSON text'));
        return;
      }
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(message);
      } catch {
        ws.send(errorFrame('frame.invalid_utf8', 'frame is not valid UTF-8'));
        return;
      }
      try {
        handle(ws, parseClientFrame(text));
      } catch (error) {
        if (error instanceof FrameError) ws.send(errorFrame(error.code, error.message, error.id, error.retryAfterMs));
        else throw error;
      }
    },

    close: (ws, code) => {
      sockets.delete(ws);
      const data = ws.getUserData();
      // The protocol's close codes (the gateway's own, mostly), for operators: who was cut off, and why.
      if (code === CLOSE.frameTooLarge.code || (code >= 4000 && code < 4200)) logger.info({ userId: data.userId || null, ip: data.ip, code }, 'socket closed with a protocol code');
      count(perIp, data.ip, -1);
      data.closed = true;
      clearTimeout(data.timer);
      wakeDrains(data);
      if (!data.identified) return;
      count(perUser, data.userId, -1);
      userActions.release(data.userId);
      for (const [commandId, listener] of data.pending) deps.relay.forget(data.userId, commandId, listener);
      if (data.onUserFeed) feed.close(data.userId);
      const guildIds = [...data.guilds.keys()];
      void deps.presence.drop(ws, data.userId, guildIds);
      for (const guildId of guildIds) hub.leave(ws, guildId);
    },
  });

  /** Spends an action token of the socket and of its user; throws the rate-limit error when either is out. */
  function act(data: SocketData, id?: string): void {
    const wait = Math.max(data.actions.take(), data.userActions!.take());
    if (wait > 0) throw new FrameError('rate.limited', `at most ${limits.commandsPerSecond} commands, subscriptions, replays and presence changes per second`, id, wait);
  }

  function handle(ws: Socket, frame: ClientFrame): void {
    const data = ws.getUserData();
    if (frame.op === 'heartbeat') {
      ws.send('{"op":"heartbeat_ack"}');
      return;
    }
    if (frame.op === 'identify' || frame.op === 'resume') return run(ws, frame.op, begin(ws, frame));
    if (!data.identified) throw new FrameError('session.not_identified', 'send identify or resume first, and wait for ready or resumed', 'id' in frame ? frame.id : undefined);
    switch (frame.op) {
      case 'subscribe':
        act(data);
        return run(ws, `subscribe to ${frame.guildId}`, sessions.subscribe(ws, frame.guildId, frame.after));
      case 'unsubscribe':
        return sessions.unsubscribe(ws, frame.guildId);
      case 'replay':
        act(data, frame.id);
        return run(ws, 'replay', sessions.replay(ws, frame.id, frame.guildId, frame.channelId, frame.after, frame.until), frame.id);
      case 'presence':
        act(data);
        void deps.presence.set(ws, frame.status);
        return;
      case 'typing':
        void typing(ws, frame.guildId, frame.channelId);
        return;
      case 'command':
        act(data, frame.id);
        commands.submit(ws, frame.id, frame.type, frame.data);
        return;
    }
  }

  /** Runs a frame's asynchronous work; a failure becomes an error frame, not a lost socket. */
  function run(ws: Socket, what: string, work: Promise<void>, id?: string): void {
    work.catch((error: unknown) => {
      logger.error({ err: error, userId: ws.getUserData().userId }, `${what} failed`);
      if (!ws.getUserData().closed) ws.send(errorFrame('internal.error', `${what} failed; retry`, id));
    });
  }

  /**
   * identify and resume: the first one makes the socket a user's session;
   * a later identify only renews the token (same user), so a session
   * outlives its first token.
   */
  async function begin(ws: Socket, frame: Extract<ClientFrame, { op: 'identify' | 'resume' }>): Promise<void> {
    const data = ws.getUserData();
    if (data.identified && frame.op === 'resume') return void ws.send(errorFrame('session.already_identified', 'this connection already has a session; resume on a new connection'));
    const token = frame.token ?? (data.identified ? null : data.upgradeToken);
    if (token === null) return void ws.send(errorFrame('identify.token_required', 'send the token in the frame (or at the upgrade)'));
    let identity: Identity;
    try {
      identity = await authenticate(token);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error; // no verdict on the token: answered as a failure to retry
      const message = error.message;
      // Renewing: the session goes on with its current token until that expires.
      if (data.closed) return;
      if (data.identified) ws.send(errorFrame('identify.invalid_token', `${message}; the current token stays in force`));
      else ws.send(JSON.stringify({ op: 'invalid_session', reason: 'token', message }));
      return;
    }
    if (data.closed) return;
    if (data.identified) {
      if (identity.userId !== data.userId) return ws.end(CLOSE.wrongUser.code, CLOSE.wrongUser.reason);
      Object.assign(data, { sessionId: identity.sessionId, issuedAt: identity.issuedAt, expiresAt: identity.expiresAt });
      armExpiry(ws);
      ws.send(JSON.stringify({ op: 'identified', expiresAt: identity.expiresAt }));
      return;
    }
    if (frame.op === 'resume') {
      const invalid = await sessions.check(identity.userId, frame.session, frame.epoch, frame.cursors);
      if (invalid) return void (data.closed || ws.send(JSON.stringify({ op: 'invalid_session', ...invalid })));
      if (data.closed || data.identified) return;
    }
    if ((perUser.get(identity.userId) ?? 0) >= limits.maxConnectionsPerUser) {
      return void ws.send(errorFrame('session.too_many_connections', `at most ${limits.maxConnectionsPerUser} connections per user on a node`));
    }
    Object.assign(data, { userId: identity.userId, identified: true, upgradeToken: null, sessionId: identity.sessionId, issuedAt: identity.issuedAt, expiresAt: identity.expiresAt });
    data.userActions = userActions.hold(identity.userId);
    count(perUser, identity.userId, 1);
    clearTimeout(data.timer);
    armExpiry(ws);
    try {
      if (frame.op === 'identify') await sessions.start(ws);
      else await sessions.resume(ws, frame.session, frame.epoch, frame.cursors);
    } catch (error) {
      logger.error({ err: error, userId: data.userId }, `${frame.op} failed`);
      // Without a session the socket is useless; say so rather than leave the client waiting.
      if (!data.closed) ws.end(CLOSE.unavailable.code, CLOSE.unavailable.reason);
    }
  }

  /**
   * Closes the socket when its token expires, unless an identify renewed it.
   * setTimeout fires at once for a delay past 2^31-1 ms (~24.8 days), so a
   * long-lived token waits in steps.
   */
  function armExpiry(ws: Socket): void {
    const data = ws.getUserData();
    clearTimeout(data.timer);
    data.timer = setTimeout(() => {
      if (data.closed) return;
      if (Date.now() < data.expiresAt) armExpiry(ws);
      else ws.end(CLOSE.tokenExpired.code, CLOSE.tokenExpired.reason);
    }, Math.min(Math.max(0, data.expiresAt - Date.now()), MAX_TIMER_MS));
  }

  /** Typing is best effort: one signal per channel per few seconds; repeats within that are dropped quietly. */
  async function typing(ws: Socket, guildId: string, channelId: string): Promise<void> {
    const data = ws.getUserData();
    const now = Date.now();
    const key = `${guildId}/${channelId}`;
    if ((data.typedAt.get(key) ?? 0) > now - TYPING_REPEAT_MS) return;
    data.typedAt.set(key, now);
    if (data.typedAt.size > 100) data.typedAt.delete(data.typedAt.keys().next().value as string);
    try {
      if (!(await hub.typing(ws, guildId, channelId, now)) && !data.closed) {
        ws.send(errorFrame('typing.forbidden', `you cannot send messages in channel ${channelId}`));
      }
    } catch (error) {
      logger.warn({ err: error, guildId }, 'typing failed');
    }
  }

  async function drain(spreadMs: number): Promise<void> {
    draining = true;
    clearInterval(sweep);
    const deadline = Date.now() + spreadMs;
    for (const ws of [...sockets]) {
      const afterMs = Math.floor(Math.random() * spreadMs);
      const data = ws.getUserData();
      ws.send(JSON.stringify({ op: 'reconnect', afterMs, reason: 'draining' }));
      setTimeout(() => data.closed || ws.end(CLOSE.draining.code, CLOSE.draining.reason), afterMs).unref();
    }
    // Done when every client has gone (many leave as soon as they read `reconnect`), at the latest at the deadline.
    while (sockets.size > 0 && Date.now() <= deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const ws of [...sockets]) ws.end(CLOSE.draining.code, CLOSE.draining.reason);
  }

  return { app, drain };
}
