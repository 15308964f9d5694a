import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, createVerifier, type AuthConfig, type Logger } from '@parley/platform';
import { createOrm } from '@parley/read-model';
import { bearerToken, HttpError, sendJson } from './http.ts';
import { matchRoute } from './routes.ts';

export type ApiConfig = { databaseUrl: string; host: string; port: number; auth: AuthConfig };
export type ApiApp = { port: number; stop(): Promise<void> };

/** The HTTP query API: GET only, bearer JWT, JSON answers with the cursor they reflect. */
export async function startApi(config: ApiConfig, logger: Logger): Promise<ApiApp> {
  const orm = await createOrm(config.databaseUrl);
  const verify = await createVerifier(config.auth);
  const server: Server = createServer((req, res) => {
    const started = Date.now();
    void (async () => {
      try {
        // A request target the URL parser cannot read (`//[`) is the client's fault: 400, not 500.
        const url = URL.canParse(req.url ?? '/', 'http://localhost') ? new URL(req.url ?? '/', 'http://localhost') : null;
        if (!url) throw new HttpError(400, 'path.invalid', 'malformed request target');
        if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
        let matched;
        try {
          matched = matchRoute(url.pathname);
        } catch (error) {
          if (error instanceof URIError) throw new HttpError(400, 'path.invalid', 'malformed path encoding');
          throw error;
        }
        if (!matched) throw new HttpError(404, 'route.not_found', `no route ${url.pathname}`);
        if (req.method !== 'GET') throw new HttpError(405, 'method.not_allowed', 'only GET is supported');
        const { userId } = await verify(bearerToken(req));
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
      await orm.close();
    },
  };
}
