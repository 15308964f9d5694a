import type { Codec, CommandOutcome } from '@parley/contracts';
import { DomainError, parseCommand, type ParleyCommand } from '@parley/domain';
import { guildFold, StreamStates, type EventLog } from '@parley/event-store';
import type { Logger, Names, NatsConnection, SessionStore, TokenVerifier, UploadStore } from '@parley/platform';
import { guildsOfUser, snapshot, PROJECTIONS, type MikroORM } from '@parley/read-model';
import uWS from 'uWebSockets.js';
import type { CommandRelay, OutcomeListener } from '@parley/event-store';
import { LiveHub } from './live-hub.ts';
import { UserFeed, userTopic } from './user-feed.ts';
import type { Presence } from './presence.ts';
import { CLOSE, errorFrame, eventPayload, FrameError, parseClientFrame, PROTOCOL_VERSION } from './protocol.ts';

export type SocketData = {
  userId: string;
  /** From the token: its session (`sid`, null for development tokens) and when it was issued. */
  sessionId: string | null;
  issuedAt: number;
  connectionId: number;
  expiresAt: number;
  /** Watched guilds and, for each, the channels the user may see there. */
  guilds: Map<string, Set<string>>;
  /** Commands in flight from this socket, with the listener their outcome will reach. */
  pending: Map<string, OutcomeListener>;
  /** When this socket last signalled typing, per `<guildId>/<channelId>`. */
  typedAt: Map<string, number>;
  /** Token bucket for commands and subscribes. */
  tokens: number;
  refilledAt: number;
  expiryTimer?: NodeJS.Timeout;
  closed: boolean;
};
export type Socket = uWS.WebSocket<SocketData>;

export type ServerLimits = {
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

/** Events that put the acting user into a guild: the gateway starts watching it for them. */
const JOINING_EVENTS = new Set(['GuildCreated', 'MemberJoined']);

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
  const sockets = new Set<Socket>();
  let connections = 0;

  app.get('/health', (res) => {
    res.writeHeader('content-type', 'application/json').end(JSON.stringify({ status: 'ok', node: deps.nodeId }));
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
          const data: SocketData = {
            userId: identity.userId,
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
          res.cork(() => res.writeStatus('401 Unauthorized').writeHeader('content-type', 'text/plain').end(error.message));
        },
      );
    },

    open: (ws) => {
      sockets.add(ws);
      const data = ws.getUserData();
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
            void checkUploads(ws, frame.id, parseCommandFrame(frame.type, frame.data, frame.id));
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

  function parseCommandFrame(type: string, payload: unknown, id: string): ParleyCommand {
    try {
      return parseCommand(type, payload);
    } catch (error) {
      if (error instanceof DomainError) throw new FrameError(error.code, error.message, id);
      throw error;
    }
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

  /**
   * Uploads a command names must be the sender's own (a guild icon an image
   * too); anything else is refused here, before the log. A command naming no
   * upload goes straight on; one naming uploads waits for its lookups, so a
   * later command from the same socket may reach the log first.
   */
  async function checkUploads(ws: Socket, commandId: string, command: ParleyCommand): Promise<void> {
    const data = ws.getUserData();
    const icon = command.type === 'UpdateGuild' ? command.data.iconId?.to : null;
    const attachments = command.type === 'PostMessage' ? command.data.attachments : [];
    if (icon || attachments.length > 0) {
      const owned = async (id: string) => (await deps.uploads.info(id))?.ownerId === data.userId;
      let usable: boolean[];
      try {
        usable = await Promise.all([icon ? deps.uploads.isOwnImage(icon, data.userId) : true, ...attachments.map(owned)]);
      } catch (error) {
        logger.warn({ err: error, commandId }, 'upload lookup failed');
        if (!data.closed) ws.send(errorFrame('upload.unavailable', 'uploads cannot be checked right now; retry with the same id', commandId));
        return;
      }
      if (!usable.every(Boolean)) {
        if (!data.closed) ws.send(errorFrame('upload.not_usable', 'iconId and attachments must name uploads of yours (an icon, an image)', commandId));
        return;
      }
    }
    if (!data.closed) sendCommand(ws, commandId, command);
  }

  function sendCommand(ws: Socket, commandId: string, command: ParleyCommand): void {
    const data = ws.getUserData();
    // Already in flight from this socket: its one outcome answers both frames (same id).
    if (data.pending.has(commandId)) return;
    // A failure here must not become an unhandled rejection (it would end the process and every socket on it).
    const onOutcome = (outcome: CommandOutcome) =>
      void relayOutcome(ws, outcome).catch((error: Error) => {
        logger.error({ err: error, commandId, userId: data.userId }, 'outcome not relayed');
        if (!data.closed) ws.send(errorFrame('internal.error', 'the outcome could not be delivered; retry with the same id', commandId));
      });
    data.pending.set(commandId, onOutcome);
    deps.relay.send(data.userId, commandId, command, onOutcome).catch((error: Error) => {
      data.pending.delete(commandId);
      deps.relay.forget(data.userId, commandId, onOutcome);
      logger.error({ err: error, commandId, userId: data.userId }, 'command publish failed');
      if (!data.closed) ws.send(errorFrame('command.unavailable', 'the command log is unavailable; retry with the same id', commandId));
    });
  }

  async function relayOutcome(ws: Socket, outcome: CommandOutcome): Promise<void> {
    const data = ws.getUserData();
    data.pending.delete(outcome.commandId);
    if (data.closed) return;
    if (outcome.status === 'rejected') {
      const { commandId: id, status, statusCode, code, message } = outcome;
      ws.send(JSON.stringify({ op: 'outcome', id, status, statusCode, code, message }));
      return;
    }
    const decoded = deps.codec.decodeEvent(outcome.event);
    // Watch a guild the user just entered before telling them, so no event after the outcome is missed.
    if (JOINING_EVENTS.has(decoded.event.type) && 'guildId' in decoded.event.data) await hub.join(ws, decoded.event.data.guildId, outcome.seq);
    if (data.closed) return;
    const event = eventPayload(outcome.seq, decoded);
    ws.send(JSON.stringify({ op: 'outcome', id: outcome.commandId, status: 'accepted', cursor: outcome.seq, event }));
  }

  function closeAll(code: number, reason: string): void {
    for (const ws of [...sockets]) ws.end(code, reason);
  }

  return { app, hub, closeAll };
}
