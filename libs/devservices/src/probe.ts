import { createConnection, createServer } from 'node:net';

/**
 * Network helpers shared by the NATS and Postgres code. Probes use short
 * timeouts because they run on every `npm start` and test run: a server that
 * takes longer than that to accept a loopback connection is not usable anyway.
 */

export type HostPort = { host: string; port: number };

/** Resolves true when something accepts a TCP connection, false when refused or silent. */
export function tcpOpen({ host, port }: HostPort, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Connects and returns the first line the server sends, without sending
 * anything: NATS greets with `INFO {...}`, and not writing keeps the probe
 * harmless to whatever else might listen on the port.
 */
export function readFirstLine({ host, port }: HostPort, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let buffer = '';
    const finish = (error: Error | null, line?: string) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(line ?? '');
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`${host}:${port} accepted a connection but sent no line within ${timeoutMs} ms`)),
    );
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\r\n');
      // A NATS INFO line is a few hundred bytes; cap what a chatty non-NATS server can make us buffer.
      if (end >= 0) finish(null, buffer.slice(0, end));
      else if (buffer.length > 64 * 1024) finish(null, buffer.slice(0, 200));
    });
    socket.once('error', (error) => finish(error));
    socket.once('end', () => finish(null, buffer));
  });
}

/**
 * A port the kernel just handed out. There is a window between closing this
 * listener and the server binding the port; callers that spawn a server treat
 * an early "address in use" exit as a reason to retry with another port.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a listener on port 0'));
      });
    });
  });
}

/**
 * Polls `attempt` until it returns a value, `giveUp` returns a reason, or the
 * deadline passes. `giveUp` lets a caller stop early when the server process
 * it waits for has already exited, instead of waiting out the whole timeout.
 */
export async function waitFor<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; giveUp?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    const reason = options.giveUp?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${what}: no answer within ${options.timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
