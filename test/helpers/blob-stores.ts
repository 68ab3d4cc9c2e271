import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { S3Config } from '../../src/config.js';
import { createBlobStore, type BlobStore } from '../../src/files/index.js';

/**
 * The blob stores every files test runs on: the local directory and S3, the latter against a
 * real s3rver on a free port. Both are made through `createBlobStore`, as the app makes them.
 */
export interface TestBlobStore {
  name: 'local' | 's3';
  store: BlobStore;
  /** SHA-256 keys of every stored blob, read from the backend itself. */
  storedBlobs(): Promise<string[]>;
  /** Files in the store's temporary directory: must be empty whenever no upload runs. */
  tempFiles(): string[];
  dispose(): Promise<void>;
}

export const blobStoreKinds: Array<{ name: 'local' | 's3'; create: () => Promise<TestBlobStore> }> =
  [
    { name: 'local', create: createLocal },
    { name: 's3', create: createS3 },
  ];

async function createLocal(): Promise<TestBlobStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-blobs-'));
  const store = await createBlobStore({ dataDir, s3: undefined });
  const root = join(dataDir, 'blobs');
  return {
    name: 'local',
    store,
    async storedBlobs() {
      return filesUnder(root)
        .filter((path) => !path.startsWith('tmp/'))
        .map((path) => path.split('/').pop() ?? '');
    },
    tempFiles: () => filesUnder(join(root, 'tmp')),
    async dispose() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

async function createS3(): Promise<TestBlobStore> {
  // s3rver ships no types; this is the little of it the tests use.
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const serverDir = mkdtempSync(join(tmpdir(), 'khomoun-s3rver-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-s3-data-'));
  const bucket = 'khomoun-test';
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: serverDir,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const s3: S3Config = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    // s3rver checks signatures against these fixed credentials.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  };
  const store = await createBlobStore({ dataDir, s3 });
  const lister = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  return {
    name: 's3',
    store,
    async storedBlobs() {
      const listed = await lister.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (listed.Contents ?? []).map((object) => (object.Key ?? '').replace(/^blobs\//, ''));
    },
    tempFiles: () => filesUnder(join(dataDir, 'tmp', 'uploads')),
    async dispose() {
      await store.close();
      lister.destroy();
      await server.close();
      rmSync(serverDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every file below `root`, as paths relative to it; a missing root holds no files. */
export function filesUnder(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}
