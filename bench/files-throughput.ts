// Upload and download of one big file through the built server, against a plain file copy of
// the same bytes in the same run, with the server's peak memory.
//   npm run bench:files        (BENCH_FILE_MIB, default 1024)
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { startBenchServer, uploadFile, writeResultsSection } from './harness.js';

const mib = Number(process.env.BENCH_FILE_MIB ?? 1024);
// The limit is 300 MB; MiB are what /proc reports, and 300 MB is 286 MiB.
const rssLimitMiB = 286;
const work = mkdtempSync(join(tmpdir(), 'khomoun-bench-files-'));
const env = { DATA_DIR: join(work, 'data'), KHOMOUN_DEMO: '0', LOG_LEVEL: 'warn', PORT: '0' };

/** A file of random bytes (incompressible, so nothing flatters the numbers), and its sha256. */
async function makeFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  const chunk = randomBytes(1024 * 1024);
  for (let i = 0; i < mib; i += 1) {
    chunk.writeUInt32LE(i, 0);
    hash.update(chunk);
    await file.write(chunk);
  }
  await file.close();
  return hash.digest('hex');
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/** GETs `url` into `path`; resolves with the sha256 of what arrived. */
function download(url: string, token: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`download answered ${res.statusCode}`));
      const hash = createHash('sha256');
      res.on('data', (chunk: Buffer) => hash.update(chunk));
      pipeline(res, createWriteStream(path)).then(() => resolve(hash.digest('hex')), reject);
    })
      .on('error', reject)
      .end();
  });
}

try {
  const source = join(work, 'big.bin');
  process.stdout.write(`writing a ${mib} MiB file…\n`);
  const sha256 = await makeFile(source);
  const {
    server,
    token,
    dataset: newDataset,
  } = await startBenchServer(env, join(work, 'server.log'));
  try {
    const dataset = { id: await newDataset() };

    const peakBeforeUpload = server.peakRssMiB();
    const copyStarted = performance.now();
    await copyFile(source, join(work, 'copy.bin'));
    const copySeconds = seconds(copyStarted);
    rmSync(join(work, 'copy.bin'));

    const uploadStarted = performance.now();
    const uploaded = await uploadFile(
      `${server.url}/api/v1/datasets/${dataset.id}/resources`,
      token,
      source,
      'big.bin',
    );
    const uploadSeconds = seconds(uploadStarted);
    if (uploaded.status !== 201)
      throw new Error(`upload answered ${uploaded.status}: ${uploaded.body}`);
    const resource = (
      JSON.parse(uploaded.body) as { resources: Array<{ id: string; sha256: string }> }
    ).resources[0];
    if (resource?.sha256 !== sha256) throw new Error('the stored sha256 differs from the file');

    const peakAfterUpload = server.peakRssMiB();
    const downloadStarted = performance.now();
    const received = await download(
      `${server.url}/api/v1/resources/${resource.id}/download`,
      token,
      join(work, 'downloaded.bin'),
    );
    const downloadSeconds = seconds(downloadStarted);
    if (received !== sha256) throw new Error('the downloaded bytes differ from the file');
    const peak = server.peakRssMiB();

    const rate = (s: number) => (mib / s).toFixed(0);
    const body = `
\`npm run bench:files\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, a
${mib} MiB file of random bytes, loopback, local blob store in \`DATA_DIR/blobs\`, PGlite.

| operation | MiB/s | ratio to the plain copy |
| --- | ---: | ---: |
| plain file copy (\`fs.copyFile\`, same disk) | ${rate(copySeconds)} | 1.00 |
| upload (multipart, sha256 while streaming, atomic rename) | ${rate(uploadSeconds)} | ${(copySeconds / uploadSeconds).toFixed(2)} |
| download (\`GET /resources/{id}/download\`, written to disk by the client) | ${rate(downloadSeconds)} | ${(copySeconds / downloadSeconds).toFixed(2)} |

Server peak RSS (VmHWM) over the whole run: **${peak} MiB** — ${peak < rssLimitMiB ? 'under' : 'OVER'} the 300 MB (${rssLimitMiB} MiB) limit
(${peakBeforeUpload} MiB before the upload, ${peakAfterUpload} MiB after it). The
draft dataset's file was downloaded by its (sysadmin) author; the sha256 of the bytes that
arrived matched the file.
`;
    writeResultsSection('Upload and download of a big file', body);
    process.stdout.write(
      `copy ${rate(copySeconds)} MiB/s, upload ${rate(uploadSeconds)}, download ${rate(downloadSeconds)}, peak RSS ${peak} MiB (${peakBeforeUpload} before the upload, ${peakAfterUpload} after it)\n`,
    );
    if (peak >= rssLimitMiB) process.exitCode = 1;
  } finally {
    await server.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
