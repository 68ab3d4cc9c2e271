import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { receiveUpload, sendBlob, type BlobStore } from '../../files/index.js';
import { commonErrors, ErrorSchema, signedIn } from '../../http/schemas.js';
import { expectedVersion, setVersionTag } from '../../http/versions.js';
import { Invalid } from '../../lib/errors.js';
import type { ActorLoader } from '../actor.js';
import { presentDataset, presentResource } from '../datasets/present.js';
import { DatasetSchema, ResourceSchema } from '../datasets/schemas.js';
import type { DatasetService, DatasetView } from '../datasets/service.js';
import { TranslatableInput } from '../translatable.js';
import type { LinkInput, ResourceChangeInput, ResourceService } from './service.js';

const security = signedIn;
const tags = ['resources'];
const changeErrors = { ...commonErrors, 409: ErrorSchema, 412: ErrorSchema, 413: ErrorSchema };

const LinkBody = Type.Object(
  {
    title: TranslatableInput(500),
    description: Type.Optional(TranslatableInput(10_000)),
    url: Type.String({ maxLength: 2000 }),
    format: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);
const ChangeBody = Type.Object(
  {
    title: Type.Optional(TranslatableInput(500)),
    description: Type.Optional(TranslatableInput(10_000)),
    url: Type.Optional(Type.String({ maxLength: 2000 })),
    format: Type.Optional(Type.String({ maxLength: 20 })),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  },
  { additionalProperties: false },
);
const DatasetParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const ResourceParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  resource: Type.String({ maxLength: 36 }),
});
const ResourceIdParams = Type.Object({ id: Type.String({ maxLength: 36 }) });
const ResourceWithDataset = Type.Object({
  ...ResourceSchema.properties,
  dataset: Type.Object({ id: Type.String(), slug: Type.String() }),
});

/** Files and links of datasets: added, changed and removed through the dataset; read and downloaded by id. */
export const resourceRoutes: FastifyPluginAsync<{
  datasets: DatasetService;
  resources: ResourceService;
  blobs: BlobStore;
  uploadMaxBytes: number;
  actorOf: ActorLoader;
}> = async (base, { datasets, resources, blobs, uploadMaxBytes, actorOf }) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const context = async (request: Parameters<ActorLoader>[0]) => ({
    actor: await actorOf(request),
    requestId: request.id,
  });
  const answer = (reply: Parameters<typeof setVersionTag>[0], view: DatasetView) => {
    setVersionTag(reply, view.row.version);
    return presentDataset(view);
  };

  app.post(
    '/datasets/:id/resources',
    {
      schema: {
        tags,
        summary: 'Add a file (multipart: a `file` part and `title` field) or a link (JSON)',
        description:
          'A multipart upload streams the file into the store with its SHA-256; its media type is read from the content. Fields: `title` (or `title_lo`/`title_en`), `description`. JSON adds a link.',
        security,
        params: DatasetParams,
        body: { content: { 'application/json': { schema: LinkBody } } },
        response: { 201: DatasetSchema, ...changeErrors },
      },
    },
    async (request, reply) => {
      const changeContext = await context(request);
      const version = expectedVersion(request);
      let view: DatasetView;
      if (request.isMultipart()) {
        // Refuse before reading the body: nobody should stream 2 GiB only to hear "forbidden".
        await datasets.checkEditable(changeContext.actor, request.params.id);
        const upload = await receiveUpload(request, { store: blobs, maxBytes: uploadMaxBytes });
        view = await resources.addFile(changeContext, request.params.id, upload, version);
      } else {
        view = await resources.addLink(
          changeContext,
          request.params.id,
          request.body as LinkInput,
          version,
        );
      }
      reply.status(201);
      return answer(reply, view);
    },
  );

  app.put(
    '/datasets/:id/resources/:resource/file',
    {
      schema: {
        tags,
        summary: "Replace a resource's file (multipart: a `file` part)",
        description:
          'The new file takes the place of the old one in the working copy; tables made from the old file keep serving until the new one has been read successfully.',
        security,
        params: ResourceParams,
        response: { 200: DatasetSchema, ...changeErrors },
      },
    },
    async (request, reply) => {
      const changeContext = await context(request);
      if (!request.isMultipart()) throw new Invalid('file', 'send the file as multipart/form-data');
      await datasets.checkEditable(changeContext.actor, request.params.id);
      const upload = await receiveUpload(request, { store: blobs, maxBytes: uploadMaxBytes });
      const view = await resources.replaceFile(
        changeContext,
        request.params.id,
        request.params.resource,
        upload,
        expectedVersion(request),
      );
      return answer(reply, view);
    },
  );

  app.patch(
    '/datasets/:id/resources/:resource',
    {
      schema: {
        tags,
        summary: "Change a resource's title, description, link, format or position",
        security,
        params: ResourceParams,
        body: ChangeBody,
        response: { 200: DatasetSchema, ...changeErrors },
      },
    },
    async (request, reply) => {
      const view = await resources.update(
        await context(request),
        request.params.id,
        request.params.resource,
        request.body as ResourceChangeInput,
        expectedVersion(request),
      );
      return answer(reply, view);
    },
  );

  app.delete(
    '/datasets/:id/resources/:resource',
    {
      schema: {
        tags,
        summary: 'Remove a resource from the working copy',
        security,
        params: ResourceParams,
        response: { 200: DatasetSchema, ...changeErrors },
      },
    },
    async (request, reply) => {
      const view = await resources.remove(
        await context(request),
        request.params.id,
        request.params.resource,
        expectedVersion(request),
      );
      return answer(reply, view);
    },
  );

  app.get(
    '/resources/:id',
    {
      schema: {
        tags,
        summary: 'One resource, as its dataset shows it to you',
        params: ResourceIdParams,
        response: { 200: ResourceWithDataset, 404: ErrorSchema },
      },
    },
    async (request) => {
      const { dataset, resource } = await resources.find(await actorOf(request), request.params.id);
      return {
        ...presentResource(resource),
        dataset: { id: dataset.row.id, slug: dataset.row.slug },
      };
    },
  );

  app.get(
    '/resources/:id/download',
    {
      schema: {
        tags,
        summary: 'The file (with Range, ETag and HEAD), or a redirect to the link',
        params: ResourceIdParams,
        response: { 404: ErrorSchema, 416: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { dataset, resource } = await resources.find(await actorOf(request), request.params.id);
      if (resource.blob_sha256 === null || resource.url !== null)
        return reply.redirect(resource.url as string, 302);
      const shownToAll =
        dataset.row.published_access_level === 'public' &&
        dataset.revision.number === dataset.row.published_revision;
      return sendBlob(request, reply, {
        store: blobs,
        sha256: resource.blob_sha256,
        size: resource.size_bytes ?? 0,
        filename: resource.file_name ?? resource.id,
        mediaType: resource.media_type ?? 'application/octet-stream',
        // Drafts and restricted files must not sit in shared caches.
        cacheControl: shownToAll ? 'public, max-age=300' : 'private, no-store',
      });
    },
  );
};
