import { invalid } from './errors.ts';

/**
 * Every id that can reach a NATS subject, a KV key or a SQL parameter matches
 * this pattern. Subjects are built only from ids that passed it, so a client
 * can never smuggle `*`, `>`, `.`, spaces or CR/LF into a subject.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const isId = (value: unknown): value is string =>
  typeof value === 'string' && ID_PATTERN.test(value);

export function assertId(value: unknown, field: string): string {
  if (!isId(value)) {
    throw invalid('input.invalid_id', `${field} must match ${ID_PATTERN.source}`);
  }
  return value;
}

/** Client-chosen command ids: long enough to be unique per user, safe in subjects and KV keys. */
export const COMMAND_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export const isCommandId = (value: unknown): value is string =>
  typeof value === 'string' && COMMAND_ID_PATTERN.test(value);
