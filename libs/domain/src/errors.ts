/**
 * A rejection the client can act on. `code` is machine-readable and stable
 * (`<area>.<reason>`); `status` follows HTTP semantics so every edge maps it
 * the same way: 400 invalid input, 403 forbidden, 404 not found, 409 conflict.
 */
export type RejectionStatus = 400 | 403 | 404 | 409;

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly status: RejectionStatus,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (code: string, message: string) => new DomainError(400, code, message);
export const forbidden = (code: string, message: string) => new DomainError(403, code, message);
export const notFound = (code: string, message: string) => new DomainError(404, code, message);
export const conflict = (code: string, message: string) => new DomainError(409, code, message);
