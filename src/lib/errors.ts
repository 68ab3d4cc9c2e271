/**
 * Typed errors thrown by services. One handler (src/http/error-handler.ts) turns them into
 * the uniform `{"error": {code, message, details}}` body, so no route builds error responses.
 */
export type ErrorDetails = Record<string, unknown> | Array<Record<string, unknown>>;

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetails | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    details?: ErrorDetails,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export class Invalid extends AppError {
  /** A request value failed a rule that the schema cannot express; `field` names it for the client. */
  constructor(field: string, message: string) {
    super(400, 'VALIDATION_FAILED', `${field}: ${message}`, [{ field, message }]);
  }
}

export class NulCharacter extends Invalid {
  /** A request value holds U+0000, which PostgreSQL text cannot store. */
  constructor(field: string) {
    super(field, 'must not contain the NUL character');
  }
}

export class LoneSurrogate extends Invalid {
  /**
   * A request value holds half of a UTF-16 surrogate pair (`"\ud800"` in JSON): no character,
   * and PostgreSQL refuses it in text and JSON.
   */
  constructor(field: string) {
    super(field, 'must not contain a lone UTF-16 surrogate (half of a character, such as \\ud800)');
  }
}

export class NestedTooDeeply extends Invalid {
  /** A request value nests arrays or objects deeper than any request of this API needs. */
  constructor(field: string, maxDepth: number) {
    super(field, `nests arrays or objects more than ${maxDepth} levels deep`);
  }
}

export class Unauthenticated extends AppError {
  constructor(message = 'Authentication is required') {
    super(401, 'UNAUTHENTICATED', message, undefined, { 'www-authenticate': 'Bearer' });
  }
}

export class Forbidden extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super(403, 'FORBIDDEN', message);
  }
}

export class NotFound extends AppError {
  constructor(what = 'Resource') {
    super(404, 'NOT_FOUND', `${what} not found`);
  }
}

export class Conflict extends AppError {
  constructor(message: string, field?: string) {
    super(409, 'CONFLICT', message, field ? [{ field, message }] : undefined);
  }
}

export class PreconditionFailed extends AppError {
  constructor(message = 'The resource was changed by someone else; reload and try again') {
    super(412, 'PRECONDITION_FAILED', message);
  }
}

export class PayloadTooLarge extends AppError {
  /** An upload or body passed a configured size limit; `maxBytes` tells the client the limit. */
  constructor(
    maxBytes: number,
    message = `The upload is larger than the limit of ${maxBytes} bytes`,
  ) {
    super(413, 'PAYLOAD_TOO_LARGE', message, { maxBytes });
  }
}

export class RangeNotSatisfiable extends AppError {
  /** A `Range` header asked for bytes past the end; RFC 9110 wants the real length in the answer. */
  constructor(size: number) {
    super(
      416,
      'RANGE_NOT_SATISFIABLE',
      `The requested range is outside the file (${size} bytes)`,
      { size },
      { 'content-range': `bytes */${size}` },
    );
  }
}

export class TooManyRequests extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(
      429,
      'TOO_MANY_REQUESTS',
      message,
      { retryAfterSeconds: seconds },
      {
        'retry-after': String(seconds),
      },
    );
  }
}

/**
 * An error's message as a publisher may read it. A system error (ENOSPC, EPERM…) names paths on
 * the server's disk, which are no business of theirs: it is told by its operation and code.
 */
export function publicErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof syscall === 'string')
    return `a file operation on the server failed (${syscall}: ${code})`;
  return error.message;
}
