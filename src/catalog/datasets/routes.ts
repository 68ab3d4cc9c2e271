import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, ErrorSchema, signedIn } from '../../http/schemas.js';
import { expectedVersion, setVersionTag } from '../../http/versions.js';
import type { ActorLoader } from '../actor.js';
import {
  decodeCursor,
  encodeCursor,
  presentDataset,
  presentDatasetSummary,
  presentHistory,
} from './present.js';
import {
  CreateDatasetBody,
  DatasetListQuery,
  DatasetListSchema,
  DatasetParams,
  DatasetQuery,
  DatasetSchema,
  HistorySchema,
  ReturnBody,
  RevisionParams,
  UpdateDatasetBody,
} from './schemas.js';
import type { DatasetService, DatasetView, WorkflowAction } from './service.js';

const security = signedIn;
const tags = ['datasets'];
const changeErrors = { ...commonErrors, 409: ErrorSchema, 412: ErrorSchema };

const workflowSummaries: Record<WorkflowAction, string> = {
  submit: 'Submit a draft for review (editors)',
  return: 'Send a dataset in review back to its editors with a comment (organization admins)',
  approve: 'Publish the dataset in review (organization admins)',
  archive: 'Withdraw a published dataset from the public catalog (organization admins)',
  unarchive: 'Publish an archived dataset again (organization admins)',
};

/** `/api/v1/datasets`: describe, review, publish, and trace every change. */
export const datasetRoutes: FastifyPluginAsync<{
  datasets: DatasetService;
  actorOf: ActorLoader;
}> = async (base, { datasets, actorOf }) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const context = async (request: Parameters<ActorLoader>[0]) => ({
    actor: await actorOf(request),
    requestId: request.id,
  });
  const answer = (reply: { header(name: string, value: string): unknown }, view: DatasetView) => {
    setVersionTag(reply as Parameters<typeof setVersionTag>[0], view.row.version);
    return presentDataset(view);
  };

  app.get(
    '/datasets',
    {
      schema: {
        tags,
        summary: 'Datasets you may see, most recently changed first',
        description:
          'Anonymous callers see published public datasets; members of a publisher also see its drafts and restricted datasets.',
        querystring: DatasetListQuery,
        response: { 200: DatasetListSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const { after, limit = 20, access_level, ...filter } = request.query;
      const { rows, total } = await datasets.list(
        await actorOf(request),
        { ...filter, accessLevel: access_level },
        { limit: limit + 1, after: after === undefined ? undefined : decodeCursor(after) },
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        ...(total !== undefined && { total }),
        items: page.map(presentDatasetSummary),
        next: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },
  );

  app.post(
    '/datasets',
    {
      schema: {
        tags,
        summary: 'Describe a new dataset (a draft)',
        security,
        body: CreateDatasetBody,
        response: { 201: DatasetSchema, ...changeErrors },
      },
    },
    async (request, reply) => {
      const view = await datasets.create(await context(request), request.body);
      reply.status(201).header('location', `/api/v1/datasets/${view.row.id}`);
      return answer(reply, view);
    },
  );

  app.get(
    '/datasets/:id',
    {
      schema: {
        tags,
        summary: 'One dataset, by id or slug',
        params: DatasetParams,
        querystring: DatasetQuery,
        response: { 200: DatasetSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const view = await datasets.get(
        await actorOf(request),
        request.params.id,
        request.query.revision,
      );
      return answer(reply, view);
    },
  );

  app.patch(
    '/datasets/:id',
    {
      schema: {
        tags,
        summary: 'Change a dataset; send its ETag in If-Match to avoid overwriting others',
        description:
          'Editing a published dataset starts a new draft; the published version stays visible until the change is approved.',
        security,
        params: DatasetParams,
        body: UpdateDatasetBody,
        response: { 200: DatasetSchema, ...changeErrors },
      },
    },
    async (request, reply) => {
      const view = await datasets.update(
        await context(request),
        request.params.id,
        request.body,
        expectedVersion(request),
      );
      return answer(reply, view);
    },
  );

  app.delete(
    '/datasets/:id',
    {
      schema: {
        tags,
        summary: 'Delete a dataset (restorable by sysadmins)',
        security,
        params: DatasetParams,
        response: { 204: Type.Null(), ...changeErrors },
      },
    },
    async (request, reply) => {
      await datasets.remove(await context(request), request.params.id, expectedVersion(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/datasets/:id/restore',
    {
      schema: {
        tags,
        summary: 'Bring back a deleted dataset (sysadmins)',
        security,
        params: DatasetParams,
        response: { 200: DatasetSchema, ...changeErrors },
      },
    },
    async (request, reply) =>
      answer(reply, await datasets.restore(await context(request), request.params.id)),
  );

  for (const action of Object.keys(workflowSummaries) as WorkflowAction[]) {
    app.post(
      `/datasets/:id/${action}`,
      {
        schema: {
          tags,
          summary: workflowSummaries[action],
          security,
          params: DatasetParams,
          ...(action === 'return' && { body: ReturnBody }),
          response: { 200: DatasetSchema, ...changeErrors },
        },
      },
      async (request, reply) => {
        const comment = (request.body as { comment?: string } | undefined)?.comment;
        const view = await datasets.transition(await context(request), request.params.id, action, {
          comment,
          expectedVersion: expectedVersion(request),
        });
        return answer(reply, view);
      },
    );
  }

  app.get(
    '/datasets/:id/history',
    {
      schema: {
        tags,
        summary: 'Every recorded change, oldest first (members of the publisher)',
        security,
        params: DatasetParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 100 })),
          after: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { 200: HistorySchema, ...commonErrors },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const events = await datasets.history(
        await actorOf(request),
        request.params.id,
        limit + 1,
        request.query.after,
      );
      return presentHistory(events, limit);
    },
  );

  app.get(
    '/datasets/:id/revisions/:number',
    {
      schema: {
        tags,
        summary: 'One revision of a dataset by number',
        params: RevisionParams,
        response: { 200: DatasetSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const view = await datasets.revision(
        await actorOf(request),
        request.params.id,
        request.params.number,
      );
      return answer(reply, view);
    },
  );
};
