import assert from 'node:assert/strict';
import type { ApiCall, TestApp, TestUser } from './helpers/app.js';
import { bearer } from './helpers/app.js';
import { completeDataset } from './helpers/catalog.js';
import { multipart, multipartHeaders } from './helpers/multipart.js';

/** Provinces of Laos (census 2015, Lao Statistics Bureau), with a date and a decimal column. */
export const provincesCsv = [
  'code,name,population,density,census_date',
  'LA01,ນະຄອນຫຼວງວຽງຈັນ,820940,209.5,2015-03-01',
  'LA02,ຜົ້ງສາລີ,177989,11.6,2015-03-01',
  'LA03,ຫຼວງນ້ຳທາ,175753,18.9,2015-03-01',
  'LA06,ຫຼວງພະບາງ,431889,25.4,2015-03-01',
].join('\n');

/** Some districts, keyed by province code, to join with the provinces. */
export const districtsCsv = [
  'district,province_code,households',
  'ຈັນທະບູລີ,LA01,15250',
  'ສີໂຄດຕະບອງ,LA01,25640',
  'ໄຊເສດຖາ,LA01,27300',
  'ຫຼວງພະບາງ,LA06,18700',
  'ຜົ້ງສາລີ,LA02,6950',
].join('\n');

/** Uploads `csv` as a new resource of `datasetId` and waits until its table is ready. */
export async function uploadTable(
  app: TestApp,
  call: ApiCall,
  editor: TestUser,
  datasetId: string,
  name: string,
  csv: string,
): Promise<string> {
  const response = await app.http.inject({
    method: 'POST',
    url: `/api/v1/datasets/${datasetId}/resources`,
    headers: { ...bearer(editor.token), ...multipartHeaders },
    payload: multipart({ title: name }, { name, bytes: Buffer.from(csv) }),
  });
  assert.equal(response.statusCode, 201, response.body);
  const resourceId = (response.json().resources as Array<{ id: string }>).at(-1)!.id;
  for (let i = 0; i < 300; i += 1) {
    const status = (await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest`)).json();
    if (status.state === 'done') return resourceId;
    assert.notEqual(status.state, 'failed', JSON.stringify(status));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the ingest of ${name} did not finish`);
}

/** A dataset of `organization` with the given CSV files; published when `publishWith` is given. */
export async function datasetWithTables(
  app: TestApp,
  call: ApiCall,
  options: {
    organization: string;
    slug: string;
    editor: TestUser;
    publishWith?: TestUser;
    files: Array<[name: string, csv: string]>;
  },
): Promise<string[]> {
  const created = await call(options.editor, 'POST', '/api/v1/datasets', {
    ...completeDataset,
    organization: options.organization,
    slug: options.slug,
  });
  assert.equal(created.statusCode, 201, created.body);
  const datasetId = created.json().id as string;
  const ids: string[] = [];
  for (const [name, csv] of options.files) {
    ids.push(await uploadTable(app, call, options.editor, datasetId, name, csv));
  }
  if (options.publishWith) {
    const url = `/api/v1/datasets/${datasetId}`;
    const submitted = await call(options.editor, 'POST', `${url}/submit`);
    assert.equal(submitted.statusCode, 200, submitted.body);
    const approved = await call(options.publishWith, 'POST', `${url}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
  }
  return ids;
}
