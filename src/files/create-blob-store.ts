import { join } from 'node:path';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';

/**
 * The blob store the configuration asks for: S3 when S3_BUCKET is set, else `DATA_DIR/blobs`.
 *
 * @example
 *   const blobs = await createBlobStore(config);
 *   app.addHook('onClose', () => blobs.close());
 */
export async function createBlobStore(config: Pick<Config, 'dataDir' | 's3'>): Promise<BlobStore> {
  if (config.s3) {
    // The AWS SDK is loaded only when S3 is configured: it costs the local setup ~20 MiB.
    const { S3BlobStore } = await import('./s3-blob-store.js');
    return new S3BlobStore({ ...config.s3, tempDir: join(config.dataDir, 'tmp', 'uploads') });
  }
  return new LocalBlobStore(join(config.dataDir, 'blobs'));
}
