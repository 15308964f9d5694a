import type { IncomingMessage } from 'node:http';
import { HttpError } from './http.ts';

/** The raw body, refused with `code` (413) past `limit` bytes, whether declared or streamed. */
export async function readBody(req: IncomingMessage, limit: number, code: string): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, code, `the body may be at most ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body of at most `limit` bytes; a wrong type, an oversize or unparsable body is the client's 4xx. */
export async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type)) throw new HttpError(415, 'body.not_json', 'send Content-Type: application/json');
  const body = await readBody(req, limit, 'body.too_large');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body.invalid_json', 'the body is not valid JSON');
  }
}
