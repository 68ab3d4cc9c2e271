import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, NotFound, type ErrorDetails } from '../lib/errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetails; request_id: string };
}

/** Renders an error as an HTML page for browsers; supplied by the web module. */
export type HtmlErrorRenderer = (
  request: FastifyRequest,
  reply: FastifyReply,
  error: { status: number; code: string; message: string },
) => string | undefined;

const codeForStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  411: 'LENGTH_REQUIRED',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  431: 'HEADERS_TOO_LARGE',
  503: 'UNAVAILABLE',
};

// Fastify's own errors, reworded for API clients.
const fastifyMessages: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'MALFORMED_JSON',
    message: 'The request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'MALFORMED_JSON',
    message: 'The request body is empty but Content-Type says JSON',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'This Content-Type is not accepted here; send application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    message: 'The request body is too large',
  },
  FST_ERR_BAD_URL: {
    code: 'BAD_REQUEST',
    message: 'The URL is not valid: a % must be followed by two hexadecimal digits of UTF-8',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    message: 'Content-Length does not match the body',
  },
};

interface Shaped {
  status: number;
  code: string;
  message: string;
  details?: ErrorDetails;
  headers?: Record<string, string>;
}

function shapeError(error: FastifyError | AppError | Error): Shaped {
  if (error instanceof AppError) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      ...(error.details !== undefined && { details: error.details }),
      headers: error.headers,
    };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const where = fastifyError.validationContext ?? 'body';
    const details = fastifyError.validation.map((issue) => {
      const missing = (issue.params as { missingProperty?: string } | undefined)?.missingProperty;
      const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const field = [path, missing].filter(Boolean).join('.') || where;
      return { field, in: where, message: issue.message ?? 'is invalid' };
    });
    const first = details[0];
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: first ? `${first.field}: ${first.message}` : 'The request is invalid',
      details,
    };
  }
  const known = fastifyError.code ? fastifyMessages[fastifyError.code] : undefined;
  const status = fastifyError.statusCode;
  if (known) return { status: status ?? 400, ...known };
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, code: codeForStatus[status] ?? 'BAD_REQUEST', message: error.message };
  }
  return {
    status: 500,
    code: 'INTERNAL',
    message: 'Something went wrong on our side; it has been logged',
  };
}

/** One place turns every error into the uniform body (or an HTML page for browsers). */
export function installErrorHandling(app: FastifyInstance, renderHtml?: HtmlErrorRenderer): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const shaped = shapeError(error);
    if (shaped.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: shaped.code, status: shaped.status }, shaped.message);
    sendError(request, reply, shaped, renderHtml);
  });
  app.setNotFoundHandler((request, reply) => {
    const notFound = new NotFound(request.url.startsWith('/api/') ? 'API route' : 'Page');
    sendError(request, reply, shapeError(notFound), renderHtml);
  });
}

/**
 * Fastify's `frameworkErrors`: what fails before a route is found (a URL that does not decode)
 * gets the uniform body too, not Fastify's own.
 */
export function sendFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const shaped = shapeError(error);
  request.log.info({ code: shaped.code, status: shaped.status }, shaped.message);
  // No onRequest hook runs for it, the one that names the request included.
  reply.header('x-request-id', request.id);
  sendError(request, reply, shaped, undefined);
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  shaped: Shaped,
  renderHtml: HtmlErrorRenderer | undefined,
): void {
  reply.status(shaped.status);
  if (shaped.headers) reply.headers(shaped.headers);
  const html = wantsHtml(request) ? renderHtml?.(request, reply, shaped) : undefined;
  if (html !== undefined) {
    reply.type('text/html; charset=utf-8').send(html);
    return;
  }
  const body: ErrorBody = {
    error: {
      code: shaped.code,
      message: shaped.message,
      ...(shaped.details !== undefined && { details: shaped.details }),
      request_id: request.id,
    },
  };
  reply.type('application/json; charset=utf-8').send(body);
}

function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return false;
  return (request.headers.accept ?? '').includes('text/html');
}
