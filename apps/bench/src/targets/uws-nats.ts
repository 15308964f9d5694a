import { PeerSocket, PeerTarget, publisherOn, type PeerOptions } from '../peers/shared.ts';
import type { Connection, Publisher, Target } from './target.ts';

/**
 * The ceiling: two uWebSockets.js nodes joined by core NATS, nothing stored,
 * bodies relayed as they are (src/peers/uws-nats.ts).
 * Options: nodes on `basePort`, `basePort + 1`; `prefix` heads the run's
 * NATS subjects (`<prefix>.room.<room>`).
 *
 * Frames are text: `<id> <room>` joins, `<id> <room> <body>` publishes, the
 * server answers `<id>`. After its join ack a subscriber's connection
 * carries only bodies, one per frame, exactly as published.
 */

const NODES = 2;

export class UwsNatsTarget extends PeerTarget implements Target {
  readonly name = 'uws-nats';
  readonly durable = false;

  constructor(options: PeerOptions) {
    super('apps/bench/src/peers/uws-nats.ts', options.basePort, NODES, [options.prefix]);
  }

  async subscribe(room: number, user: number, onBody: (body: string) => void): Promise<Connection> {
    // The join ack is the first frame (the server acks right after subscribing the socket), bodies follow.
    let joined = false;
    const socket: PeerSocket = new PeerSocket(this.nodes.url(user, '/'), (text) => {
      if (joined) return onBody(text);
      joined = true;
      socket.ack(Number(text));
    });
    await socket.opened;
    await socket.request((id) => `${id} ${room}`);
    return socket;
  }

  async publisher(user: number): Promise<Publisher> {
    const socket: PeerSocket = new PeerSocket(this.nodes.url(user, '/'), (text) => socket.ack(Number(text)));
    await socket.opened;
    return publisherOn(socket, (id, room, body) => `${id} ${room} ${body}`);
  }
}
