import type { IncomingMessage } from 'node:http';
import { HttpError } from './http.ts';

/** Reads a JSON body of at most `limit` bytes; a wrong type, an oversize or unparsable body is the client's 4xx. */
export async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type)) throw new HttpError(415, 'body.not_json', 'send Content-Type: application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'body.too_large', `the body may be at most ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body.invalid_json', 'the body is not valid JSON');
  }
}
