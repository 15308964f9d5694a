import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The plain `ws` hub peer: one process, rooms in memory, nothing stored.
 * Usage: ws-hub.ts <port>. Prints `ready` once listening.
 *
 * Client frames are JSON text: `{"op":"join","room":n,"id":k}` adds the
 * socket to room n; `{"op":"msg","room":n,"body":"...","id":k}` sends
 * `{"op":"msg","room":n,"body":"..."}` to every socket in room n. Each is
 * answered `{"op":"ack","id":k}` once done (for a msg: handed to every
 * member's socket). A socket's messages reach each member in the order sent.
 * A frame that is not such JSON closes the socket (1007).
 */

type Frame = { op: 'join'; room: number; id: number } | { op: 'msg'; room: number; body: string; id: number };

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) throw new Error('usage: ws-hub.ts <port>');

const rooms = new Map<number, Set<WebSocket>>();
const wss = new WebSocketServer({ host: '127.0.0.1', port });

wss.on('connection', (ws) => {
  const joined = new Set<number>();
  ws.on('error', (error) => console.error(`socket: ${error.message}`));
  ws.on('close', () => {
    for (const room of joined) {
      const members = rooms.get(room)!;
      members.delete(ws);
      if (members.size === 0) rooms.delete(room);
    }
  });
  ws.on('message', (data) => {
    let frame: Frame;
    try {
      frame = JSON.parse((data as Buffer).toString()) as Frame;
    } catch {
      return ws.close(1007, 'frames are JSON');
    }
    if (frame.op === 'join') {
      let members = rooms.get(frame.room);
      if (!members) rooms.set(frame.room, (members = new Set()));
      members.add(ws);
      joined.add(frame.room);
    } else if (frame.op === 'msg') {
      // Encoded once, the same bytes written to every member (as ws's own broadcast example does).
      const out = Buffer.from(JSON.stringify({ op: 'msg', room: frame.room, body: frame.body }));
      for (const member of rooms.get(frame.room) ?? []) member.send(out, { binary: false });
    } else {
      return ws.close(1007, 'unknown op');
    }
    ws.send(`{"op":"ack","id":${Number(frame.id)}}`);
  });
});

await new Promise<void>((resolve) => wss.once('listening', resolve));
console.log('ready');

process.once('SIGTERM', () => {
  for (const ws of wss.clients) ws.close(1001, 'server stopping');
  wss.close(() => process.exit(0));
});
