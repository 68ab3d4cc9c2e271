import assert from 'node:assert/strict';
import { bearer, type ApiCall, type TestApp, type TestUser } from './app.js';
import { multipart, multipartHeaders } from './multipart.js';

/** A dataset description complete enough to be submitted for review. */
export const completeDataset = {
  organization: 'lsb',
  title: { lo: 'ປະຊາກອນຕາມແຂວງ', en: 'Population by province' },
  description: { lo: 'ຈຳນວນປະຊາກອນ', en: 'Population of each province, **census** 2015.' },
  keywords: { lo: ['ປະຊາກອນ'], en: ['population', 'census'] },
  themes: ['SOCI'],
  license: 'CC-BY-4.0',
  contact_point: { name: 'Lao Statistics Bureau', email: 'data@lsb.gov.la' },
  frequency: 'DECENNIAL',
  spatial: { provinces: ['LA01', 'LA06'] },
  temporal: { start: '2015-01-01', end: '2015-12-31' },
};

/** Creates organization `slug` as `sysadmin` and gives each user their role in it. */
export async function organizationWithMembers(
  call: ApiCall,
  sysadmin: TestUser,
  slug: string,
  members: ReadonlyArray<readonly [TestUser, 'admin' | 'editor' | 'member']>,
): Promise<void> {
  const created = await call(sysadmin, 'POST', '/api/v1/organizations', {
    slug,
    title: { en: `Organization ${slug}` },
    kind: 'department',
  });
  assert.equal(created.statusCode, 201, created.body);
  for (const [user, role] of members) {
    const added = await call(sysadmin, 'POST', `/api/v1/organizations/${slug}/members`, {
      email: user.email,
      role,
    });
    assert.equal(added.statusCode, 200, added.body);
  }
}

/** Uploads `bytes` as a new resource of a dataset, as `user` would; resolves with its id. */
export async function uploadResource(
  app: Pick<TestApp, 'http'>,
  user: TestUser,
  datasetId: string,
  file: { name: string; bytes: Buffer; title?: string },
): Promise<string> {
  const response = await app.http.inject({
    method: 'POST',
    url: `/api/v1/datasets/${datasetId}/resources`,
    headers: { ...bearer(user.token), ...multipartHeaders },
    payload: multipart({ title: file.title ?? 'Table' }, { name: file.name, bytes: file.bytes }),
  });
  assert.equal(response.statusCode, 201, response.body);
  return (response.json().resources as Array<{ id: string }>).at(-1)!.id;
}

/** Polls a resource's ingest status as `user` until it is done or failed; resolves with it. */
export async function settledIngest(call: ApiCall, user: TestUser | null, resourceId: string) {
  for (let i = 0; i < 200; i += 1) {
    const response = await call(user, 'GET', `/api/v1/resources/${resourceId}/ingest`);
    assert.equal(response.statusCode, 200, response.body);
    // The status as the API answers it (JSON, untyped here as in the tests that read it).
    const status = response.json();
    if (status.state === 'done' || status.state === 'failed') return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the ingest did not finish');
}
