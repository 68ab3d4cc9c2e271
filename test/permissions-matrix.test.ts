import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { apiCaller, errorOf, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { completeDataset, organizationWithMembers } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';

/**
 * Who may do what, as one table: every action of the organizations and datasets API tried by
 * each kind of caller. The organization under test is `lsb`; its members are `member`, `editor`
 * and `admin`. `other` is signed in and admin of another organization, nothing in `lsb`.
 *
 * Rules: organization admins manage members and approve; editors create, edit and submit;
 * members see drafts; sysadmins can do everything. Anonymous callers and non-members see only
 * published public datasets, anything else is 404 to them (as if it did not exist); signed-in
 * callers lacking a right on something they can see get 403, anonymous ones 401.
 */
const roles = ['anon', 'other', 'member', 'editor', 'admin', 'sysadmin'] as const;
type Role = (typeof roles)[number];
type ByRole<T> = Record<Role, T>;

const roleNames: ByRole<string> = {
  anon: 'anonymous',
  other: 'admin of another organization',
  member: 'member',
  editor: 'editor',
  admin: 'organization admin',
  sysadmin: 'sysadmin',
};
const insiders: ReadonlySet<Role> = new Set(['member', 'editor', 'admin', 'sysadmin']);

const errorCodes: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
};

/** One row of the matrix: an action and the status each role gets. */
interface Case<F> {
  action: string;
  expect: ByRole<number>;
  /** The thing acted on; called before every role's attempt, so state changes do not carry over. */
  setup: () => Promise<F>;
  request: (user: TestUser | null, fixture: F) => Promise<LightMyRequestResponse>;
  /** What must hold after an allowed request (its status already matched). */
  allowed?: (response: LightMyRequestResponse, fixture: F, role: Role) => Promise<void> | void;
  /** What the action would change, read as sysadmin: a refusal must leave it as it was. */
  snapshot?: (fixture: F) => Promise<unknown>;
  /** The same request on something that does not exist, to compare hidden things' 404 with. */
  ghost?: F;
}

interface OrganizationFixture {
  slug: string;
  url: string;
}

interface DatasetFixture {
  id: string;
  slug: string;
  url: string;
  /** The published title (or the only one for never-published datasets). */
  title: string;
  /** The working copy's title when an edit waits for approval. */
  workingTitle: string;
}

type DatasetKind =
  'draft' | 'in_review' | 'published' | 'restricted' | 'pending' | 'archived' | 'deleted';

/** Runs a read-only fixture's setup once per engine, however many roles and cases use it. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

for (const engine of testEngines()) {
  describe(`permission matrix on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    const users = {} as ByRole<TestUser | null>;
    let sysadmin: TestUser;
    let admin: TestUser;
    let editor: TestUser;
    let member: TestUser;
    /** Member of every fresh organization, so that roles can be changed and removed. */
    let bystander: TestUser;
    /** Nobody's member: the one to add. */
    let newcomer: TestUser;
    let serial = 0;

    before(async () => {
      app = await startTestApp(engine);
      let other: TestUser;
      [sysadmin, admin, editor, member, other, bystander, newcomer] = await Promise.all([
        app.createUser({ sysadmin: true }),
        app.createUser(),
        app.createUser(),
        app.createUser(),
        app.createUser(),
        app.createUser(),
        app.createUser(),
      ]);
      Object.assign(users, { anon: null, other, member, editor, admin, sysadmin });
      await organizationWithMembers(call, sysadmin, 'lsb', [
        [admin, 'admin'],
        [editor, 'editor'],
        [member, 'member'],
      ]);
      await organizationWithMembers(call, sysadmin, 'other-ministry', [[other, 'admin']]);
    });
    after(() => app.close());

    /** A new organization with the usual members, for actions that change it. */
    async function freshOrganization(): Promise<OrganizationFixture> {
      serial += 1;
      const slug = `pm-org-${serial}`;
      await organizationWithMembers(call, sysadmin, slug, [
        [admin, 'admin'],
        [editor, 'editor'],
        [member, 'member'],
        [bystander, 'member'],
      ]);
      return { slug, url: `/api/v1/organizations/${slug}` };
    }

    /** A new dataset of `lsb` in the given state, made through the API by its editor and admin. */
    async function datasetIn(kind: DatasetKind, organization = 'lsb'): Promise<DatasetFixture> {
      serial += 1;
      const slug = `pm-${kind.replace('_', '-')}-${serial}`;
      const title = `Dataset ${serial}`;
      const published = !['draft', 'in_review'].includes(kind);
      const created = await call(published ? admin : editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        organization,
        slug,
        title: { en: title },
        ...(published && { publish: true }),
        ...(kind === 'restricted' && { access_level: 'restricted' }),
      });
      assert.equal(created.statusCode, 201, `fixture ${kind}: ${created.body}`);
      const id: string = created.json().id;
      const url = `/api/v1/datasets/${id}`;
      const step = async (
        user: TestUser,
        method: 'POST' | 'PATCH' | 'DELETE',
        path = '',
        body?: object,
      ) => {
        const response = await call(user, method, `${url}${path}`, body);
        assert.ok(
          response.statusCode < 300,
          `fixture ${kind}: ${method} ${path}: ${response.body}`,
        );
      };
      const workingTitle = kind === 'pending' ? `${title} (revised)` : title;
      if (kind === 'in_review') await step(editor, 'POST', '/submit');
      if (kind === 'pending') await step(editor, 'PATCH', '', { title: { en: workingTitle } });
      if (kind === 'archived') await step(admin, 'POST', '/archive');
      if (kind === 'deleted') await step(admin, 'DELETE');
      return { id, slug, url, title, workingTitle };
    }

    const ghostId = randomUUID();
    const ghostDataset: DatasetFixture = {
      id: ghostId,
      slug: 'pm-no-such-dataset',
      url: `/api/v1/datasets/${ghostId}`,
      title: '',
      workingTitle: '',
    };

    /** The dataset as a sysadmin sees it: what a refused change must not have touched. */
    async function datasetSnapshot(fixture: DatasetFixture) {
      const response = await call(sysadmin, 'GET', fixture.url);
      if (response.statusCode !== 200) return { status: response.statusCode };
      const body = response.json();
      return {
        status: 200,
        slug: body.slug,
        state: body.state,
        title: body.title,
        version: body.version,
        current_revision: body.current_revision,
        published_revision: body.published_revision,
        review_comment: body.review_comment,
      };
    }

    async function organizationSnapshot(fixture: OrganizationFixture) {
      const organization = await call(sysadmin, 'GET', fixture.url);
      const members = await call(sysadmin, 'GET', `${fixture.url}/members`);
      return {
        status: organization.statusCode,
        version: organization.statusCode === 200 ? organization.json().version : null,
        description: organization.statusCode === 200 ? organization.json().description : null,
        members:
          members.statusCode === 200
            ? members
                .json()
                .items.map((item: { email: string; role: string }) => `${item.email}:${item.role}`)
                .sort()
            : members.statusCode,
      };
    }

    async function publicTitle(fixture: DatasetFixture): Promise<string | number> {
      const response = await call(null, 'GET', fixture.url);
      return response.statusCode === 200 ? response.json().title.en : response.statusCode;
    }

    function matrix<F>(cases: Array<Case<F>>): void {
      for (const row of cases) {
        it(row.action, async () => {
          const got = {} as ByRole<number>;
          for (const role of roles) {
            const label = `${roleNames[role]} × ${row.action}`;
            const user = users[role];
            const fixture = await row.setup();
            const refused = row.expect[role] >= 400;
            const before = refused && row.snapshot ? await row.snapshot(fixture) : undefined;
            const response = await row.request(user, fixture);
            got[role] = response.statusCode;
            // A wrong status is reported below, for all roles at once.
            if (response.statusCode !== row.expect[role]) continue;
            if (refused) {
              const error = errorOf(response);
              assert.equal(
                error.code,
                errorCodes[response.statusCode],
                `${label}: ${response.body}`,
              );
              if (row.snapshot)
                assert.deepEqual(
                  await row.snapshot(fixture),
                  before,
                  `${label}: a refused request must change nothing`,
                );
              if (response.statusCode === 404 && row.ghost !== undefined) {
                const ghost = await row.request(user, row.ghost);
                assert.deepEqual(
                  { status: response.statusCode, message: error.message },
                  { status: ghost.statusCode, message: errorOf(ghost).message },
                  `${label}: a hidden dataset must answer like one that does not exist`,
                );
              }
            } else {
              await row.allowed?.(response, fixture, role);
            }
          }
          assert.deepEqual(got, row.expect, `${row.action}: status by role`);
        });
      }
    }

    describe('organizations', () => {
      const lsb = async (): Promise<OrganizationFixture> => ({
        slug: 'lsb',
        url: '/api/v1/organizations/lsb',
      });
      const newSlug = async (): Promise<OrganizationFixture> => {
        serial += 1;
        const slug = `pm-new-org-${serial}`;
        return { slug, url: `/api/v1/organizations/${slug}` };
      };
      const memberList = async (fixture: OrganizationFixture) =>
        (await call(sysadmin, 'GET', `${fixture.url}/members`))
          .json()
          .items.map((item: { user_id: string; role: string }) => `${item.user_id}:${item.role}`);

      matrix<OrganizationFixture>([
        {
          action: 'list organizations',
          expect: { anon: 200, other: 200, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: lsb,
          request: (user) => call(user, 'GET', '/api/v1/organizations?limit=500'),
          allowed: (response, _fixture, role) =>
            assert.ok(
              response.json().items.some((item: { slug: string }) => item.slug === 'lsb'),
              `${roleNames[role]} × list organizations: lsb is listed`,
            ),
        },
        {
          action: 'get organization',
          expect: { anon: 200, other: 200, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: lsb,
          request: (user, org) => call(user, 'GET', org.url),
        },
        {
          action: 'create organization',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 403, sysadmin: 201 },
          setup: newSlug,
          request: (user, org) =>
            call(user, 'POST', '/api/v1/organizations', { slug: org.slug, title: { en: 'New' } }),
          snapshot: async (org) => (await call(sysadmin, 'GET', org.url)).statusCode,
          allowed: async (_response, org, role) =>
            assert.equal(
              (await call(null, 'GET', org.url)).statusCode,
              200,
              `${roleNames[role]} × create organization: it exists`,
            ),
        },
        {
          action: 'update organization',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 200, sysadmin: 200 },
          setup: freshOrganization,
          request: (user, org) => call(user, 'PATCH', org.url, { description: { en: 'Changed' } }),
          snapshot: organizationSnapshot,
          allowed: (response, _org, role) =>
            assert.equal(
              response.json().description.en,
              'Changed',
              `${roleNames[role]} × update organization`,
            ),
        },
        {
          action: 'delete organization',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 403, sysadmin: 204 },
          setup: freshOrganization,
          request: (user, org) => call(user, 'DELETE', org.url),
          snapshot: organizationSnapshot,
          allowed: async (_response, org, role) =>
            assert.equal(
              (await call(null, 'GET', org.url)).statusCode,
              404,
              `${roleNames[role]} × delete organization: gone`,
            ),
        },
        {
          action: 'list members',
          expect: { anon: 401, other: 403, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: lsb,
          request: (user, org) => call(user, 'GET', `${org.url}/members`),
          allowed: (response, _org, role) =>
            assert.deepEqual(
              response
                .json()
                .items.map((item: { role: string }) => item.role)
                .sort(),
              ['admin', 'editor', 'member'],
              `${roleNames[role]} × list members`,
            ),
        },
        {
          action: 'add member',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 200, sysadmin: 200 },
          setup: freshOrganization,
          request: (user, org) =>
            call(user, 'POST', `${org.url}/members`, { email: newcomer.email, role: 'editor' }),
          snapshot: organizationSnapshot,
          allowed: async (_response, org, role) =>
            assert.ok(
              (await memberList(org)).includes(`${newcomer.id}:editor`),
              `${roleNames[role]} × add member`,
            ),
        },
        {
          action: 'change member role',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 200, sysadmin: 200 },
          setup: freshOrganization,
          request: (user, org) =>
            call(user, 'PATCH', `${org.url}/members/${bystander.id}`, { role: 'editor' }),
          snapshot: organizationSnapshot,
          allowed: async (_response, org, role) =>
            assert.ok(
              (await memberList(org)).includes(`${bystander.id}:editor`),
              `${roleNames[role]} × change member role`,
            ),
        },
        {
          action: 'remove member',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 204, sysadmin: 204 },
          setup: freshOrganization,
          request: (user, org) => call(user, 'DELETE', `${org.url}/members/${bystander.id}`),
          snapshot: organizationSnapshot,
          allowed: async (_response, org, role) =>
            assert.ok(
              !(await memberList(org)).some((entry: string) => entry.startsWith(bystander.id)),
              `${roleNames[role]} × remove member`,
            ),
        },
      ]);
    });

    describe('datasets', () => {
      // Read-only fixtures are shared by the cases that only look at them.
      const shared = {
        draft: once(() => datasetIn('draft')),
        in_review: once(() => datasetIn('in_review')),
        published: once(() => datasetIn('published')),
        restricted: once(() => datasetIn('restricted')),
        pending: once(() => datasetIn('pending')),
        archived: once(() => datasetIn('archived')),
        deleted: once(() => datasetIn('deleted')),
      };
      const fresh = (kind: DatasetKind) => () => datasetIn(kind);
      const expectState =
        (action: string, state: string) =>
        (response: LightMyRequestResponse, _f: unknown, role: Role) =>
          assert.equal(response.json().state, state, `${roleNames[role]} × ${action}: state`);
      const newDataset = async (): Promise<DatasetFixture> => {
        serial += 1;
        const slug = `pm-new-dataset-${serial}`;
        return { id: '', slug, url: `/api/v1/datasets/${slug}`, title: slug, workingTitle: slug };
      };
      const common = { snapshot: datasetSnapshot, ghost: ghostDataset };

      matrix<DatasetFixture>([
        {
          action: 'get draft (by slug)',
          expect: { anon: 404, other: 404, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.draft,
          request: (user, d) => call(user, 'GET', `/api/v1/datasets/${d.slug}`),
          allowed: expectState('get draft', 'draft'),
          ghost: ghostDataset,
        },
        {
          action: 'get dataset in review',
          expect: { anon: 404, other: 404, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.in_review,
          request: (user, d) => call(user, 'GET', d.url),
          allowed: expectState('get dataset in review', 'in_review'),
          ghost: ghostDataset,
        },
        {
          action: 'get published',
          expect: { anon: 200, other: 200, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.published,
          request: (user, d) => call(user, 'GET', d.url),
          allowed: expectState('get published', 'published'),
        },
        {
          action: 'get restricted published',
          expect: { anon: 404, other: 404, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.restricted,
          request: (user, d) => call(user, 'GET', d.url),
          allowed: expectState('get restricted published', 'published'),
          ghost: ghostDataset,
        },
        {
          action: 'get published with a pending edit',
          expect: { anon: 200, other: 200, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.pending,
          request: (user, d) => call(user, 'GET', d.url),
          allowed: (response, d, role) => {
            const label = `${roleNames[role]} × get published with a pending edit`;
            const body = response.json();
            if (insiders.has(role)) {
              assert.equal(
                body.title.en,
                d.workingTitle,
                `${label}: insiders see the working copy`,
              );
              assert.equal(body.state, 'draft', label);
              assert.equal(body.has_unpublished_changes, true, label);
            } else {
              assert.equal(body.title.en, d.title, `${label}: outsiders see the published title`);
              assert.equal(body.state, 'published', label);
              assert.equal(body.current_revision, null, label);
              assert.equal(body.has_unpublished_changes, false, label);
            }
          },
        },
        {
          action: 'get published version of a pending edit (?revision=published)',
          expect: { anon: 200, other: 200, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.pending,
          request: (user, d) => call(user, 'GET', `${d.url}?revision=published`),
          allowed: (response, d, role) =>
            assert.equal(
              response.json().title.en,
              d.title,
              `${roleNames[role]} × get ?revision=published`,
            ),
        },
        {
          action: 'get archived',
          expect: { anon: 404, other: 404, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.archived,
          request: (user, d) => call(user, 'GET', d.url),
          allowed: expectState('get archived', 'archived'),
          ghost: ghostDataset,
        },
        {
          action: 'get deleted',
          expect: { anon: 404, other: 404, member: 404, editor: 404, admin: 404, sysadmin: 404 },
          setup: shared.deleted,
          request: (user, d) => call(user, 'GET', d.url),
          ghost: ghostDataset,
        },
        {
          action: 'create draft in the organization',
          expect: { anon: 401, other: 403, member: 403, editor: 201, admin: 201, sysadmin: 201 },
          setup: newDataset,
          request: (user, d) =>
            call(user, 'POST', '/api/v1/datasets', {
              ...completeDataset,
              slug: d.slug,
              title: { en: d.title },
            }),
          snapshot: datasetSnapshot,
          allowed: expectState('create draft in the organization', 'draft'),
        },
        {
          action: 'create published at once (publish: true)',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 201, sysadmin: 201 },
          setup: newDataset,
          request: (user, d) =>
            call(user, 'POST', '/api/v1/datasets', {
              ...completeDataset,
              slug: d.slug,
              title: { en: d.title },
              publish: true,
            }),
          snapshot: datasetSnapshot,
          allowed: expectState('create published at once', 'published'),
        },
        {
          action: 'update draft',
          expect: { anon: 404, other: 404, member: 403, editor: 200, admin: 200, sysadmin: 200 },
          setup: fresh('draft'),
          request: (user, d) => call(user, 'PATCH', d.url, { title: { en: 'Changed title' } }),
          ...common,
          allowed: (response, _d, role) => {
            assert.equal(
              response.json().title.en,
              'Changed title',
              `${roleNames[role]} × update draft`,
            );
            assert.equal(response.json().state, 'draft', `${roleNames[role]} × update draft`);
          },
        },
        {
          action: 'update published (starts a pending draft)',
          expect: { anon: 401, other: 403, member: 403, editor: 200, admin: 200, sysadmin: 200 },
          setup: fresh('published'),
          request: (user, d) => call(user, 'PATCH', d.url, { title: { en: 'Changed title' } }),
          ...common,
          allowed: async (response, d, role) => {
            const label = `${roleNames[role]} × update published`;
            assert.equal(response.json().state, 'draft', label);
            assert.equal(response.json().has_unpublished_changes, true, label);
            assert.equal(
              await publicTitle(d),
              d.title,
              `${label}: the public keeps the published title`,
            );
          },
        },
        {
          action: 'update restricted published',
          expect: { anon: 404, other: 404, member: 403, editor: 200, admin: 200, sysadmin: 200 },
          setup: fresh('restricted'),
          request: (user, d) => call(user, 'PATCH', d.url, { title: { en: 'Changed title' } }),
          ...common,
        },
        {
          action: 'submit draft',
          expect: { anon: 404, other: 404, member: 403, editor: 200, admin: 200, sysadmin: 200 },
          setup: fresh('draft'),
          request: (user, d) => call(user, 'POST', `${d.url}/submit`),
          ...common,
          allowed: expectState('submit draft', 'in_review'),
        },
        {
          action: 'return dataset in review (with comment)',
          expect: { anon: 404, other: 404, member: 403, editor: 403, admin: 200, sysadmin: 200 },
          setup: fresh('in_review'),
          request: (user, d) =>
            call(user, 'POST', `${d.url}/return`, { comment: 'Add the Lao title' }),
          ...common,
          allowed: (response, _d, role) => {
            assert.equal(response.json().state, 'draft', `${roleNames[role]} × return`);
            assert.equal(
              response.json().review_comment,
              'Add the Lao title',
              `${roleNames[role]} × return`,
            );
          },
        },
        {
          action: 'approve dataset in review',
          expect: { anon: 404, other: 404, member: 403, editor: 403, admin: 200, sysadmin: 200 },
          setup: fresh('in_review'),
          request: (user, d) => call(user, 'POST', `${d.url}/approve`),
          ...common,
          allowed: async (response, d, role) => {
            assert.equal(response.json().state, 'published', `${roleNames[role]} × approve`);
            assert.equal(await publicTitle(d), d.title, `${roleNames[role]} × approve: public now`);
          },
        },
        {
          action: 'archive published',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 200, sysadmin: 200 },
          setup: fresh('published'),
          request: (user, d) => call(user, 'POST', `${d.url}/archive`),
          ...common,
          allowed: async (response, d, role) => {
            assert.equal(response.json().state, 'archived', `${roleNames[role]} × archive`);
            assert.equal(await publicTitle(d), 404, `${roleNames[role]} × archive: hidden now`);
          },
        },
        {
          action: 'unarchive',
          expect: { anon: 404, other: 404, member: 403, editor: 403, admin: 200, sysadmin: 200 },
          setup: fresh('archived'),
          request: (user, d) => call(user, 'POST', `${d.url}/unarchive`),
          ...common,
          allowed: async (response, d, role) => {
            assert.equal(response.json().state, 'published', `${roleNames[role]} × unarchive`);
            assert.equal(
              await publicTitle(d),
              d.title,
              `${roleNames[role]} × unarchive: public again`,
            );
          },
        },
        {
          action: 'delete never-published draft',
          expect: { anon: 404, other: 404, member: 403, editor: 204, admin: 204, sysadmin: 204 },
          setup: fresh('draft'),
          request: (user, d) => call(user, 'DELETE', d.url),
          ...common,
          allowed: async (_response, d, role) =>
            assert.deepEqual(
              await datasetSnapshot(d),
              { status: 404 },
              `${roleNames[role]} × delete draft: gone`,
            ),
        },
        {
          action: 'delete published',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 204, sysadmin: 204 },
          setup: fresh('published'),
          request: (user, d) => call(user, 'DELETE', d.url),
          ...common,
          allowed: async (_response, d, role) =>
            assert.equal(await publicTitle(d), 404, `${roleNames[role]} × delete published: gone`),
        },
        {
          action: 'delete published with a pending edit',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 204, sysadmin: 204 },
          setup: fresh('pending'),
          request: (user, d) => call(user, 'DELETE', d.url),
          ...common,
        },
        {
          // Refused before the dataset is looked up: the answer says nothing about whether it exists.
          action: 'restore deleted (sysadmins only)',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 403, sysadmin: 200 },
          setup: fresh('deleted'),
          request: (user, d) => call(user, 'POST', `${d.url}/restore`),
          ...common,
          allowed: async (_response, d, role) =>
            assert.equal(
              await publicTitle(d),
              d.title,
              `${roleNames[role]} × restore: public again`,
            ),
        },
        {
          action: 'restore a dataset that never existed',
          expect: { anon: 401, other: 403, member: 403, editor: 403, admin: 403, sysadmin: 404 },
          setup: async () => ghostDataset,
          request: (user, d) => call(user, 'POST', `${d.url}/restore`),
        },
        {
          action: 'history of draft',
          expect: { anon: 404, other: 404, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.draft,
          request: (user, d) => call(user, 'GET', `${d.url}/history`),
          allowed: (response, _d, role) =>
            assert.equal(
              response.json().items[0]?.action,
              'created',
              `${roleNames[role]} × history of draft`,
            ),
          ghost: ghostDataset,
        },
        {
          action: 'history of published',
          expect: { anon: 401, other: 403, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.published,
          request: (user, d) => call(user, 'GET', `${d.url}/history`),
        },
        {
          action: 'revision 1 of draft',
          expect: { anon: 404, other: 404, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.draft,
          request: (user, d) => call(user, 'GET', `${d.url}/revisions/1`),
          ghost: ghostDataset,
        },
        {
          action: 'revision 1 of a pending edit (the published one)',
          expect: { anon: 200, other: 200, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.pending,
          request: (user, d) => call(user, 'GET', `${d.url}/revisions/1`),
          allowed: (response, d, role) =>
            assert.equal(
              response.json().title.en,
              d.title,
              `${roleNames[role]} × revision 1 of pending`,
            ),
        },
        {
          action: 'revision 2 of a pending edit (not yet approved)',
          expect: { anon: 404, other: 404, member: 200, editor: 200, admin: 200, sysadmin: 200 },
          setup: shared.pending,
          request: (user, d) => call(user, 'GET', `${d.url}/revisions/2`),
          allowed: (response, d, role) =>
            assert.equal(
              response.json().title.en,
              d.workingTitle,
              `${roleNames[role]} × revision 2 of pending`,
            ),
        },
      ]);

      describe('lists', () => {
        /**
         * Which datasets of one organization each role finds in lists, with the state shown:
         * outsiders only ever see published public datasets, shown as published.
         * (Edits that change nothing, and slug moves, are covered in datasets-workflow.test.ts.)
         */
        // prettier-ignore
        const listed: Record<DatasetKind, ByRole<string | null>> = {
          draft:      { anon: null,        other: null,        member: 'draft',     editor: 'draft',     admin: 'draft',     sysadmin: 'draft' },
          in_review:  { anon: null,        other: null,        member: 'in_review', editor: 'in_review', admin: 'in_review', sysadmin: 'in_review' },
          published:  { anon: 'published', other: 'published', member: 'published', editor: 'published', admin: 'published', sysadmin: 'published' },
          restricted: { anon: null,        other: null,        member: 'published', editor: 'published', admin: 'published', sysadmin: 'published' },
          pending:    { anon: 'published', other: 'published', member: 'draft',     editor: 'draft',     admin: 'draft',     sysadmin: 'draft' },
          archived:   { anon: null,        other: null,        member: 'archived',  editor: 'archived',  admin: 'archived',  sysadmin: 'archived' },
          deleted:    { anon: null,        other: null,        member: null,        editor: null,        admin: null,        sysadmin: null },
        };
        const kinds = Object.keys(listed) as DatasetKind[];
        const organization = 'pm-listing';
        const fixtures = {} as Record<DatasetKind, DatasetFixture>;

        before(async () => {
          await organizationWithMembers(call, sysadmin, organization, [
            [admin, 'admin'],
            [editor, 'editor'],
            [member, 'member'],
          ]);
          for (const kind of kinds) fixtures[kind] = await datasetIn(kind, organization);
        });

        interface Listed {
          id: string;
          state: string;
          title: { en: string | null };
        }

        /** What `role` is shown of this organization's datasets: slug → [state, English title]. */
        const seen = (items: Listed[]) =>
          Object.fromEntries(
            kinds
              .map((kind) => [kind, items.find((item) => item.id === fixtures[kind].id)] as const)
              .filter(([, item]) => item !== undefined)
              .map(([kind, item]) => [kind, [item?.state, item?.title.en]]),
          );
        const expected = (role: Role, only: (state: string) => boolean = () => true) =>
          Object.fromEntries(
            kinds.flatMap((kind) => {
              const state = listed[kind][role];
              if (state === null || !only(state)) return [];
              const title = insiders.has(role) ? fixtures[kind].workingTitle : fixtures[kind].title;
              return [[kind, [state, title]]];
            }),
          );

        it('GET /api/v1/datasets (every page): which datasets appear, in which state', async () => {
          for (const role of roles) {
            const items: Listed[] = [];
            let next: string | null = null;
            let pages = 0;
            do {
              const response = await call(
                users[role],
                'GET',
                `/api/v1/datasets?limit=100${next === null ? '' : `&after=${next}`}`,
              );
              assert.equal(
                response.statusCode,
                200,
                `${roleNames[role]} × list datasets: ${response.body}`,
              );
              items.push(...response.json().items);
              next = response.json().next;
              pages += 1;
            } while (next !== null && pages < 20);
            assert.deepEqual(seen(items), expected(role), `${roleNames[role]} × list datasets`);
          }
        });

        it(`GET /api/v1/datasets?organization=…: contents and total`, async () => {
          for (const role of roles) {
            const label = `${roleNames[role]} × list datasets of an organization`;
            const response = await call(
              users[role],
              'GET',
              `/api/v1/datasets?organization=${organization}`,
            );
            assert.equal(response.statusCode, 200, `${label}: ${response.body}`);
            const body = response.json();
            const wanted = expected(role);
            assert.deepEqual(seen(body.items), wanted, label);
            assert.equal(body.items.length, Object.keys(wanted).length, `${label}: nothing else`);
            assert.equal(body.total, Object.keys(wanted).length, `${label}: total`);
          }
        });

        it(`GET /api/v1/datasets?organization=…&state=draft: contents and total`, async () => {
          for (const role of roles) {
            const label = `${roleNames[role]} × list draft datasets of an organization`;
            const response = await call(
              users[role],
              'GET',
              `/api/v1/datasets?organization=${organization}&state=draft`,
            );
            assert.equal(response.statusCode, 200, `${label}: ${response.body}`);
            const body = response.json();
            const wanted = expected(role, (state) => state === 'draft');
            assert.deepEqual(seen(body.items), wanted, label);
            assert.equal(body.total, Object.keys(wanted).length, `${label}: total`);
          }
        });
      });
    });
  });
}
