/**
 * What went wrong, as data: `kind` says how a caller should read it (mapped to HTTP in one
 * table in api/errors.ts), `code` is the stable name clients act on.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unsupported-media'
  | 'too-many'
  | 'unavailable'
  | 'timeout';

export class DocstreamError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DocstreamError';
  }
}

export const invalid = (code: string, message: string) =>
  new DocstreamError('invalid', code, message);
export const notFound = (code: string, message: string) =>
  new DocstreamError('not-found', code, message);
export const unauthenticated = (code: string, message: string) =>
  new DocstreamError('unauthenticated', code, message);
export const forbidden = (code: string, message: string) =>
  new DocstreamError('forbidden', code, message);

/** Programmer errors and failures marked permanent are never retried; anything else may pass. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) {
    return false;
  }
  const flag = (error as { retriable?: unknown } | null)?.retriable;
  return typeof flag === 'boolean' ? flag : true;
}
