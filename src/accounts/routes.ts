import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireSysadmin, requireUser } from '../http/auth.js';
import { commonErrors, ErrorSchema, signedIn } from '../http/schemas.js';
import { Invalid } from '../lib/errors.js';
import type { Accounts } from './accounts.js';
import { presentMe, presentToken, presentUser } from './present.js';
import {
  CreatedTokenSchema,
  CreateTokenBody,
  CreateUserBody,
  IdParams,
  MeSchema,
  TokenListSchema,
  UpdateMeBody,
  UpdateUserBody,
  UserListQuery,
  UserListSchema,
  UserSchema,
} from './schemas.js';

const security = signedIn;

/** `/api/v1/me`, `/api/v1/tokens` and the sysadmins' `/api/v1/users`. */
export const accountRoutes: FastifyPluginAsync<{ accounts: Accounts }> = async (
  base,
  { accounts },
) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const me = async (id: string, via: 'token' | 'session') => ({
    ...presentUser(await accounts.users.getUser(id)),
    authenticated_by: via,
  });

  app.get(
    '/me',
    {
      schema: {
        tags: ['account'],
        summary: 'The user the request is authenticated as',
        security,
        response: { 200: MeSchema, ...commonErrors },
      },
    },
    async (request) => presentMe(requireUser(request), request.auth?.via ?? 'token'),
  );

  app.patch(
    '/me',
    {
      schema: {
        tags: ['account'],
        summary: 'Change your name, language or password',
        security,
        body: UpdateMeBody,
        response: { 200: MeSchema, ...commonErrors },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { display_name, language, current_password, new_password } = request.body;
      if (new_password !== undefined) {
        if (current_password === undefined)
          throw new Invalid('current_password', 'is required to set a new password');
        await accounts.users.changeOwnPassword(user, current_password, new_password);
      }
      if (display_name !== undefined || language !== undefined) {
        await accounts.users.updateUser(user.id, { displayName: display_name, language });
      }
      return me(user.id, request.auth?.via ?? 'token');
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        tags: ['account'],
        summary: 'Your API tokens (without their secrets)',
        security,
        querystring: Type.Object({ include_revoked: Type.Optional(Type.Boolean()) }),
        response: { 200: TokenListSchema, ...commonErrors },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const rows = await accounts.tokens.listTokens(
        user.id,
        request.query.include_revoked ?? false,
      );
      return { items: rows.map(presentToken) };
    },
  );

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['account'],
        summary: 'Create an API token; the secret is in this answer only',
        security,
        body: CreateTokenBody,
        response: { 201: CreatedTokenSchema, 409: ErrorSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { name, expires_at } = request.body;
      const { token, row } = await accounts.tokens.createToken(user.id, {
        name,
        expiresAt: expires_at === undefined ? undefined : new Date(expires_at),
      });
      reply.status(201).header('cache-control', 'no-store');
      return { ...presentToken(row), token };
    },
  );

  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['account'],
        summary: 'Revoke one of your API tokens',
        security,
        params: IdParams,
        response: { 204: Type.Null(), ...commonErrors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      await accounts.tokens.revokeToken(user.id, request.params.id);
      reply.status(204);
    },
  );

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'All users, by email (sysadmins only)',
        security,
        querystring: UserListQuery,
        response: { 200: UserListSchema, ...commonErrors },
      },
    },
    async (request) => {
      requireSysadmin(request);
      const limit = request.query.limit ?? 100;
      const rows = await accounts.users.listUsers(limit + 1, request.query.after);
      const page = rows.slice(0, limit);
      return {
        items: page.map(presentUser),
        next: rows.length > limit ? (page.at(-1)?.email ?? null) : null,
      };
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (sysadmins only)',
        security,
        body: CreateUserBody,
        response: { 201: UserSchema, 409: ErrorSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      requireSysadmin(request);
      const body = request.body;
      const row = await accounts.users.createUser({
        email: body.email,
        password: body.password,
        displayName: body.display_name,
        language: body.language,
        isSysadmin: body.sysadmin,
      });
      reply.status(201);
      return presentUser(row);
    },
  );

  app.get(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'One user (sysadmins only)',
        security,
        params: IdParams,
        response: { 200: UserSchema, ...commonErrors },
      },
    },
    async (request) => {
      requireSysadmin(request);
      return presentUser(await accounts.users.getUser(request.params.id));
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Disable, enable, promote or rename a user (sysadmins only)',
        security,
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: UserSchema, ...commonErrors },
      },
    },
    async (request) => {
      const actor = requireSysadmin(request);
      const body = request.body;
      if (request.params.id === actor.id && (body.active === false || body.sysadmin === false)) {
        throw new Invalid('id', 'you cannot disable or demote yourself; ask another sysadmin');
      }
      const row = await accounts.users.updateUser(request.params.id, {
        displayName: body.display_name,
        language: body.language,
        active: body.active,
        isSysadmin: body.sysadmin,
        password: body.password,
      });
      return presentUser(row);
    },
  );
};
