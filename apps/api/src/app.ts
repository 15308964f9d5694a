import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { Codec } from '@parley/contracts';
import { CommandRelay } from '@parley/event-store';
import { AuthError, connectNats, createVerifier, names as namesOf, provision, SessionStore, UploadStore, type AuthConfig, type Logger } from '@parley/platform';
import { createOrm } from '@parley/read-model';
import { Accounts, type Signing } from './accounts.ts';
import { bearerToken, HttpError, sendJson } from './http.ts';
import { matchRoute } from './routes.ts';
import { Uploads } from './uploads.ts';

export type ApiConfig = {
  natsUrl: string;
  databaseUrl: string;
  namespace: string;
  host: string;
  port: number;
  auth: AuthConfig;
  signing: Signing;
};
export type ApiApp = { port: number; stop(): Promise<void> };

/**
 * The HTTP API: read-only queries over the read models (bearer JWT, JSON
 * answers with the cursor they reflect), plus accounts and sessions.
 */
export async function startApi(config: ApiConfig, logger: Logger): Promise<ApiApp> {
  const orm = await createOrm(config.databaseUrl);
  const verify = await createVerifier(config.auth);
  const names = namesOf(config.namespace);
  const nc = await connectNats(config.natsUrl, 'parley-api');
  await provision(nc, names);
  const relay = new CommandRelay(nc, names, new Codec(), `api-${randomBytes(6).toString('hex')}`, logger);
  await relay.start();
  const sessions = await SessionStore.open(nc, names);
  const authenticate = async (req: IncomingMessage) => {
    const identity = await verify(bearerToken(req));
    if (await sessions.isRevoked(identity)) throw new AuthError('this session has been revoked; log in again');
    return identity;
  };
  const uploadStore = await UploadStore.open(nc, names);
  const accounts = new Accounts({ relay, credentials: await new Kvm(nc).open(names.credentialBucket), sessions, signing: config.signing, orm, authenticate, uploads: uploadStore });
  const uploads = new Uploads(uploadStore, authenticate);
  const server: Server = createServer((req, res) => {
    const started = Date.now();
    void (async () => {
      try {
        // A request target the URL parser cannot read (`//[`) is the client's fault: 400, not 500.
        const url = URL.canParse(req.url ?? '/', 'http://localhost') ? new URL(req.url ?? '/', 'http://localhost') : null;
        if (!url) throw new HttpError(400, 'path.invalid', 'malformed request target');
        if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
        const answer = await accounts.serve(req, url.pathname);
        if (answer) return answer.body === null ? void res.writeHead(answer.status).end() : sendJson(res, answer.status, answer.body);
        if (await uploads.serve(req, res, url.pathname)) return;
        let matched;
        try {
          matched = matchRoute(url.pathname);
        } catch (error) {
          if (error instanceof URIError) throw new HttpError(400, 'path.invalid', 'malformed path encoding');
          throw error;
        }
        if (!matched) throw new HttpError(404, 'route.not_found', `no route ${url.pathname}`);
        if (req.method !== 'GET') throw new HttpError(405, 'method.not_allowed', 'only GET is supported');
        const { userId } = await authenticate(req);
        const body = await matched.route.handle({ userId, params: url.searchParams, em: orm.em.fork() }, matched.segments);
        sendJson(res, 200, body);
      } catch (error) {
        if (error instanceof HttpError) sendJson(res, error.status, { error: { code: error.code, message: error.message } });
        else if (error instanceof AuthError) sendJson(res, 401, { error: { code: 'auth.invalid', message: error.message } });
        else {
          logger.error({ err: error, url: req.url }, 'request failed');
          sendJson(res, 500, { error: { code: 'internal.error', message: 'internal error' } });
        }
      } finally {
        logger.debug({ method: req.method, url: req.url, status: res.statusCode, ms: Date.now() - started }, 'request');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'api listening');
  return {
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      relay.stop();
      await nc.drain();
      await orm.close();
    },
  };
}
