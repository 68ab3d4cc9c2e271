import assert from 'node:assert/strict';
import {
  apiCaller,
  bearer,
  startTestApp,
  type ApiCall,
  type TestApp,
  type TestUser,
} from './helpers/app.js';
import { completeDataset, organizationWithMembers } from './helpers/catalog.js';
import type { TestEngine } from './helpers/engines.js';
import { multipart, multipartHeaders } from './helpers/multipart.js';

/** An app with organization `lsb` (admin, editor) and an outsider who runs another organization. */
export interface DataApiFixture {
  app: TestApp;
  call: ApiCall;
  admin: TestUser;
  editor: TestUser;
  outsider: TestUser;
  /** Uploads `bytes` as the only file of a new dataset, waits for its table, publishes it unless told. */
  publishTable(
    name: string,
    bytes: Buffer | string,
    options?: { state?: 'published' | 'draft'; access?: 'public' | 'restricted'; title?: string },
  ): Promise<string>;
  /** Replaces the file of a resource in the dataset's working copy, not waiting for its ingest. */
  putFile(resourceId: string, name: string, bytes: Buffer | string): Promise<void>;
  /** Replaces the file of a resource in the dataset's working copy and waits for its table. */
  replaceFile(resourceId: string, name: string, bytes: Buffer | string): Promise<void>;
  /** The dataset a resource belongs to. */
  datasetOf(resourceId: string): Promise<string>;
  /** Waits until the newest ingest of the file the editor is shown has finished. */
  settled(resourceId: string): Promise<void>;
  /** Submits the working copy of the resource's dataset and approves it. */
  publishChanges(resourceId: string): Promise<void>;
}

let serial = 0;

export async function startDataApiApp(engine: TestEngine): Promise<DataApiFixture> {
  const app = await startTestApp(engine);
  const call = apiCaller(() => app);
  const sysadmin = await app.createUser({ sysadmin: true });
  const [admin, editor, outsider] = await Promise.all([
    app.createUser(),
    app.createUser(),
    app.createUser(),
  ]);
  await organizationWithMembers(call, sysadmin, 'lsb', [
    [admin, 'admin'],
    [editor, 'editor'],
  ]);
  await organizationWithMembers(call, sysadmin, 'other', [[outsider, 'admin']]);

  const settled = async (resourceId: string) => {
    for (let i = 0; i < 600; i += 1) {
      const response = await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest`);
      assert.equal(response.statusCode, 200, response.body);
      const status = response.json();
      if (status.state === 'done') return;
      if (status.state === 'failed')
        throw new Error(`the ingest failed: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the ingest did not finish');
  };

  const datasetOf = async (resourceId: string) =>
    (
      await app.database.db
        .selectFrom('resources')
        .select('dataset_id')
        .where('id', '=', resourceId)
        .executeTakeFirstOrThrow()
    ).dataset_id;
  const putFile = async (resourceId: string, name: string, bytes: Buffer | string) => {
    const replaced = await app.http.inject({
      method: 'PUT',
      url: `/api/v1/datasets/${await datasetOf(resourceId)}/resources/${resourceId}/file`,
      headers: { ...bearer(editor.token), ...multipartHeaders },
      payload: multipart({}, { name, bytes: Buffer.from(bytes) }),
    });
    assert.equal(replaced.statusCode, 200, replaced.body);
  };
  const publish = async (datasetId: string) => {
    const submitted = await call(editor, 'POST', `/api/v1/datasets/${datasetId}/submit`);
    assert.equal(submitted.statusCode, 200, submitted.body);
    const approved = await call(admin, 'POST', `/api/v1/datasets/${datasetId}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
  };

  return {
    app,
    call,
    admin,
    editor,
    outsider,
    settled,
    datasetOf,
    putFile,
    async replaceFile(resourceId, name, bytes) {
      await putFile(resourceId, name, bytes);
      await settled(resourceId);
    },
    async publishChanges(resourceId) {
      await publish(await datasetOf(resourceId));
    },
    async publishTable(
      name,
      bytes,
      { state = 'published', access = 'public', title = 'Table' } = {},
    ) {
      serial += 1;
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: `data-api-${serial}`,
        ...(access === 'restricted' && { access_level: 'restricted' }),
      });
      assert.equal(created.statusCode, 201, created.body);
      const datasetId: string = created.json().id;
      const uploaded = await app.http.inject({
        method: 'POST',
        url: `/api/v1/datasets/${datasetId}/resources`,
        headers: { ...bearer(editor.token), ...multipartHeaders },
        payload: multipart({ title }, { name, bytes: Buffer.from(bytes) }),
      });
      assert.equal(uploaded.statusCode, 201, uploaded.body);
      const resourceId: string = (uploaded.json().resources as Array<{ id: string }>).at(-1)!.id;
      await settled(resourceId);
      if (state === 'published') await publish(datasetId);
      return resourceId;
    },
  };
}

/** A table with one column of every type, Lao text included; `big` passes 2^53 (BIGINT). */
export const typedCsv = [
  'id,name,province,population,density,active,founded,updated,opens,big',
  '1,ນະຄອນຫຼວງວຽງຈັນ,LA01,820940,209.5,true,2015-03-01,2015-03-01 08:30:00,08:30:00,-9007199254740995',
  '2,ຜົ້ງສາລີ,LA02,177989,11.6,false,2016-04-02,2016-04-02 09:00:00,09:00:00,1',
  '3,ຫຼວງນ້ຳທາ,LA03,175753,18.9,true,2017-05-03,2017-05-03 10:15:30,10:15:30,2',
  '4,ຫຼວງພະບາງ,LA06,431889,25.4,false,2018-06-04,2018-06-04 11:45:00,11:45:00,3',
  '5,"Vientiane, Capital",LA01,,,,,,,',
  '6,Phôngsali ໜອງ,LA02,1000,0.5,true,2019-07-05,2019-07-05 23:59:59,23:59:59,9007199254740993',
].join('\n');
