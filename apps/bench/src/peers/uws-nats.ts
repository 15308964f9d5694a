import { connect } from '@nats-io/transport-node';
import uWS from 'uWebSockets.js';
import { NATS_URL } from './shared.ts';

/**
 * One node of the uWebSockets.js + core NATS peer, the ceiling: the least
 * work a multi-node fan-out can do, nothing stored, no frame parsed beyond
 * its header. Usage: uws-nats.ts <port> <prefix>. Prints `ready` once listening.
 *
 * Client frames are text: `<id> <room>` subscribes the socket to the room;
 * `<id> <room> <body>` publishes body on core NATS subject
 * `<prefix>.room.<room>`. Each is answered `<id>` once done (for a publish:
 * handed to the NATS connection, not flushed, fire and forget). Every node
 * subscribes `<prefix>.room.>` and writes each body, as it is, as one text
 * frame to its sockets in that room (uWS topic `r<room>`). A publisher's
 * bodies reach each subscriber in the order sent (one NATS connection each
 * way). A socket that falls 64 MB behind is closed, never silently skipped.
 */

const [portArg, prefix] = process.argv.slice(2);
const port = Number(portArg);
if (!Number.isInteger(port) || !prefix) throw new Error('usage: uws-nats.ts <port> <prefix>');

const SPACE = 0x20;
const ROOM = /^\d{1,9}$/;
const subjectHead = `${prefix}.room.`;

const nc = await connect({ servers: NATS_URL });
const app = uWS.App();
const sockets = new Set<uWS.WebSocket<unknown>>();

nc.subscribe(`${subjectHead}>`, {
  callback: (error, msg) => {
    if (error) return void console.error(`nats: ${error.message}`);
    app.publish(`r${msg.subject.slice(subjectHead.length)}`, msg.data, false);
  },
});

app.ws('/*', {
  maxBackpressure: 64 * 1024 * 1024,
  closeOnBackpressureLimit: 1,
  open: (ws) => void sockets.add(ws),
  close: (ws) => void sockets.delete(ws),
  message: (ws, message) => {
    // `message` is valid only during this call: what outlives it (the body NATS sends later) is copied.
    const bytes = new Uint8Array(message);
    const idEnd = bytes.indexOf(SPACE);
    const roomEnd = bytes.indexOf(SPACE, idEnd + 1);
    const room = Buffer.from(message, idEnd + 1, (roomEnd < 0 ? bytes.length : roomEnd) - idEnd - 1).toString('latin1');
    if (idEnd <= 0 || !ROOM.test(room)) return ws.end(1007, 'frames are "<id> <room>" or "<id> <room> <body>"');
    if (roomEnd < 0) ws.subscribe(`r${room}`);
    else nc.publish(subjectHead + room, new Uint8Array(message.slice(roomEnd + 1)));
    ws.send(bytes.subarray(0, idEnd), false);
  },
});

const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
  app.listen('127.0.0.1', port, (socket) => (socket ? resolve(socket) : reject(new Error(`cannot listen on ${port}`))));
});
console.log('ready');

process.once('SIGTERM', () => {
  uWS.us_listen_socket_close(listenSocket);
  for (const ws of [...sockets]) ws.end(1001, 'server stopping');
  void nc.drain().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`stop failed: ${error.message}`);
      process.exit(1);
    },
  );
});
