import { PeerSocket, PeerTarget, publisherOn, type PeerOptions } from '../peers/shared.ts';
import type { Connection, Publisher, Target } from './target.ts';

/**
 * A plain `ws` hub in one process, nothing stored: the cost of fan-out over
 * JSON frames with no broker between nodes (src/peers/ws-hub.ts).
 * Options: the hub listens on `basePort`; `prefix` is unused (nothing is
 * shared between runs). Bodies travel as JSON strings, so any body
 * round-trips exactly.
 */

type ServerFrame = { op: 'ack'; id: number } | { op: 'msg'; room: number; body: string };

export class WsHubTarget extends PeerTarget implements Target {
  readonly name = 'ws-hub';
  readonly durable = false;

  constructor(options: PeerOptions) {
    super('apps/bench/src/peers/ws-hub.ts', options.basePort, 1, []);
  }

  async subscribe(room: number, user: number, onBody: (body: string) => void): Promise<Connection> {
    const socket = await this.connect(user, onBody);
    await socket.request((id) => JSON.stringify({ op: 'join', room, id }));
    return socket;
  }

  async publisher(user: number): Promise<Publisher> {
    const socket = await this.connect(user, () => {});
    return publisherOn(socket, (id, room, body) => JSON.stringify({ op: 'msg', room, body, id }));
  }

  private async connect(user: number, onBody: (body: string) => void): Promise<PeerSocket> {
    const socket: PeerSocket = new PeerSocket(this.nodes.url(user, '/'), (text) => {
      const frame = JSON.parse(text) as ServerFrame;
      if (frame.op === 'msg') onBody(frame.body);
      else socket.ack(frame.id);
    });
    await socket.opened;
    return socket;
  }
}
