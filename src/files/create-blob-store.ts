import { join } from 'node:path';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

/**
 * The blob store the configuration asks for: S3 when S3_BUCKET is set, else `DATA_DIR/blobs`.
 *
 * @example
 *   const blobs = createBlobStore(config);
 *   app.addHook('onClose', () => blobs.close());
 */
export function createBlobStore(config: Pick<Config, 'dataDir' | 's3'>): BlobStore {
  if (config.s3) {
    return new S3BlobStore({ ...config.s3, tempDir: join(config.dataDir, 'tmp', 'uploads') });
  }
  return new LocalBlobStore(join(config.dataDir, 'blobs'));
}
