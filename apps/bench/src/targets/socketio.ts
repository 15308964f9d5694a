import { createClient } from 'redis';
import { PeerSocket, PeerTarget, publisherOn, REDIS_URL, type PeerOptions } from '../peers/shared.ts';
import type { Connection, Publisher, Target } from './target.ts';

/**
 * Socket.IO 4 + @socket.io/redis-adapter on two nodes, storing each message
 * with an RPUSH before it is emitted (src/peers/socketio-redis.ts).
 * Options: nodes on `basePort`, `basePort + 1`; `prefix` namespaces the
 * run's Redis keys and adapter channels, and its keys are deleted on stop.
 *
 * The client speaks Socket.IO over a raw `ws` socket (no socket.io-client):
 * Engine.IO v4 packets, one per WebSocket frame: `0{...}` open, `2` ping
 * answered with `3`; Socket.IO packets: `40` connects the default namespace
 * (answered `40{...}`), `42<id>[...]` an event with an ack id, `43<id>[...]`
 * its ack, `42["msg",body]` a delivered message. Bodies travel as JSON
 * strings, so any body (quotes included) round-trips exactly.
 */

const NODES = 2;
/** The namespace connect's ack key; requests use ids 0, 1, 2, ... */
const CONNECT = -1;

export class SocketIoTarget extends PeerTarget implements Target {
  readonly name = 'socketio-redis';
  readonly durable = true;

  constructor(private readonly options: PeerOptions) {
    super('apps/bench/src/peers/socketio-redis.ts', options.basePort, NODES, [options.prefix]);
  }

  async subscribe(room: number, user: number, onBody: (body: string) => void): Promise<Connection> {
    const socket = await this.connect(user, onBody);
    await socket.request((id) => `42${id}${JSON.stringify(['join', room])}`);
    return socket;
  }

  async publisher(user: number): Promise<Publisher> {
    const socket = await this.connect(user, () => {});
    return publisherOn(socket, (id, room, body) => `42${id}${JSON.stringify(['msg', room, body])}`);
  }

  /** Stops both nodes, then (no writer left) deletes the run's keys: SCAN by prefix, DEL. */
  override async stop(): Promise<void> {
    await super.stop();
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      const keys: string[] = [];
      for await (const key of redis.scanIterator({ MATCH: `${this.options.prefix}:*`, COUNT: 1000 })) keys.push(key);
      for (let i = 0; i < keys.length; i += 1000) await redis.del(keys.slice(i, i + 1000));
    } finally {
      await redis.quit();
    }
  }

  /** Opens a Socket.IO connection to the user's node and resolves once the default namespace is connected. */
  private async connect(user: number, onMsg: (body: string) => void): Promise<PeerSocket> {
    const socket: PeerSocket = new PeerSocket(this.nodes.url(user, '/socket.io/?EIO=4&transport=websocket'), (text) => {
      // Most frequent first: delivered messages, then acks.
      if (text.startsWith('42[')) onMsg((JSON.parse(text.slice(2)) as [string, string])[1]);
      else if (text.startsWith('43')) socket.ack(parseInt(text.slice(2), 10));
      else if (text === '2') socket.send('3');
      else if (text.startsWith('0')) socket.send('40');
      else if (text.startsWith('40')) socket.ack(CONNECT);
      // Anything else (`44` refused, `41` or `1` disconnected) ends the connection, failing what waits on it.
      else void socket.close();
    });
    await socket.opened;
    // `40{...}` answers the `40` sent on the open packet, a round trip away: this wait is registered first.
    await socket.awaitAck(CONNECT);
    return socket;
  }
}
