import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { bearer, errorOf, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';

/** Collects pino's JSON lines so tests can read what was logged. */
function logCollector() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

for (const engine of testEngines()) {
  describe(`HTTP base on ${engine.name}`, () => {
    let app: TestApp;
    let user: TestUser;
    const logs = logCollector();

    before(async () => {
      app = await startTestApp(engine, {
        config: { logLevel: 'info', bodyLimitBytes: 4096 },
        logStream: logs.stream,
        beforeReady(http) {
          http.get('/api/v1/test-crash', async () => {
            throw new Error('secret internal detail at /srv/khomoun/file.ts:42');
          });
        },
      });
      user = await app.createUser();
    });
    after(() => app.close());

    it('answers /healthz and /readyz without credentials, even with a bad token', async () => {
      const health = await app.http.inject({ url: '/healthz', headers: bearer('wrong') });
      assert.equal(health.statusCode, 200);
      const ready = await app.http.inject({ url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: 'ready', checks: { database: 'ok' } });
    });

    it('gives every error the uniform body: unknown route, bad URL, malformed JSON, wrong type, too large, schema', async () => {
      const cases = [
        { request: { url: '/api/v1/no-such-thing' }, status: 404, code: 'NOT_FOUND' },
        // Fails before routing: Fastify answered this one with a body of its own.
        { request: { url: '/api/v1/datasets/%FF' }, status: 400, code: 'BAD_REQUEST' },
        {
          request: {
            method: 'POST' as const,
            url: '/api/v1/tokens',
            headers: { ...bearer(user.token), 'content-type': 'application/json' },
            payload: '{"name": ',
          },
          status: 400,
          code: 'MALFORMED_JSON',
        },
        {
          request: {
            method: 'POST' as const,
            url: '/api/v1/tokens',
            headers: { ...bearer(user.token), 'content-type': 'application/xml' },
            payload: '<name>x</name>',
          },
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
        },
        {
          request: {
            method: 'POST' as const,
            url: '/api/v1/tokens',
            headers: bearer(user.token),
            payload: { name: 'x'.repeat(10_000) },
          },
          status: 413,
          code: 'PAYLOAD_TOO_LARGE',
        },
        {
          request: {
            method: 'POST' as const,
            url: '/api/v1/tokens',
            headers: bearer(user.token),
            payload: { name: 42, extra: true },
          },
          status: 400,
          code: 'VALIDATION_FAILED',
        },
      ];
      for (const { request, status, code } of cases) {
        const response = await app.http.inject(request);
        assert.equal(response.statusCode, status, `${request.url}: ${response.body}`);
        assert.match(String(response.headers['content-type']), /^application\/json/);
        const error = errorOf(response);
        assert.equal(error.code, code);
        assert.ok(error.message.length > 0);
        assert.equal(error.request_id, response.headers['x-request-id']);
      }
    });

    it('names the field in validation errors', async () => {
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(user.token),
        payload: {},
      });
      assert.equal(response.statusCode, 400);
      const error = errorOf(response);
      assert.match(error.message, /^name: /);
      assert.deepEqual((error.details as Array<{ field: string }>)[0]?.field, 'name');
    });

    it('refuses a NUL character anywhere in a request with a 400 naming where it was', async () => {
      const cases: Array<[string, { url: string; method?: 'POST'; payload?: object }]> = [
        ['id', { url: '/api/v1/datasets/%00' }],
        ['id', { url: '/api/v1/organizations/a%00b' }],
        ['organization', { url: '/api/v1/search?organization=%00' }],
        ['q', { url: '/api/v1/search/suggest?q=a%00b' }],
        ['name', { url: '/api/v1/tokens', method: 'POST', payload: { name: 'a\u0000b' } }],
      ];
      for (const [field, request] of cases) {
        const response = await app.http.inject({ ...request, headers: bearer(user.token) });
        assert.equal(response.statusCode, 400, `${request.url}: ${response.body}`);
        const details = errorOf(response).details as Array<{ field: string }>;
        assert.match(details[0]?.field ?? '', new RegExp(`^${field}`), request.url);
      }
      // The same words without the NUL are answered as usual.
      const fine = await app.http.inject({ url: '/api/v1/search/suggest?q=ab' });
      assert.equal(fine.statusCode, 200);
    });

    it('refuses a lone UTF-16 surrogate in a body or its keys with a 400', async () => {
      const cases: Array<[string, { url: string; method?: 'POST'; payload?: string }]> = [
        ['name', { url: '/api/v1/tokens', method: 'POST', payload: '{"name":"x\\ud800y"}' }],
        ['\udfff', { url: '/api/v1/tokens', method: 'POST', payload: '{"\\udfff":"x"}' }],
      ];
      for (const [field, request] of cases) {
        const response = await app.http.inject({
          ...request,
          headers: { ...bearer(user.token), 'content-type': 'application/json' },
        });
        assert.equal(response.statusCode, 400, `${request.url}: ${response.body}`);
        const error = errorOf(response);
        assert.match(error.message, /surrogate/, response.body);
        assert.equal((error.details as Array<{ field: string }>)[0]?.field, field);
      }
      // A well-formed pair (an emoji) is a character like any other.
      const emoji = await app.http.inject({
        url: '/api/v1/tokens',
        method: 'POST',
        headers: { ...bearer(user.token), 'content-type': 'application/json' },
        payload: '{"name":"ok \\ud83d\\ude42"}',
      });
      assert.equal(emoji.statusCode, 201, emoji.body);
    });

    it('answers 500 without a stack trace or internal detail, and logs it', async () => {
      const response = await app.http.inject({
        url: '/api/v1/test-crash',
        headers: bearer(user.token),
      });
      assert.equal(response.statusCode, 500);
      assert.equal(errorOf(response).code, 'INTERNAL');
      assert.equal(response.body.includes('secret internal detail'), false);
      assert.equal(response.body.includes('file.ts'), false);
      assert.ok(logs.lines.some((line) => line.includes('secret internal detail')));
    });

    it('keeps a sane incoming X-Request-Id and replaces a hostile one', async () => {
      const kept = await app.http.inject({
        url: '/healthz',
        headers: { 'x-request-id': 'edge-proxy-1234abcd' },
      });
      assert.equal(kept.headers['x-request-id'], 'edge-proxy-1234abcd');
      const replaced = await app.http.inject({
        url: '/healthz',
        headers: { 'x-request-id': 'bad id\nwith newline' },
      });
      assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    it('logs every request with its id, and never tokens, cookies or passwords', async () => {
      const secretPassword = 'very-secret-password-123';
      await app.http.inject({
        method: 'PATCH',
        url: '/api/v1/me?serviceKey=' + user.token,
        headers: { ...bearer(user.token), cookie: 'khomoun_session=cookie-secret-value' },
        payload: { current_password: secretPassword, new_password: secretPassword + 'x' },
      });
      const all = logs.lines.join('\n');
      assert.equal(all.includes(user.token), false, 'token leaked into logs');
      assert.equal(all.includes('cookie-secret-value'), false, 'cookie leaked into logs');
      assert.equal(all.includes(secretPassword), false, 'password leaked into logs');
      const withIds = logs.lines
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.req?.url?.includes('/api/v1/me'));
      assert.ok(withIds.length > 0);
      assert.ok(withIds.every((entry) => typeof entry.reqId === 'string'));
    });

    it('lets other sites read the API from browsers with a key, never with cookies, and not the pages', async () => {
      const origin = { origin: 'https://apps.example.org' };
      const read = await app.http.inject({ url: '/api/v1/search?q=rice', headers: origin });
      assert.equal(read.headers['access-control-allow-origin'], '*');
      assert.equal(read.headers['access-control-allow-credentials'], undefined);
      assert.match(String(read.headers['access-control-expose-headers']), /ETag/);
      assert.match(String(read.headers['access-control-expose-headers']), /X-Request-Id/);

      const preflight = await app.http.inject({
        method: 'OPTIONS',
        url: '/api/v1/me',
        headers: {
          ...origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      assert.equal(preflight.statusCode, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], '*');
      assert.match(String(preflight.headers['access-control-allow-headers']), /Authorization/);
      assert.match(String(preflight.headers['access-control-allow-methods']), /GET/);

      const page = await app.http.inject({ url: '/', headers: origin });
      assert.equal(page.headers['access-control-allow-origin'], undefined);
    });

    it('sets helmet security headers', async () => {
      const response = await app.http.inject({ url: '/healthz' });
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
    });

    it('exposes Prometheus metrics: request durations by route, event-loop lag, database connections', async () => {
      await app.http.inject({ url: '/api/v1/me', headers: bearer(user.token) });
      const response = await app.http.inject({ url: '/metrics' });
      assert.equal(response.statusCode, 200);
      assert.match(
        response.body,
        /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/me",status_code="200"\} \d+/,
      );
      assert.match(response.body, /nodejs_eventloop_lag_seconds /);
      assert.match(response.body, /khomoun_db_connections\{state="total"\} \d+/);
    });

    it('serves an OpenAPI 3.1 document generated from the route schemas, and the docs UI', async () => {
      const response = await app.http.inject({ url: '/api/v1/openapi.json' });
      assert.equal(response.statusCode, 200);
      const document = response.json();
      assert.equal(document.openapi, '3.1.0');
      assert.ok(document.paths['/api/v1/me'].get);
      assert.ok(document.paths['/api/v1/tokens'].post.requestBody);
      assert.ok(document.paths['/api/v1/users/{id}'].patch);
      assert.ok(document.components.securitySchemes.bearerAuth);
      assert.equal(document.paths['/metrics'], undefined);
      const docs = await app.http.inject({ url: '/api/docs/' });
      assert.equal(docs.statusCode, 200);
      assert.match(docs.body, /swagger/i);
    });
  });
}

describe('metrics behind METRICS_TOKEN', () => {
  it('refuses /metrics without the token when one is configured', async () => {
    const [engine] = testEngines();
    assert.ok(engine);
    const app = await startTestApp(engine, { config: { metricsToken: 'metrics-secret' } });
    try {
      const refused = await app.http.inject({ url: '/metrics' });
      assert.equal(refused.statusCode, 401);
      const allowed = await app.http.inject({ url: '/metrics', headers: bearer('metrics-secret') });
      assert.equal(allowed.statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

describe('deeply nested JSON', () => {
  it('is refused with a 400 naming the field, not a 500 from a stack overflow', async () => {
    const [engine] = testEngines();
    assert.ok(engine);
    const app = await startTestApp(engine);
    try {
      const user = await app.createUser();
      // 200 kB of brackets (the default body limit is 1 MB): 100,000 levels deep.
      const arrays = `{"name":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const objects = `{"name":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
      for (const payload of [arrays, objects]) {
        const response = await app.http.inject({
          url: '/api/v1/tokens',
          method: 'POST',
          headers: { ...bearer(user.token), 'content-type': 'application/json' },
          payload,
        });
        assert.equal(response.statusCode, 400, response.body);
        const error = errorOf(response);
        assert.equal(error.message, 'name: nests arrays or objects more than 64 levels deep');
        assert.equal((error.details as Array<{ field: string }>)[0]?.field, 'name');
      }
    } finally {
      await app.close();
    }
  });
});
