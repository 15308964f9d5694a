import type { IncomingMessage, ServerResponse } from 'node:http';
import { isId } from '@parley/domain';
import { UPLOAD_LIMITS, UploadError, type Identity, type UploadStore } from '@parley/platform';
import { readBody } from './body.ts';
import { HttpError, sendJson } from './http.ts';

const MAX_BODY = Math.max(UPLOAD_LIMITS.image, UPLOAD_LIMITS.file);

/**
 * `POST /v1/uploads` stores the request body (its declared Content-Type must
 * match what the bytes are) and answers its server-chosen id;
 * `GET /v1/uploads/:id` serves it. Ids are unguessable, so serving needs no
 * token: browsers load avatars with plain <img> tags.
 */
export class Uploads {
  constructor(
    private readonly store: UploadStore,
    private readonly authenticate: (req: IncomingMessage) => Promise<Identity>,
  ) {}

  /** Handles an upload path; false when the path is not one. */
  async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path === '/v1/uploads') {
      if (req.method !== 'POST') throw new HttpError(405, 'method.not_allowed', 'POST an upload');
      const { userId } = await this.authenticate(req);
      const declared = req.headers['content-type'];
      if (!declared) throw new HttpError(415, 'upload.no_type', 'send the Content-Type of the upload');
      const upload = await this.store.put(userId, declared, await readBytes(req)).catch((error: unknown) => {
        if (error instanceof UploadError) throw new HttpError(error.status, error.code, error.message);
        throw error;
      });
      sendJson(res, 201, upload);
      return true;
    }
    const match = /^\/v1\/uploads\/([^/]+)$/.exec(path);
    if (!match) return false;
    if (req.method !== 'GET') throw new HttpError(405, 'method.not_allowed', 'GET an upload');
    const id = match[1]!;
    const upload = isId(id) ? await this.store.info(id) : null;
    const bytes = upload ? await this.store.bytes(id) : null;
    if (!upload || !bytes) throw new HttpError(404, 'upload.not_found', 'no such upload');
    res.writeHead(200, {
      'content-type': upload.contentType,
      'content-length': bytes.length,
      'x-content-type-options': 'nosniff',
      'content-disposition': upload.kind === 'image' ? 'inline' : `attachment; filename="${upload.id}"`,
      'cache-control': 'public, max-age=31536000, immutable',
    });
    res.end(bytes);
    return true;
  }
}

async function readBytes(req: IncomingMessage): Promise<Uint8Array> {
  const body = await readBody(req, MAX_BODY, 'upload.too_large');
  if (body.length === 0) throw new HttpError(400, 'upload.empty', 'the upload is empty');
  return body;
}
