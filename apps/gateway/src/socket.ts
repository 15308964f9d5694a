import type { OutcomeListener } from '@parley/event-store';
import type uWS from 'uWebSockets.js';

/** What the gateway keeps per socket, from the verified token and the session's life. */
export type SocketData = {
  userId: string;
  /** From the token: its session (`sid`, null for development tokens) and when it was issued. */
  sessionId: string | null;
  issuedAt: number;
  /** The remote address, for the per-address connection limit. */
  ip: string;
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
