import type { Codec } from '@parley/contracts';
import { guildFold, StreamStates, type CommandRelay, type EventLog } from '@parley/event-store';
import type { Logger, Names, NatsConnection, SessionStore, TokenVerifier, UploadStore } from '@parley/platform';
import { guildsOfUser, snapshot, PROJECTIONS, type MikroORM } from '@parley/read-model';
import uWS from 'uWebSockets.js';
import { createCommandPath } from './command-path.ts';
import { LiveHub } from './live-hub.ts';
import type { Presence } from './presence.ts';
import { CLOSE, errorFrame, FrameError, parseClientFrame, PROTOCOL_VERSION } from './protocol.ts';
import type { Socket, SocketData } from './socket.ts';
import { UserFeed, userTopic } from './user-feed.ts';

export type { Socket, SocketData };

export type ServerLimits = {
  /** Per node: sockets one user, or one IP address, may hold at once (a soft limit, checked at upgrade). */
  maxConnectionsPerUser: number;
  maxConnectionsPerIp: number;
  /** Browser origins allowed to connect; empty allows any (development). */
  allowedOrigins: string[];
  maxFrameBytes: number;
  maxBackpressureBytes: number;
  commandsPerSecond: number;
  commandBurst: number;
  idleTimeoutSeconds: number;
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

/**
 * The WebSocket endpoint `/ws`. Authentication completes before the socket
 * opens (the upgrade waits for the JWT check), so no frame is ever handled
 * for an unknown user; the user id comes only from the verified token.
 */
export type Server = {
  app: uWS.TemplatedApp;
  hub: LiveHub;
  /** Closes every open socket with the given close code (stop, drain). */
  closeAll(code: number, reason: string): void;
};

export function createServer(deps: ServerDeps): Server {
  const { logger, limits } = deps;
  const app = uWS.App();
  const feed = new UserFeed(app, deps.nc, deps.names, deps.codec, logger, (userId, { event }) => {
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
  const hub = new LiveHub(app, deps.nc, deps.names, deps.codec, new StreamStates(deps.eventLog, deps.codec, guildFold), logger);
  const commands = createCommandPath({ codec: deps.codec, relay: deps.relay, uploads: deps.uploads, hub, logger });
  const sockets = new Set<Socket>();
  const perUser = new Map<string, number>();
  const perIp = new Map<string, number>();
  const count = (map: Map<string, number>, key: string, by: number) => {
    const next = (map.get(key) ?? 0) + by;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  };
  let draining = false;
  let connections = 0;

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

  app.ws<SocketData>('/ws', {
    // uWS refuses a frame past maxPayloadLength by cutting the connection (the client sees 1006, no
    // reason). With headroom, a frame just past the limit is refused below with a clear 1009; only a
    // grossly oversized one, which no honest client sends, still meets uWS's cut.
    maxPayloadLength: limits.maxFrameBytes * 4,
    maxBackpressure: limits.maxBackpressureBytes,
    closeOnBackpressureLimit: 1,
    idleTimeout: limits.idleTimeoutSeconds,
    sendPingsAutomatically: true,

    upgrade: (res, req, context) => {
      const origin = req.getHeader('origin');
      const ip = Buffer.from(res.getRemoteAddressAsText()).toString();
      const refuse = (status: string, reason: string): void => {
        res.cork(() => res.writeStatus(status).writeHeader('content-type', 'text/plain').end(reason));
      };
      // Origin guards browsers against other sites opening sockets with their cookies or tokens;
      // native clients send none and are let through.
      if (origin !== '' && limits.allowedOrigins.length > 0 && !limits.allowedOrigins.includes(origin)) return refuse('403 Forbidden', 'origin not allowed');
      if ((perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp) return refuse('429 Too Many Requests', 'too many connections from this address');
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const authorization = req.getHeader('authorization');
      // The auth scheme is case-insensitive (RFC 9110 11.1); browsers cannot set headers, hence ?token=.
      const token = /^bearer /i.test(authorization) ? authorization.slice(7) : req.getQuery('token') ?? '';
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      // A token of a revoked session is refused like an invalid one.
      deps.verify(token).then(async (identity) => {
        if (await deps.sessions.isRevoked(identity)) throw new Error('this session has been revoked; log in again');
        return identity;
      }).then(
        (identity) => {
          if (aborted) return;
          if ((perUser.get(identity.userId) ?? 0) >= limits.maxConnectionsPerUser) return refuse('429 Too Many Requests', 'too many connections for this user');
          const data: SocketData = {
            userId: identity.userId,
            ip,
            sessionId: identity.sessionId,
            issuedAt: identity.issuedAt,
            connectionId: ++connections,
            expiresAt: identity.expiresAt,
            guilds: new Map(),
            typedAt: new Map(),
            pending: new Map(),
            tokens: limits.commandBurst,
            refilledAt: Date.now(),
            closed: false,
          };
          res.cork(() => res.upgrade(data, key, protocol, extensions, context));
        },
        (error: Error) => {
          if (aborted) return;
          refuse('401 Unauthorized', error.message);
        },
      );
    },

    open: (ws) => {
      sockets.add(ws);
      const data = ws.getUserData();
      count(perUser, data.userId, 1);
      count(perIp, data.ip, 1);
      armExpiry(ws);
      ws.send(JSON.stringify({ op: 'hello', v: PROTOCOL_VERSION, node: deps.nodeId, userId: data.userId }));
      void sendReady(ws).catch((error) => {
        logger.error({ err: error, userId: data.userId }, 'ready failed');
        // Without a snapshot the session is useless; say so rather than leave the client waiting.
        if (!data.closed) ws.end(CLOSE.unavailable.code, CLOSE.unavailable.reason);
      });
    },

    message: (ws, message, isBinary) => {
      const data = ws.getUserData();
      if (message.byteLength > limits.maxFrameBytes) {
        ws.end(CLOSE.frameTooLarge.code, `${CLOSE.frameTooLarge.reason}: at most ${limits.maxFrameBytes} bytes`);
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
        const frame = parseClientFrame(text);
        switch (frame.op) {
          case 'ping':
            ws.send('{"op":"pong"}');
            return;
          case 'subscribe':
            // Each subscribe costs a database query: unlimited, a flood would queue everyone's READY behind it.
            if (!takeToken(data)) throw new FrameError('rate.limited', `at most ${limits.commandsPerSecond} commands and subscriptions per second`);
            void subscribe(ws, frame.guildId);
            return;
          case 'presence':
            if (!takeToken(data)) throw new FrameError('rate.limited', `at most ${limits.commandsPerSecond} commands, subscriptions and presence changes per second`);
            void deps.presence.set(ws, frame.status);
            return;
          case 'typing':
            void typing(ws, frame.guildId, frame.channelId);
            return;
          case 'command':
            if (!takeToken(data)) throw new FrameError('rate.limited', `at most ${limits.commandsPerSecond} commands and subscriptions per second`, frame.id);
            commands.submit(ws, frame.id, frame.type, frame.data);
            return;
        }
      } catch (error) {
        if (error instanceof FrameError) ws.send(errorFrame(error.code, error.message, error.id));
        else throw error;
      }
    },

    close: (ws) => {
      sockets.delete(ws);
      const data = ws.getUserData();
      count(perUser, data.userId, -1);
      count(perIp, data.ip, -1);
      data.closed = true;
      clearTimeout(data.expiryTimer);
      for (const [commandId, listener] of data.pending) deps.relay.forget(data.userId, commandId, listener);
      feed.close(data.userId);
      const guildIds = [...data.guilds.keys()];
      void deps.presence.drop(ws, data.userId, guildIds);
      for (const guildId of guildIds) hub.leave(ws, guildId);
    },
  });

  /**
   * Closes the socket when its token expires. setTimeout fires at once for a
   * delay past 2^31-1 ms (~24.8 days), so a long-lived token waits in steps.
   */
  function armExpiry(ws: Socket): void {
    const data = ws.getUserData();
    data.expiryTimer = setTimeout(() => {
      if (data.closed) return;
      if (Date.now() < data.expiresAt) armExpiry(ws);
      else ws.end(CLOSE.tokenExpired.code, CLOSE.tokenExpired.reason);
    }, Math.min(Math.max(0, data.expiresAt - Date.now()), MAX_TIMER_MS));
  }

  function takeToken(data: SocketData): boolean {
    const now = Date.now();
    data.tokens = Math.min(limits.commandBurst, data.tokens + ((now - data.refilledAt) / 1000) * limits.commandsPerSecond);
    data.refilledAt = now;
    if (data.tokens < 1) return false;
    data.tokens -= 1;
    return true;
  }

  async function sendReady(ws: Socket): Promise<void> {
    const data = ws.getUserData();
    await feed.open(data.userId);
    if (data.closed) return;
    ws.subscribe(userTopic(data.userId));
    const ready = await snapshot(deps.orm.em.fork(), PROJECTIONS.guilds, (em) => guildsOfUser(em, data.userId));
    const watched = await Promise.all(ready.data.map((guild) => hub.join(ws, guild.id)));
    if (data.closed) return;
    // Presence is best effort: without its bucket the session still works.
    await deps.presence.set(ws, 'online');
    const online = await deps.presence.snapshot().catch((error: unknown) => {
      logger.warn({ err: error }, 'presence snapshot failed');
      return new Map<string, string>();
    });
    const presence: Record<string, string> = {};
    for (const guildId of data.guilds.keys()) {
      for (const userId of await hub.members(guildId)) {
        const status = online.get(userId);
        if (status) presence[userId] = status;
      }
    }
    if (data.closed) return;
    const guilds = ready.data
      .filter((_, i) => watched[i])
      .map(({ id, name, ownerId, memberCount }) => ({ id, name, ownerId, memberCount, channels: [...(data.guilds.get(id) ?? [])] }));
    ws.cork(() => ws.send(JSON.stringify({ op: 'ready', cursor: ready.cursor, guilds, presence })));
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

  async function subscribe(ws: Socket, guildId: string): Promise<void> {
    const data = ws.getUserData();
    try {
      if (!(await hub.join(ws, guildId))) {
        if (!data.closed) ws.send(errorFrame('subscribe.forbidden', `you are not a member of guild ${guildId}`));
        return;
      }
      if (!data.closed) ws.send(JSON.stringify({ op: 'subscribed', guildId, channels: [...(data.guilds.get(guildId) ?? [])] }));
    } catch (error) {
      logger.error({ err: error, guildId }, 'subscribe failed');
      if (!data.closed) ws.send(errorFrame('internal.error', `subscribe to guild ${guildId} failed; retry`));
    }
  }

  function closeAll(code: number, reason: string): void {
    draining = true;
    for (const ws of [...sockets]) ws.end(code, reason);
  }

  return { app, hub, closeAll };
}
