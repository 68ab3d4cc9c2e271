// The baseline: a Fastify app with nothing but one route that answers what /api/v1/me answers.
// Whatever Khomoun adds on top (auth, request ids, logging, metrics, helmet) is the difference.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const body = {
  id: '0196b1a4-2a6f-7c1e-9f3e-6c1d2b3a4f5e',
  email: 'bench@example.org',
  display_name: 'Bench',
  language: 'en',
  active: true,
  sysadmin: false,
  created_at: '2026-11-25T00:00:00.000Z',
  last_login_at: null,
  authenticated_by: 'token',
};
app.get('/api/v1/me', async () => body);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`bare route listening on ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
