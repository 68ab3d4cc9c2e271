import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** One file and a few short fields (title, description) per upload; anything more is a mistake or an attack. */
export const uploadFormLimits = {
  files: 1,
  fields: 20,
  fieldSize: 64 * 1024,
  fieldNameSize: 100,
  parts: 21,
  headerPairs: 50,
} as const;

/**
 * Teaches the app to read `multipart/form-data` as a stream; register it once on the root app
 * (it is not encapsulated, so every module's routes can call `receiveUpload`). The file size limit
 * is per call, in `receiveUpload`, where the byte counting that enforces it happens.
 *
 * @example
 *   await app.register(multipartPlugin);
 */
export const multipartPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(multipart, {
      limits: uploadFormLimits,
      // Our own counter raises PayloadTooLarge; busboy's limit would truncate silently at best.
      throwFileSizeLimit: false,
    });
  },
  { name: 'khomoun-multipart', fastify: '5.x' },
);
