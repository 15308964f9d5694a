import type { IncomingMessage, ServerResponse } from 'node:http';
import { isId } from '@parley/domain';

/** An HTTP failure with a machine-readable code, rendered as `{ error: { code, message } }`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store' });
  res.end(payload);
}

export function bearerToken(req: IncomingMessage): string {
  const header = req.headers.authorization ?? '';
  // The auth scheme is case-insensitive (RFC 9110 11.1): `bearer x` is a bearer token too.
  if (!/^bearer /i.test(header)) throw new HttpError(401, 'auth.missing', 'send Authorization: Bearer <token>');
  return header.slice(7);
}

/** Reads an optional non-negative integer query parameter (a cursor). */
export function cursorParam(params: URLSearchParams, name: string): number | null {
  const raw = params.get(name);
  if (raw === null) return null;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, 'query.invalid_cursor', `${name} must be a non-negative integer cursor`);
  return Number(raw);
}

export function limitParam(params: URLSearchParams, fallback: number, max: number): number {
  const raw = params.get('limit');
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d{1,4}$/.test(raw) || value < 1 || value > max) throw new HttpError(400, 'query.invalid_limit', `limit must be an integer from 1 to ${max}`);
  return value;
}

/** A page of users by id: `after` (a user id) and `limit`. */
export function userPage(params: URLSearchParams): { after: string | null; limit: number } {
  const after = params.get('after');
  if (after !== null && !isId(after)) throw new HttpError(400, 'query.invalid_after', 'after must be a user id');
  return { after, limit: limitParam(params, 100, 1000) };
}
