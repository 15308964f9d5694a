import { Objm, type ObjectStore } from '@nats-io/obj';
import { newId } from './ids.ts';
import type { Names } from './names.ts';
import type { NatsConnection } from './nats.ts';

export type UploadKind = 'image' | 'file';
export type Upload = { id: string; ownerId: string; contentType: string; kind: UploadKind; size: number };

export class UploadError extends Error {
  override readonly name = 'UploadError';
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const UPLOAD_LIMITS = { image: 8 * 1024 * 1024, file: 25 * 1024 * 1024 } as const;

/** What the bytes are, from their first bytes: the declared type is never trusted on its own. */
export function sniff(bytes: Uint8Array): { contentType: string; kind: UploadKind } | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  const ascii = (at: number, text: string) => [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { contentType: 'image/png', kind: 'image' };
  if (starts(0xff, 0xd8, 0xff)) return { contentType: 'image/jpeg', kind: 'image' };
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return { contentType: 'image/gif', kind: 'image' };
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return { contentType: 'image/webp', kind: 'image' };
  if (ascii(0, '%PDF-')) return { contentType: 'application/pdf', kind: 'file' };
  if (bytes.length > 0 && !bytes.includes(0)) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      return { contentType: 'text/plain; charset=utf-8', kind: 'file' };
    } catch {
      return null;
    }
  }
  return null;
}

const sameType = (declared: string, sniffed: string) => declared.split(';')[0]!.trim().toLowerCase() === sniffed.split(';')[0]!.trim();

/**
 * Avatars, guild icons and attachments in the NATS object store (no extra
 * server). The server names every object (a fresh id), records its owner,
 * and keeps only what its first bytes say it is: a declared type that
 * disagrees is refused before anything is written. Objects are never
 * replaced; "replacing" an avatar points the profile at a new upload.
 */
export class UploadStore {
  private constructor(private readonly store: ObjectStore) {}

  static async open(nc: NatsConnection, names: Names): Promise<UploadStore> {
    return new UploadStore(await new Objm(nc).open(names.uploadBucket));
  }

  async put(ownerId: string, declaredType: string, bytes: Uint8Array): Promise<Upload> {
    const sniffed = sniff(bytes);
    if (!sniffed) throw new UploadError(415, 'upload.unsupported_type', 'only PNG, JPEG, GIF, WebP, PDF and UTF-8 text are accepted');
    if (!sameType(declaredType, sniffed.contentType)) {
      throw new UploadError(415, 'upload.type_mismatch', `declared ${declaredType.slice(0, 60)}, but the content is ${sniffed.contentType}`);
    }
    if (bytes.length > UPLOAD_LIMITS[sniffed.kind]) {
      throw new UploadError(413, 'upload.too_large', `a ${sniffed.kind} may be at most ${UPLOAD_LIMITS[sniffed.kind]} bytes`);
    }
    const upload: Upload = { id: newId(), ownerId, size: bytes.length, ...sniffed };
    await this.store.putBlob({ name: upload.id, description: JSON.stringify(upload) }, bytes);
    return upload;
  }

  async info(id: string): Promise<Upload | null> {
    const info = await this.store.info(id);
    return info && !info.deleted && info.description ? (JSON.parse(info.description) as Upload) : null;
  }

  async bytes(id: string): Promise<Uint8Array | null> {
    return this.store.getBlob(id);
  }

  /** Whether `uploadId` is an image owned by `userId` (what avatars and guild icons must be). */
  async isOwnImage(uploadId: string, userId: string): Promise<boolean> {
    const upload = await this.info(uploadId);
    return upload !== null && upload.ownerId === userId && upload.kind === 'image';
  }
}
