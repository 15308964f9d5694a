import { isEmoji, isId, MESSAGE_LIMITS } from '@parley/domain';
import type { EntityManager } from '@parley/read-model';
import { CHANNEL_ROUTES } from './channel.routes.ts';
import { GUILD_ROUTES } from './guild.routes.ts';
import { HttpError } from './http.ts';
import { INVITE_ROUTES } from './invite.routes.ts';

export type Query = { userId: string; params: URLSearchParams; em: EntityManager };
/** What a path segment holds: a server-issued id, or an emoji (which may be any short run of visible characters). */
export type Segment = 'id' | 'emoji';
export type Route = {
  pattern: RegExp;
  /** What each captured segment is, in order; every segment is an id unless said otherwise. */
  segments?: readonly Segment[];
  /** `segments` are the captured path segments, percent-decoded and checked. */
  handle(query: Query, segments: string[]): Promise<unknown>;
};

/** Path segments are checked with the domain's own rules (ids, and emojis as AddReaction takes them). */
const CHECKS: Record<Segment, { valid: (value: string) => boolean; code: string; message: string }> = {
  id: { valid: isId, code: 'path.invalid_id', message: 'ids in the path must match [A-Za-z0-9_-]{1,64}' },
  emoji: { valid: isEmoji, code: 'path.invalid_emoji', message: `an emoji must be 1 to ${MESSAGE_LIMITS.emoji} visible characters, percent-encoded` },
};

/**
 * Read-only queries over the read models. Every answer is
 * `{ cursor, data }`: the event log cursor the data reflects (promise 4).
 */
export const ROUTES: Route[] = [...GUILD_ROUTES, ...INVITE_ROUTES, ...CHANNEL_ROUTES];

/** The route for a path, with its segments decoded and checked; throws URIError on bad percent-encoding. */
export function matchRoute(path: string): { route: Route; segments: string[] } | null {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const segments = match.slice(1).map(decodeURIComponent);
    segments.forEach((value, i) => {
      const check = CHECKS[route.segments?.[i] ?? 'id'];
      if (!check.valid(value)) throw new HttpError(400, check.code, check.message);
    });
    return { route, segments };
  }
  return null;
}
