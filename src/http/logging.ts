import type { FastifyInstance } from 'fastify';
import type { LoggerOptions } from 'pino';
import type { LogLevel } from '../config.js';

// Query parameters that carry keys in DATA.GO.KR or CKAN style clients.
const secretParams = /([?&](?:servicekey|api_key|apikey|key|token|access_token)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(secretParams, '$1[REDACTED]');
}

/**
 * pino settings: JSON lines with the request id, and no passwords, tokens or cookies. Requests
 * are serialised without headers, so only fields that may carry secrets in logged objects are
 * listed (wildcard paths make every log call slower).
 */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: {
      paths: ['password', 'current_password', 'new_password', 'token', 'config.sessionSecret'],
      censor: '[REDACTED]',
    },
    serializers: {
      req(request: { method: string; url: string; ip?: string }) {
        return { method: request.method, url: redactUrl(request.url), ip: request.ip };
      },
    },
  };
}

/**
 * One line per request, when it is answered, instead of Fastify's two (received, completed):
 * half the log volume and half the logging cost on the API's hot path.
 */
export function installAccessLog(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        req: request,
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
    done();
  });
}
