/**
 * Ready-to-copy calls of a resource's data API, in the shape Redoc and Swagger UI plugins read
 * as `x-codeSamples`. The key is the literal `YOUR_API_KEY`: the documentation is public and
 * cacheable, so it never holds anyone's real key.
 */
export interface CodeSample {
  /** Which call the sample makes: `records`, `export` or `sql`. */
  operation: 'records' | 'export' | 'sql';
  lang: 'Shell' | 'JavaScript' | 'Python';
  label: 'curl' | 'fetch' | 'requests';
  source: string;
}

export const apiKeyPlaceholder = 'YOUR_API_KEY';

export interface SnippetInput {
  publicUrl: string;
  resourceId: string;
  /** Query parameters of the sample records call, e.g. `{ province: 'eq:LA01', limit: '3' }`. */
  query: Record<string, string>;
  /** A sample statement for the SQL endpoint. */
  sql: string;
}

/** The samples of one resource: records in curl, fetch and requests; an export; a SQL call. */
export function codeSamples(input: SnippetInput): CodeSample[] {
  const base = `${input.publicUrl}/api/v1/resources/${input.resourceId}`;
  const records = `${base}/records`;
  const search = new URLSearchParams(input.query).toString();
  const exportQuery = Object.fromEntries(
    Object.entries(input.query).filter(([name]) => name !== 'limit'),
  );
  const exportSearch = new URLSearchParams(exportQuery).toString();
  const header = `Authorization: Bearer ${apiKeyPlaceholder}`;
  return [
    {
      operation: 'records',
      lang: 'Shell',
      label: 'curl',
      source: `curl -sS -H ${shell(header)} ${shell(`${records}?${search}`)}`,
    },
    {
      operation: 'records',
      lang: 'JavaScript',
      label: 'fetch',
      source: [
        `const url = new URL(${js(records)});`,
        `url.search = new URLSearchParams(${js(input.query)}).toString();`,
        `const response = await fetch(url, { headers: { Authorization: ${js(`Bearer ${apiKeyPlaceholder}`)} } });`,
        'if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);',
        'const { fields, items, next } = await response.json();',
        'console.log(items);',
      ].join('\n'),
    },
    {
      operation: 'records',
      lang: 'Python',
      label: 'requests',
      source: [
        'import requests',
        '',
        'response = requests.get(',
        `    ${py(records)},`,
        `    params=${py(input.query)},`,
        `    headers={"Authorization": ${py(`Bearer ${apiKeyPlaceholder}`)}},`,
        '    timeout=60,',
        ')',
        'response.raise_for_status()',
        'page = response.json()',
        'print(page["items"])',
      ].join('\n'),
    },
    {
      operation: 'export',
      lang: 'Shell',
      label: 'curl',
      source: `curl -sS -H ${shell(header)} -o data.csv ${shell(`${base}/export.csv${exportSearch ? `?${exportSearch}` : ''}`)}`,
    },
    {
      operation: 'export',
      lang: 'Python',
      label: 'requests',
      source: [
        'import requests',
        '',
        'with requests.get(',
        `    ${py(`${base}/export.csv`)},`,
        `    params=${py(exportQuery)},`,
        `    headers={"Authorization": ${py(`Bearer ${apiKeyPlaceholder}`)}},`,
        '    stream=True,',
        '    timeout=60,',
        ') as response:',
        '    response.raise_for_status()',
        '    with open("data.csv", "wb") as file:',
        '        for chunk in response.iter_content(chunk_size=1 << 20):',
        '            file.write(chunk)',
      ].join('\n'),
    },
    {
      operation: 'sql',
      lang: 'Shell',
      label: 'curl',
      source: [
        `curl -sS -H ${shell(header)} -H 'Content-Type: application/json' \\`,
        `  -d ${shell(JSON.stringify({ sql: input.sql }))} \\`,
        `  ${shell(`${input.publicUrl}/api/v1/sql`)}`,
      ].join('\n'),
    },
  ];
}

/** A single-quoted POSIX shell word. */
function shell(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A JavaScript literal; JSON is one. */
function js(value: unknown): string {
  return JSON.stringify(value);
}

/** A Python literal of a string or a dict of strings (JSON's escapes are Python's). */
function py(value: string | Record<string, string>): string {
  if (typeof value === 'string') return JSON.stringify(value);
  const items = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{${items.join(', ')}}`;
}
