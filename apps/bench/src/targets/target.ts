/**
 * One system under test, as the load generator sees it. Every target speaks
 * its own wire protocol over the same `ws` client, so each costs the load
 * generator the same: the adapter only frames and unframes.
 *
 * A message body is an opaque string (about 150 bytes of JSON made by the
 * scenario); a target must deliver it unchanged to every subscriber of the
 * room it was published to.
 */
export interface Target {
  readonly name: string;
  /** Whether a published message is stored durably before it is delivered (Parley, Socket.IO + Redis). */
  readonly durable: boolean;
  /** Starts the system and prepares `rooms` rooms (Parley: a guild each, with an invite). */
  setup(rooms: number): Promise<void>;
  /** Opens user `user`'s connection (spread over the target's nodes by `user`), subscribed to `room`. */
  subscribe(room: number, user: number, onBody: (body: string) => void): Promise<Connection>;
  /**
   * Opens a publishing connection for user `user`, to publish to `rooms`
   * (Parley makes the user a member of them; a member also receives them).
   */
  publisher(user: number, rooms: number[]): Promise<Publisher>;
  /** The processes of the system under test, for CPU time from /proc. */
  pids(): number[];
  stop(): Promise<void>;
}

export interface Connection {
  close(): Promise<void>;
}

export interface Publisher extends Connection {
  /** Publishes `body` to `room`; resolves when the system acknowledged it (for a durable target: stored). */
  publish(room: number, body: string): Promise<void>;
}
