import type { Kysely } from 'kysely';
import { diffObjects } from '../../audit/index.js';
import type { Schema } from '../../db/index.js';
import type { BlobStore, ReceivedUpload } from '../../files/index.js';
import { AppError, Invalid, NotFound } from '../../lib/errors.js';
import { httpUrl } from '../../lib/http-url.js';
import type { Actor } from '../policy.js';
import type { ChangeContext, DatasetService, DatasetView } from '../datasets/service.js';
import type { StoredResource } from '../datasets/queries.js';
import { cleanTranslatable, requireTranslatable } from '../translatable.js';
import * as q from './queries.js';

type TextIn = { lo?: string | null | undefined; en?: string | null | undefined };

export interface LinkInput {
  title: TextIn;
  description?: TextIn | undefined;
  url: string;
  format?: string | undefined;
}

export interface ResourceChangeInput {
  title?: TextIn | undefined;
  description?: TextIn | undefined;
  url?: string | undefined;
  format?: string | undefined;
  position?: number | undefined;
}

const laoScript = /[\u0E80-\u0EFF]/;

/**
 * Told about every file a resource gets, inside the transaction that records it, so that work
 * on the file (the datastore's ingest) is queued only if the file is really kept.
 */
export type FileStoredHook = (
  tx: Kysely<Schema>,
  resource: q.ResourceRow,
  context: ChangeContext,
) => Promise<void>;

/**
 * Resources (DCAT distributions): uploaded files in the blob store, or links. Every change goes
 * through the dataset, so it lands in a new revision of the working copy and the public keeps
 * seeing the published resources until the change is approved.
 */
export function createResourceService(
  db: Kysely<Schema>,
  datasets: DatasetService,
  blobs: BlobStore,
  now: () => Date = () => new Date(),
  fileStored: FileStoredHook = async () => {},
) {
  const owned = async (tx: Kysely<Schema>, datasetId: string, resourceId: string) => {
    const row = await q.findResource(tx, resourceId);
    // Another dataset's resource id in this dataset's URL is simply not found here.
    if (!row || row.dataset_id !== datasetId || row.deleted_at !== null)
      throw new NotFound('Resource');
    return row;
  };

  const add = (
    context: ChangeContext,
    datasetIdOrSlug: string,
    expectedVersion: number | undefined,
    values: Omit<
      q.ResourceRow,
      | 'id'
      | 'dataset_id'
      | 'position'
      | 'deleted_at'
      | 'table_schema'
      | 'datastore_ingest_id'
      | 'created_at'
      | 'updated_at'
    >,
  ) =>
    datasets.editResources(context, datasetIdOrSlug, expectedVersion, async (tx, dataset) => {
      const time = now();
      const row = await q.insertResource(tx, {
        ...values,
        dataset_id: dataset.id,
        position: await q.nextPosition(tx, dataset.id),
        created_at: time,
        updated_at: time,
      });
      if (row.blob_sha256 !== null) await fileStored(tx, row, context);
      const { created_at: _c, updated_at: _u, ...shown } = q.snapshotOf(row);
      return { action: 'resource_added', diff: { resources: { from: null, to: shown } } };
    });

  return {
    addLink(
      context: ChangeContext,
      datasetIdOrSlug: string,
      input: LinkInput,
      expectedVersion?: number,
    ): Promise<DatasetView> {
      const title = requireTranslatable(input.title, 'title');
      const description = cleanTranslatable(input.description ?? {}, { multiline: true });
      const url = httpUrl(input.url, 'url');
      return add(context, datasetIdOrSlug, expectedVersion, {
        title_lo: title.lo,
        title_en: title.en,
        description_lo: description.lo,
        description_en: description.en,
        url,
        blob_sha256: null,
        file_name: null,
        size_bytes: null,
        media_type: null,
        format: cleanFormat(input.format) ?? formatFromUrl(url),
      });
    },

    /**
     * Records a file already streamed into the blob store. If recording fails, the blob goes
     * again unless something else uses the same bytes, so a failed upload leaves nothing behind.
     */
    async addFile(
      context: ChangeContext,
      datasetIdOrSlug: string,
      upload: ReceivedUpload,
      expectedVersion?: number,
    ): Promise<DatasetView> {
      try {
        const title = titleFromFields(upload);
        const description = cleanTranslatable(
          {
            lo: upload.fields.description_lo,
            en: upload.fields.description_en ?? upload.fields.description,
          },
          { multiline: true },
        );
        return await add(context, datasetIdOrSlug, expectedVersion, {
          title_lo: title.lo,
          title_en: title.en,
          description_lo: description.lo,
          description_en: description.en,
          url: null,
          blob_sha256: upload.sha256,
          file_name: upload.filename,
          size_bytes: upload.size,
          media_type: upload.mediaType,
          format: upload.format,
        });
      } catch (error) {
        if (upload.created && !(await q.blobInUse(db, upload.sha256)))
          await blobs.delete(upload.sha256);
        throw error;
      }
    },

    /** Puts a new upload in place of a resource's file; the old blob stays for old revisions. */
    async replaceFile(
      context: ChangeContext,
      datasetIdOrSlug: string,
      resourceId: string,
      upload: ReceivedUpload,
      expectedVersion?: number,
    ): Promise<DatasetView> {
      try {
        return await datasets.editResources(
          context,
          datasetIdOrSlug,
          expectedVersion,
          async (tx, dataset) => {
            const row = await owned(tx, dataset.id, resourceId);
            if (row.blob_sha256 === null)
              throw new Invalid('file', 'a link has no file to replace; change its url instead');
            const updated = await q.updateResource(tx, row.id, {
              blob_sha256: upload.sha256,
              file_name: upload.filename,
              size_bytes: upload.size,
              media_type: upload.mediaType,
              format: upload.format,
              updated_at: now(),
            });
            await fileStored(tx, updated, context);
            const { updated_at: _a, ...before } = q.snapshotOf(row);
            const { updated_at: _b, ...after } = q.snapshotOf(updated);
            return {
              action: 'resource_file_replaced',
              diff: { [`resources.${row.id}`]: { from: null, to: diffObjects(before, after) } },
            };
          },
        );
      } catch (error) {
        if (upload.created && !(await q.blobInUse(db, upload.sha256)))
          await blobs.delete(upload.sha256);
        throw error;
      }
    },

    update(
      context: ChangeContext,
      datasetIdOrSlug: string,
      resourceId: string,
      input: ResourceChangeInput,
      expectedVersion?: number,
    ): Promise<DatasetView> {
      return datasets.editResources(
        context,
        datasetIdOrSlug,
        expectedVersion,
        async (tx, dataset) => {
          const row = await owned(tx, dataset.id, resourceId);
          const changes: q.ResourceChanges = { updated_at: now() };
          if (input.title !== undefined) {
            const title = requireTranslatable(input.title, 'title');
            changes.title_lo = title.lo;
            changes.title_en = title.en;
          }
          if (input.description !== undefined) {
            const description = cleanTranslatable(input.description, { multiline: true });
            changes.description_lo = description.lo;
            changes.description_en = description.en;
          }
          if (input.url !== undefined) {
            if (row.blob_sha256 !== null)
              throw new Invalid('url', 'an uploaded file has no link; upload a new file instead');
            changes.url = httpUrl(input.url, 'url');
          }
          if (input.format !== undefined) changes.format = cleanFormat(input.format) ?? null;
          if (input.position !== undefined) changes.position = input.position;
          const updated = await q.updateResource(tx, row.id, changes);
          const { updated_at: _a, ...before } = q.snapshotOf(row);
          const { updated_at: _b, ...after } = q.snapshotOf(updated);
          return {
            action: 'resource_updated',
            diff: { [`resources.${row.id}`]: { from: null, to: diffObjects(before, after) } },
          };
        },
      );
    },

    remove(
      context: ChangeContext,
      datasetIdOrSlug: string,
      resourceId: string,
      expectedVersion?: number,
    ): Promise<DatasetView> {
      return datasets.editResources(
        context,
        datasetIdOrSlug,
        expectedVersion,
        async (tx, dataset) => {
          const row = await owned(tx, dataset.id, resourceId);
          // Kept in the table (and its blob in the store): older revisions still list it.
          await q.updateResource(tx, row.id, { deleted_at: now() });
          const { created_at: _c, updated_at: _u, ...shown } = q.snapshotOf(row);
          return { action: 'resource_removed', diff: { resources: { from: shown, to: null } } };
        },
      );
    },

    /** A resource as the caller may see it, from the dataset revision they are shown. */
    async find(
      actor: Actor,
      resourceId: string,
    ): Promise<{ dataset: DatasetView; resource: StoredResource }> {
      const row = /^[0-9a-f-]{36}$/i.test(resourceId)
        ? await q.findResource(db, resourceId)
        : undefined;
      if (!row) throw new NotFound('Resource');
      const dataset = await datasets.get(actor, row.dataset_id).catch((error: unknown) => {
        throw error instanceof AppError && error.status === 404 ? new NotFound('Resource') : error;
      });
      const resource = dataset.revision.metadata.resources.find((item) => item.id === resourceId);
      if (!resource) throw new NotFound('Resource');
      return { dataset, resource };
    },
  };
}

export type ResourceService = ReturnType<typeof createResourceService>;

function titleFromFields(upload: ReceivedUpload) {
  const { title, title_lo, title_en } = upload.fields;
  if (title_lo !== undefined || title_en !== undefined)
    return requireTranslatable({ lo: title_lo, en: title_en }, 'title');
  // One `title` field (DESIGN's shape) goes to the language it is written in; none: the file name.
  const text = title ?? upload.filename;
  return requireTranslatable(laoScript.test(text) ? { lo: text } : { en: text }, 'title');
}

function cleanFormat(format: string | undefined): string | undefined {
  const clean = format?.trim().toUpperCase();
  if (clean === undefined || clean === '') return undefined;
  if (!/^[A-Z0-9.+-]{1,20}$/.test(clean))
    throw new Invalid('format', 'a short name like CSV or PDF');
  return clean;
}

function formatFromUrl(url: string): string | null {
  const extension = /\.([a-z0-9]{1,8})$/i.exec(new URL(url).pathname)?.[1];
  return extension ? extension.toUpperCase() : null;
}
