import type { OutcomeListener } from '@parley/event-store';
import type uWS from 'uWebSockets.js';
import type { Serial, TokenBucket } from './limits.ts';

/** What the gateway keeps per socket. Identity fields are set from a verified token only. */
export type SocketData = {
  /** Empty until the socket identifies (with the upgrade's token or one in `identify`/`resume`). */
  userId: string;
  identified: boolean;
  /** The token given at the upgrade, if any, waiting for `identify`/`resume`. */
  upgradeToken: string | null;
  /** From the token: its session (`sid`, null for development tokens), when it was issued, when it expires. */
  sessionId: string | null;
  issuedAt: number;
  expiresAt: number;
  /** The gateway session this socket started or resumed: `<userId>.<id>`. */
  session: string;
  /** The remote address, for the per-address connection limit. */
  ip: string;
  /** Watched guilds and, for each, the channels the user may see there. */
  guilds: Map<string, Set<string>>;
  /** Whether this socket is on its user's stream (and holds a reference to it). */
  onUserFeed: boolean;
  /** Commands in flight from this socket, with the listener their outcome will reach. */
  pending: Map<string, OutcomeListener>;
  /** When this socket last signalled typing, per `<guildId>/<channelId>`. */
  typedAt: Map<string, number>;
  /** Every frame, and separately commands, subscriptions, replays and presence changes. */
  frames: TokenBucket;
  actions: TokenBucket;
  /** The user's bucket for commands across their sockets on this node. */
  userActions?: TokenBucket;
  /** Frames dropped over the rate limit since `droppedSince`, and when the last rate-limit error went out. */
  dropped: number;
  droppedSince: number;
  limitErrorAt: number;
  /** This socket's channel replays, answered one after another. */
  replays: Serial;
  /** Replays waiting for the socket to drain. */
  drains: (() => void)[];
  timer?: NodeJS.Timeout;
  closed: boolean;
};
export type Socket = uWS.WebSocket<SocketData>;
