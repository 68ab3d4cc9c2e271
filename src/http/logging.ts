import type { LoggerOptions } from 'pino';
import type { LogLevel } from '../config.js';

// Query parameters that carry keys in DATA.GO.KR or CKAN style clients.
const secretParams = /([?&](?:servicekey|api_key|apikey|key|token|access_token)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(secretParams, '$1[REDACTED]');
}

/** pino settings: JSON lines with the request id, and no passwords, tokens or cookies. */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.current_password',
        '*.new_password',
        '*.token',
        '*.sessionSecret',
        '*.adminPassword',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req(request: { method: string; url: string; ip?: string; id?: string }) {
        return { method: request.method, url: redactUrl(request.url), ip: request.ip };
      },
    },
  };
}
