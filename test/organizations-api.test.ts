import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, errorOf, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';

for (const engine of testEngines()) {
  describe(`organizations API on ${engine.name}`, () => {
    let app: TestApp;
    let sysadmin: TestUser;
    let orgAdmin: TestUser;
    let editor: TestUser;
    let outsider: TestUser;

    const call = (
      user: TestUser | null,
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: object,
      headers: Record<string, string> = {},
    ) =>
      app.http.inject({
        method,
        url,
        ...(payload && { payload }),
        headers: { ...(user ? bearer(user.token) : {}), ...headers },
      });

    before(async () => {
      app = await startTestApp(engine);
      sysadmin = await app.createUser({ sysadmin: true });
      orgAdmin = await app.createUser();
      editor = await app.createUser();
      outsider = await app.createUser();
      const created = await call(sysadmin, 'POST', '/api/v1/organizations', {
        slug: 'mof',
        title: { lo: 'ກະຊວງການເງິນ', en: 'Ministry of Finance' },
        kind: 'ministry',
        website: 'https://mof.gov.la',
      });
      assert.equal(created.statusCode, 201, created.body);
      for (const [user, role] of [
        [orgAdmin, 'admin'],
        [editor, 'editor'],
      ] as const) {
        const added = await call(sysadmin, 'POST', '/api/v1/organizations/mof/members', {
          email: user.email,
          role,
        });
        assert.equal(added.statusCode, 200, added.body);
      }
    });
    after(() => app.close());

    it('creates an organization with a slug from the English title, shown to everyone', async () => {
      const created = await call(sysadmin, 'POST', '/api/v1/organizations', {
        title: { lo: 'ກົມສະຖິຕິ', en: 'Lao Statistics Bureau' },
        kind: 'department',
        parent: 'mof',
        contact_email: 'Info@LSB.gov.la',
      });
      assert.equal(created.statusCode, 201, created.body);
      const body = created.json();
      assert.equal(body.slug, 'lao-statistics-bureau');
      assert.deepEqual(body.parent.slug, 'mof');
      assert.equal(body.contact_email, 'info@lsb.gov.la');
      assert.equal(created.headers.etag, '"1"');
      const anonymous = await call(null, 'GET', '/api/v1/organizations/lao-statistics-bureau');
      assert.equal(anonymous.statusCode, 200);
      assert.deepEqual(anonymous.json().title, { lo: 'ກົມສະຖິຕິ', en: 'Lao Statistics Bureau' });
    });

    it('makes a slug from a Lao-only title', async () => {
      const created = await call(sysadmin, 'POST', '/api/v1/organizations', {
        title: { lo: 'ແຂວງຫຼວງພະບາງ' },
        kind: 'province',
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.match(created.json().slug, /^[a-z0-9-]+$/);
    });

    it('refuses bad input naming the field, and writes nothing', async () => {
      const before = (await call(null, 'GET', '/api/v1/organizations')).json().total;
      const cases: Array<[object, string, number?]> = [
        [{ title: { lo: ' \u200b ', en: '  ' } }, 'title'],
        [{ title: { en: 'X' }, slug: 'Not A Slug' }, 'slug'],
        [{ title: { en: 'X' }, slug: 'mof' }, 'slug', 409],
        [{ title: { en: 'X' }, kind: 'church' }, 'kind'],
        [{ title: { en: 'X' }, website: 'javascript:alert(1)' }, 'website'],
        [{ title: { en: 'X' }, contact_email: 'nobody' }, 'contact_email'],
        [{ title: { en: 'X' }, parent: 'no-such-org' }, 'parent'],
      ];
      for (const [payload, field, status = 400] of cases) {
        const response = await call(sysadmin, 'POST', '/api/v1/organizations', payload);
        assert.equal(response.statusCode, status, `${JSON.stringify(payload)} → ${response.body}`);
        assert.match(JSON.stringify(errorOf(response)), new RegExp(field));
      }
      assert.equal((await call(null, 'GET', '/api/v1/organizations')).json().total, before);
    });

    it('lets only sysadmins create and delete, and admins edit', async () => {
      assert.equal(
        (await call(null, 'POST', '/api/v1/organizations', { title: { en: 'X' } })).statusCode,
        401,
      );
      for (const user of [orgAdmin, editor, outsider]) {
        assert.equal(
          (await call(user, 'POST', '/api/v1/organizations', { title: { en: 'X' } })).statusCode,
          403,
        );
        assert.equal((await call(user, 'DELETE', '/api/v1/organizations/mof')).statusCode, 403);
      }
      for (const user of [editor, outsider]) {
        assert.equal(
          (await call(user, 'PATCH', '/api/v1/organizations/mof', { website: null })).statusCode,
          403,
        );
      }
      const edited = await call(orgAdmin, 'PATCH', '/api/v1/organizations/mof', {
        description: { en: 'Public finance' },
      });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal(edited.json().description.en, 'Public finance');
    });

    it('answers 412 to an edit based on a stale version, 200 to a fresh one', async () => {
      const current = await call(null, 'GET', '/api/v1/organizations/mof');
      const etag = String(current.headers.etag);
      const first = await call(
        orgAdmin,
        'PATCH',
        '/api/v1/organizations/mof',
        { contact_phone: '+856 21 412 142' },
        { 'if-match': etag },
      );
      assert.equal(first.statusCode, 200, first.body);
      const stale = await call(
        sysadmin,
        'PATCH',
        '/api/v1/organizations/mof',
        { contact_phone: '+856 21 000 000' },
        { 'if-match': etag },
      );
      assert.equal(stale.statusCode, 412);
      assert.equal(errorOf(stale).code, 'PRECONDITION_FAILED');
      const stored = await call(null, 'GET', '/api/v1/organizations/mof');
      assert.equal(stored.json().contact_phone, '+856 21 412 142');
      assert.equal(
        (
          await call(
            orgAdmin,
            'PATCH',
            '/api/v1/organizations/mof',
            { kind: 'ministry' },
            { 'if-match': 'garbage' },
          )
        ).statusCode,
        400,
      );
    });

    it('refuses a parent that makes a cycle', async () => {
      const child = await call(sysadmin, 'POST', '/api/v1/organizations', {
        slug: 'mof-dept',
        title: { en: 'Dept' },
        parent: 'mof',
        kind: 'department',
      });
      assert.equal(child.statusCode, 201);
      const cycle = await call(sysadmin, 'PATCH', '/api/v1/organizations/mof', {
        parent: 'mof-dept',
      });
      assert.equal(cycle.statusCode, 400);
      assert.match(errorOf(cycle).message, /^parent/);
      const self = await call(sysadmin, 'PATCH', '/api/v1/organizations/mof', { parent: 'mof' });
      assert.equal(self.statusCode, 400);
    });

    it('shows members to members only, and keeps the last admin', async () => {
      assert.equal(
        (await call(outsider, 'GET', '/api/v1/organizations/mof/members')).statusCode,
        403,
      );
      assert.equal((await call(null, 'GET', '/api/v1/organizations/mof/members')).statusCode, 401);
      const list = await call(editor, 'GET', '/api/v1/organizations/mof/members');
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list
          .json()
          .items.map((member: { email: string; role: string }) => [member.email, member.role])
          .sort(),
        [
          [editor.email, 'editor'],
          [orgAdmin.email, 'admin'],
        ].sort(),
      );
      assert.equal(
        (
          await call(editor, 'POST', '/api/v1/organizations/mof/members', {
            email: outsider.email,
            role: 'admin',
          })
        ).statusCode,
        403,
      );
      const lastAdmin = await call(
        orgAdmin,
        'DELETE',
        `/api/v1/organizations/mof/members/${orgAdmin.id}`,
      );
      assert.equal(lastAdmin.statusCode, 409);
      const demote = await call(
        orgAdmin,
        'PATCH',
        `/api/v1/organizations/mof/members/${orgAdmin.id}`,
        { role: 'member' },
      );
      assert.equal(demote.statusCode, 409);
      const promote = await call(
        orgAdmin,
        'PATCH',
        `/api/v1/organizations/mof/members/${editor.id}`,
        { role: 'admin' },
      );
      assert.equal(promote.statusCode, 200);
      const demoteNow = await call(
        editor,
        'PATCH',
        `/api/v1/organizations/mof/members/${editor.id}`,
        { role: 'editor' },
      );
      assert.equal(demoteNow.statusCode, 200);
      assert.equal(
        (
          await call(orgAdmin, 'POST', '/api/v1/organizations/mof/members', {
            email: 'nobody@example.org',
            role: 'member',
          })
        ).statusCode,
        400,
      );
    });

    it('records every change with who, what and a diff', async () => {
      const events = await app.database.db
        .selectFrom('audit_events')
        .innerJoin('organizations', 'organizations.id', 'audit_events.entity_id')
        .select(['audit_events.action', 'audit_events.actor_id', 'audit_events.diff'])
        .where('organizations.slug', '=', 'mof')
        .orderBy('audit_events.id')
        .execute();
      const actions = events.map((event) => event.action);
      assert.deepEqual(actions.slice(0, 3), ['created', 'member_added', 'member_added']);
      assert.ok(actions.includes('updated'));
      assert.ok(actions.includes('member_role_changed'));
      const phoneChange = events.find((event) =>
        JSON.stringify(event.diff).includes('+856 21 412 142'),
      );
      assert.equal(phoneChange?.actor_id, orgAdmin.id);
      assert.deepEqual((phoneChange?.diff as Record<string, unknown>).contact_phone, {
        from: null,
        to: '+856 21 412 142',
      });
    });

    it('pages through organizations by slug with a total', async () => {
      const first = await call(null, 'GET', '/api/v1/organizations?limit=2');
      const body = first.json();
      assert.equal(body.items.length, 2);
      assert.ok(body.total >= 4);
      const second = await call(null, 'GET', `/api/v1/organizations?limit=2&after=${body.next}`);
      assert.ok(second.json().items.every((item: { slug: string }) => item.slug > body.next));
      const departments = await call(
        null,
        'GET',
        '/api/v1/organizations?kind=department&parent=mof',
      );
      assert.ok(
        departments.json().items.every((item: { kind: string }) => item.kind === 'department'),
      );
    });

    it('soft-deletes: gone from reads, kept in the database and the audit trail', async () => {
      const created = await call(sysadmin, 'POST', '/api/v1/organizations', {
        slug: 'short-lived',
        title: { en: 'Short lived' },
      });
      assert.equal(created.statusCode, 201);
      assert.equal(
        (await call(sysadmin, 'DELETE', '/api/v1/organizations/short-lived')).statusCode,
        204,
      );
      assert.equal((await call(null, 'GET', '/api/v1/organizations/short-lived')).statusCode, 404);
      const row = await app.database.db
        .selectFrom('organizations')
        .select('deleted_at')
        .where('slug', '=', 'short-lived')
        .executeTakeFirst();
      assert.ok(row?.deleted_at instanceof Date);
    });
  });
}
