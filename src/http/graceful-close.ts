import type { FastifyInstance } from 'fastify';

/**
 * Node's `server.close()` waits for every open connection, and a kept-alive connection that was
 * busy when closing began stays open (idle) until its keep-alive timeout. Answers given while
 * closing therefore say `Connection: close`, so each such connection ends with its last answer
 * and SIGTERM completes as soon as the requests in flight are done.
 */
export function installGracefulClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
