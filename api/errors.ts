import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DocstreamError, type ErrorKind } from '../infra/errors.ts';

/** The one table from what went wrong to HTTP. */
export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media': 415,
  'too-many': 429,
  unavailable: 503,
  timeout: 504,
};

/** Framework errors that are the client's fault, under our own stable codes. */
const FRAMEWORK_CODES: Record<string, { status: number; code: string }> = {
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'FILE_TOO_LARGE' },
  FST_FILES_LIMIT: { status: 400, code: 'TOO_MANY_FILES' },
  FST_FIELDS_LIMIT: { status: 400, code: 'TOO_MANY_FIELDS' },
  FST_PARTS_LIMIT: { status: 400, code: 'TOO_MANY_PARTS' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'MULTIPART_REQUIRED' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_CONTENT_TYPE' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE' },
};

export const ErrorBody = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

/** An error as the API answers it: status, stable code, message (and validation details). */
export function toHttp(error: FastifyError | DocstreamError) {
  if (error instanceof DocstreamError) {
    return { status: HTTP_STATUS[error.kind], code: error.code, message: error.message };
  }
  if (error.validation) {
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: error.message,
      details: error.validation.map((v) => ({ path: v.instancePath, message: v.message })),
    };
  }
  // A multipart body that ends before its closing boundary (busboy's words).
  if (/^Unexpected end of (form|multipart data)$/.test(error.message)) {
    return {
      status: 400,
      code: 'MULTIPART_TRUNCATED',
      message: 'the multipart body was cut short',
    };
  }
  const known = error.code ? FRAMEWORK_CODES[error.code] : undefined;
  if (known) return { ...known, message: error.message };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, code: error.code ?? 'BAD_REQUEST', message: error.message };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
}

export const errorHandler = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError | DocstreamError, request, reply) => {
    const { status, ...body } = toHttp(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.code }, 'request rejected');
    reply.status(status).send(body);
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.status(404).send({ code: 'ROUTE_NOT_FOUND', message: 'no such route' });
  });
});
