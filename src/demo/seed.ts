import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { AuthUser } from '../accounts/index.js';
import { addLicence, type Catalog } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import {
  detectMediaType,
  mediaTypeHeadBytes,
  type BlobStore,
  type ReceivedUpload,
} from '../files/index.js';
import { demoContact, demoLicences, demoOrganizations } from './content.js';

/** demo/ at the package root, from src/demo (tests) and dist/demo (built) alike. */
export const demoDirectory = fileURLToPath(new URL('../../demo/', import.meta.url));

export interface DemoSeedOptions {
  catalog: Catalog;
  blobs: BlobStore;
  db: Kysely<Schema>;
  /** A sysadmin; the audit trail names them as the author of the demo content. */
  author: AuthUser;
  directory?: string;
}

/**
 * Fills an empty catalog with the demo organizations and published datasets, files included.
 * Does nothing (and returns 0) when any organization exists: demo content is for first starts,
 * never mixed into a real catalog.
 */
export async function seedDemo(options: DemoSeedOptions): Promise<number> {
  const { catalog, blobs, db, author, directory = demoDirectory } = options;
  const existing = await catalog.organizations.list({}, 1);
  if (existing.total > 0) return 0;
  const context = { actor: { user: author, roles: new Map() } };
  for (const licence of demoLicences) await addLicence(db, licence);
  let count = 0;
  for (const organization of demoOrganizations) {
    await catalog.organizations.create(context, {
      slug: organization.slug,
      title: organization.title,
      description: organization.description,
      kind: 'other',
      demo: true,
    });
    for (const { files, ...metadata } of organization.datasets) {
      const dataset = await catalog.datasets.create(context, {
        ...metadata,
        organization: organization.slug,
        contact_point: demoContact,
        demo: true,
      });
      for (const file of files) {
        const upload = await storeFile(blobs, join(directory, file.file), file.title);
        await catalog.resources.addFile(context, dataset.row.id, upload);
      }
      await catalog.datasets.transition(context, dataset.row.id, 'submit');
      await catalog.datasets.transition(context, dataset.row.id, 'approve');
      count += 1;
    }
  }
  return count;
}

async function storeFile(
  blobs: BlobStore,
  path: string,
  title: { lo: string; en: string },
): Promise<ReceivedUpload> {
  const head = Buffer.alloc(mediaTypeHeadBytes);
  const handle = await open(path);
  const { bytesRead } = await handle.read(head, 0, head.length, 0).finally(() => handle.close());
  const filename = path.slice(path.lastIndexOf('/') + 1);
  const stored = await blobs.put(createReadStream(path), { maxBytes: Number.MAX_SAFE_INTEGER });
  return {
    ...detectMediaType(head.subarray(0, bytesRead), filename),
    ...stored,
    filename,
    fields: { title_lo: title.lo, title_en: title.en },
  };
}
