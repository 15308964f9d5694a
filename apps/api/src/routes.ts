import { isId } from '@parley/domain';
import type { EntityManager } from '@parley/read-model';
import { CHANNEL_ROUTES } from './channel.routes.ts';
import { GUILD_ROUTES } from './guild.routes.ts';
import { HttpError } from './http.ts';
import { INVITE_ROUTES } from './invite.routes.ts';

export type Query = { userId: string; params: URLSearchParams; em: EntityManager };
export type Route = { pattern: RegExp; handle(query: Query, ids: string[]): Promise<unknown> };

/**
 * Read-only queries over the read models. Every answer is
 * `{ cursor, data }`: the event log cursor the data reflects (promise 4).
 */
export const ROUTES: Route[] = [...GUILD_ROUTES, ...INVITE_ROUTES, ...CHANNEL_ROUTES];

export function matchRoute(path: string): { route: Route; ids: string[] } | null {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const ids = match.slice(1).map(decodeURIComponent);
    if (!ids.every(isId)) throw new HttpError(400, 'path.invalid_id', 'ids in the path must match [A-Za-z0-9_-]{1,64}');
    return { route, ids };
  }
  return null;
}
