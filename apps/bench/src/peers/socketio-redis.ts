import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { REDIS_URL } from './shared.ts';

/**
 * One node of the Socket.IO + Redis peer: what most Node chat backends run.
 * Usage: socketio-redis.ts <port> <prefix>. Prints `ready` once listening.
 *
 * Socket.IO 4 over its WebSocket transport only, nodes joined by
 * @socket.io/redis-adapter (Redis pub/sub). `join` (room) puts the socket in
 * room `r<room>` and acks. `msg` (room, body) stores the body the usual way,
 * one awaited `RPUSH <prefix>:chat:<room> body` per message, then emits
 * `msg` (body) to the room on every node, then acks: an acked message is
 * stored. Messages of one socket are stored and emitted in the order sent
 * (one Redis connection answers in order). A failed store disconnects the
 * sender, so its pending publishes fail rather than hang.
 * The target deletes the run's keys once every node has stopped.
 */

const [portArg, prefix] = process.argv.slice(2);
const port = Number(portArg);
if (!Number.isInteger(port) || !prefix) throw new Error('usage: socketio-redis.ts <port> <prefix>');

// The adapter's two connections, as its documentation sets them up, and one for the stored messages.
const pub = createClient({ url: REDIS_URL });
const sub = pub.duplicate();
const store = pub.duplicate();
for (const client of [pub, sub, store]) client.on('error', (error: Error) => console.error(`redis: ${error.message}`));
await Promise.all([pub.connect(), sub.connect(), store.connect()]);

const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  adapter: createAdapter(pub, sub, { key: `${prefix}:sio` }),
});

io.on('connection', (socket) => {
  socket.on('join', (room: number, ack?: () => void) => {
    void socket.join(`r${room}`);
    ack?.();
  });
  socket.on('msg', async (room: number, body: string, ack?: () => void) => {
    try {
      await store.rPush(`${prefix}:chat:${room}`, body);
    } catch (error) {
      console.error(`store failed: ${(error as Error).message}`);
      socket.disconnect(true);
      return;
    }
    io.to(`r${room}`).emit('msg', body);
    ack?.();
  });
});

await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
console.log('ready');

process.once('SIGTERM', () => {
  // Closes every socket, the adapter's subscription and the HTTP server, then the Redis connections.
  void io
    .close()
    .then(() => Promise.all([pub.quit(), sub.quit(), store.quit()]))
    .then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`stop failed: ${error.message}`);
        process.exit(1);
      },
    );
});
