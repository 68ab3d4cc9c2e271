import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, ErrorSchema, signedIn } from '../../http/schemas.js';
import { expectedVersion, setVersionTag } from '../../http/versions.js';
import type { ActorLoader } from '../actor.js';
import { presentMember, presentOrganization } from './present.js';
import {
  AddMemberBody,
  ChangeRoleBody,
  CreateOrganizationBody,
  MemberListSchema,
  MemberParams,
  OrganizationListQuery,
  OrganizationListSchema,
  OrganizationParams,
  OrganizationSchema,
  UpdateOrganizationBody,
} from './schemas.js';
import type { OrganizationService } from './service.js';

const security = signedIn;
const tags = ['organizations'];

/** `/api/v1/organizations`: publishers and their members. */
export const organizationRoutes: FastifyPluginAsync<{
  organizations: OrganizationService;
  actorOf: ActorLoader;
}> = async (base, { organizations, actorOf }) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const context = async (request: Parameters<ActorLoader>[0]) => ({
    actor: await actorOf(request),
    requestId: request.id,
  });

  app.get(
    '/organizations',
    {
      schema: {
        tags,
        summary: 'Publishing organizations, by slug',
        querystring: OrganizationListQuery,
        response: { 200: OrganizationListSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const { kind, parent, after } = request.query;
      const limit = request.query.limit ?? 50;
      const { rows, total } = await organizations.list({ kind, parent }, limit + 1, after);
      const page = rows.slice(0, limit);
      return {
        total,
        items: page.map(presentOrganization),
        next: rows.length > limit ? (page.at(-1)?.slug ?? null) : null,
      };
    },
  );

  app.get(
    '/organizations/:id',
    {
      schema: {
        tags,
        summary: 'One organization, by id or slug',
        params: OrganizationParams,
        response: { 200: OrganizationSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const row = await organizations.get(request.params.id);
      setVersionTag(reply, row.version);
      return presentOrganization(row);
    },
  );

  app.post(
    '/organizations',
    {
      schema: {
        tags,
        summary: 'Create an organization (sysadmins)',
        security,
        body: CreateOrganizationBody,
        response: { 201: OrganizationSchema, 409: ErrorSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const row = await organizations.create(await context(request), request.body);
      reply.status(201);
      setVersionTag(reply, row.version);
      return presentOrganization(row);
    },
  );

  app.patch(
    '/organizations/:id',
    {
      schema: {
        tags,
        summary:
          'Edit an organization (its admins, sysadmins); send If-Match to avoid overwriting others',
        security,
        params: OrganizationParams,
        body: UpdateOrganizationBody,
        response: { 200: OrganizationSchema, 409: ErrorSchema, 412: ErrorSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const row = await organizations.update(
        await context(request),
        request.params.id,
        request.body,
        expectedVersion(request),
      );
      setVersionTag(reply, row.version);
      return presentOrganization(row);
    },
  );

  app.delete(
    '/organizations/:id',
    {
      schema: {
        tags,
        summary: 'Delete an organization (sysadmins)',
        security,
        params: OrganizationParams,
        response: { 204: Type.Null(), ...commonErrors },
      },
    },
    async (request, reply) => {
      await organizations.remove(await context(request), request.params.id);
      reply.status(204);
    },
  );

  app.get(
    '/organizations/:id/members',
    {
      schema: {
        tags,
        summary: 'Members and their roles (visible to members and sysadmins)',
        security,
        params: OrganizationParams,
        response: { 200: MemberListSchema, ...commonErrors },
      },
    },
    async (request) => {
      const rows = await organizations.members(await actorOf(request), request.params.id);
      return { items: rows.map(presentMember) };
    },
  );

  app.post(
    '/organizations/:id/members',
    {
      schema: {
        tags,
        summary: 'Add a member or change their role (organization admins, sysadmins)',
        security,
        params: OrganizationParams,
        body: AddMemberBody,
        response: { 200: MemberListSchema, 409: ErrorSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { email, user_id, role } = request.body;
      await organizations.setMember(
        await context(request),
        request.params.id,
        { email, userId: user_id },
        role,
      );
      const rows = await organizations.members(await actorOf(request), request.params.id);
      return { items: rows.map(presentMember) };
    },
  );

  app.patch(
    '/organizations/:id/members/:userId',
    {
      schema: {
        tags,
        summary: "Change a member's role (organization admins, sysadmins)",
        security,
        params: MemberParams,
        body: ChangeRoleBody,
        response: { 200: MemberListSchema, 409: ErrorSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { id, userId } = request.params;
      await organizations.setMember(await context(request), id, { userId }, request.body.role);
      const rows = await organizations.members(await actorOf(request), id);
      return { items: rows.map(presentMember) };
    },
  );

  app.delete(
    '/organizations/:id/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member (organization admins, sysadmins)',
        security,
        params: MemberParams,
        response: { 204: Type.Null(), 409: ErrorSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      await organizations.removeMember(
        await context(request),
        request.params.id,
        request.params.userId,
      );
      reply.status(204);
    },
  );
};
