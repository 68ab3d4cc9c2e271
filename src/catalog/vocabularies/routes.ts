import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Schema } from '../../db/index.js';
import { commonErrors, ErrorSchema, NullableString, signedIn } from '../../http/schemas.js';
import { isBlank, normalizeLaoInput } from '../../lao/index.js';
import { Conflict, Invalid } from '../../lib/errors.js';
import { httpUrl } from '../../lib/http-url.js';
import type { ActorLoader } from '../actor.js';
import { authorize, isSysadmin } from '../policy.js';
import { TranslatableOutput } from '../translatable.js';
import { frequencies } from './frequencies.js';
import { provinces } from './provinces.js';
import * as q from './queries.js';

const tags = ['vocabularies'];
const security = signedIn;

const ThemeSchema = Type.Object({
  code: Type.String(),
  label: TranslatableOutput,
  uri: NullableString(),
  national: Type.Boolean(),
});
const LicenceSchema = Type.Object({
  id: Type.String(),
  title: TranslatableOutput,
  url: NullableString(),
  open: Type.Boolean(),
});
const Label = Type.Object(
  { lo: Type.String({ maxLength: 200 }), en: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);

const presentTheme = (row: q.ThemeRow) => ({
  code: row.code,
  label: { lo: row.label_lo, en: row.label_en },
  uri: row.uri,
  national: row.is_national,
});
const presentLicence = (row: q.LicenceRow) => ({
  id: row.id,
  title: { lo: row.title_lo, en: row.title_en },
  url: row.url,
  open: row.is_open,
});

function label(value: string, field: string): string {
  if (isBlank(value)) throw new Invalid(field, 'must not be empty');
  return normalizeLaoInput(value);
}

/** The controlled vocabularies datasets draw from: themes, licences, frequencies, provinces. */
export const vocabularyRoutes: FastifyPluginAsync<{
  db: Kysely<Schema>;
  actorOf: ActorLoader;
}> = async (base, { db, actorOf }) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/themes',
    {
      schema: {
        tags,
        summary: 'Dataset themes: the 13 EU data themes and national categories',
        response: { 200: Type.Object({ items: Type.Array(ThemeSchema) }) },
      },
    },
    async () => ({ items: (await q.listThemes(db)).map(presentTheme) }),
  );

  app.post(
    '/themes',
    {
      schema: {
        tags,
        summary: 'Add a national category (sysadmins)',
        security,
        body: Type.Object(
          {
            code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,31}$' }),
            label: Label,
            uri: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ThemeSchema, ...commonErrors, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      const actor = await actorOf(request);
      authorize(actor, isSysadmin(actor));
      const { code, uri } = request.body;
      const row = await q.insertTheme(db, {
        code,
        label_lo: label(request.body.label.lo, 'label.lo'),
        label_en: label(request.body.label.en, 'label.en'),
        uri: uri === undefined ? null : httpUrl(uri, 'uri'),
      });
      if (!row) throw new Conflict('This theme code is already used', 'code');
      return reply.status(201).send(presentTheme(row));
    },
  );

  app.get(
    '/licences',
    {
      schema: {
        tags,
        summary: 'Licences a dataset may carry',
        response: { 200: Type.Object({ items: Type.Array(LicenceSchema) }) },
      },
    },
    async () => ({ items: (await q.listLicences(db)).map(presentLicence) }),
  );

  app.post(
    '/licences',
    {
      schema: {
        tags,
        summary: 'Add a licence (sysadmins)',
        security,
        body: Type.Object(
          {
            id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9.+-]{1,63}$' }),
            title: Label,
            url: Type.Optional(Type.String({ maxLength: 2000 })),
            open: Type.Optional(Type.Boolean({ default: true })),
          },
          { additionalProperties: false },
        ),
        response: { 201: LicenceSchema, ...commonErrors, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      const actor = await actorOf(request);
      authorize(actor, isSysadmin(actor));
      const { id, url, open = true } = request.body;
      const row = await q.insertLicence(db, {
        id,
        title_lo: label(request.body.title.lo, 'title.lo'),
        title_en: label(request.body.title.en, 'title.en'),
        url: url === undefined ? null : httpUrl(url, 'url'),
        is_open: open,
      });
      if (!row) throw new Conflict('This licence id is already used', 'id');
      return reply.status(201).send(presentLicence(row));
    },
  );

  app.get(
    '/frequencies',
    {
      schema: {
        tags,
        summary: 'Update frequencies (EU frequency vocabulary)',
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ code: Type.String(), label: TranslatableOutput })),
          }),
        },
      },
    },
    async () => ({ items: [...frequencies] }),
  );

  app.get(
    '/provinces',
    {
      schema: {
        tags,
        summary: 'Provinces of Lao PDR by p-code, for spatial coverage',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ pcode: Type.String(), iso: Type.String(), name: TranslatableOutput }),
            ),
          }),
        },
      },
    },
    async () => ({ items: [...provinces] }),
  );
};
