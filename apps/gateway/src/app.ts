import { Codec } from '@parley/contracts';
import { EventLog } from '@parley/event-store';
import { connectNats, createVerifier, names as namesOf, PRESENCE_TTL_MS, provision, SessionStore, UploadStore, type AuthConfig, type Logger } from '@parley/platform';
import { Kvm } from '@nats-io/kv';
import { createOrm } from '@parley/read-model';
import uWS from 'uWebSockets.js';
import { CommandRelay } from '@parley/event-store';
import { Presence } from './presence.ts';
import { createServer, type ServerLimits } from './server.ts';

export type GatewayConfig = {
  natsUrl: string;
  databaseUrl: string;
  namespace: string;
  host: string;
  port: number;
  nodeId: string;
  auth: AuthConfig;
  limits: ServerLimits;
  /** On stop, clients are asked to move at random moments within this window (reconnect storms spread out). */
  drainMs: number;
};

export type GatewayApp = { port: number; nodeId: string; stop(): Promise<void> };

export const DEFAULT_LIMITS: ServerLimits = {
  maxConnectionsPerUser: 10,
  maxConnectionsPerIp: 500,
  allowedOrigins: [],
  maxFrameBytes: 64 * 1024,
  maxBackpressureBytes: 1024 * 1024,
  commandsPerSecond: 20,
  commandBurst: 50,
  framesPerSecond: 50,
  frameBurst: 100,
  maxDroppedFrames: 1000,
  heartbeatMs: 30_000,
  identifyTimeoutMs: 10_000,
  maxReplayEvents: 100_000,
};

/** uWS silently falls back to a slow JS imitation when its binary does not load; Parley refuses to run on it. */
export function assertNativeUws(): void {
  if (!uWS.App.toString().includes('[native code]')) {
    throw new Error('uWebSockets.js native binary did not load (Node 20 on glibc >= 2.36 is required); refusing to start');
  }
}

export async function startGateway(config: GatewayConfig, logger: Logger): Promise<GatewayApp> {
  assertNativeUws();
  const names = namesOf(config.namespace);
  const nc = await connectNats(config.natsUrl, `parley-gateway-${config.nodeId}`);
  await provision(nc, names);
  const orm = await createOrm(config.databaseUrl, { poolMax: 5 });
  const codec = new Codec();
  const log = logger.child({ node: config.nodeId });
  const relay = new CommandRelay(nc, names, codec, config.nodeId, log);
  await relay.start();
  const presence = new Presence(await new Kvm(nc).open(names.presenceBucket), nc, names, config.nodeId, log, PRESENCE_TTL_MS);
  await presence.start();
  const server = createServer({
    nodeId: config.nodeId,
    eventLog: await EventLog.open(nc, names.eventStream),
    names,
    codec,
    verify: await createVerifier(config.auth),
    orm,
    nc,
    relay,
    presence,
    sessions: await SessionStore.open(nc, names),
    uploads: await UploadStore.open(nc, names),
    logger: log,
    limits: config.limits,
  });
  const app = server.app;
  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen(config.host, config.port, (socket) => (socket ? resolve(socket) : reject(new Error(`cannot listen on ${config.host}:${config.port}`))));
  });
  const port = uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket);
  log.info({ port }, 'gateway listening');
  let stopping: Promise<void> | undefined;
  return {
    port,
    nodeId: config.nodeId,
    /** Drains: no new sockets, clients asked to move (within `drainMs`), then every connection closed. Idempotent. */
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
  async function stop(): Promise<void> {
    uWS.us_listen_socket_close(listenSocket);
    await server.drain(config.drainMs);
    await presence.stop();
    relay.stop();
    await nc.drain();
    await orm.close();
  }
}
