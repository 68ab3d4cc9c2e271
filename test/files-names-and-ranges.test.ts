import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachmentDisposition, cleanFileName, parseRangeHeader } from '../src/files/index.js';

describe('uploaded file names', () => {
  it('keeps the last path segment, in NFC, without control or bidi-override characters', () => {
    const cases: Array<[string | undefined, string]> = [
      ['ສະຖິຕິ ປະຊາກອນ 2015.csv', 'ສະຖິຕິ ປະຊາກອນ 2015.csv'],
      ['C:\\Users\\khamla\\ລາຍງານ.xlsx', 'ລາຍງານ.xlsx'],
      ['../../etc/passwd', 'passwd'],
      ['Cafe\u0301.csv', 'Caf\u00e9.csv'],
      ['report\u202Efdp.exe', 'reportfdp.exe'],
      ['tab\there\u0000.csv', 'tabhere.csv'],
      ['  spaced.csv  ', 'spaced.csv'],
      ['..', 'file'],
      ['', 'file'],
      [undefined, 'file'],
    ];
    for (const [raw, expected] of cases) assert.equal(cleanFileName(raw), expected, String(raw));
  });

  it('shortens long names in the stem and keeps the extension', () => {
    const name = cleanFileName(`${'ກ'.repeat(500)}.csv`);
    assert.equal(Array.from(name).length, 200);
    assert.ok(name.endsWith('ກ.csv'));
  });
});

describe('Content-Disposition', () => {
  function parts(header: string): { fallback: string; name: string } {
    const fallback = /filename="([^"]*)"/.exec(header)?.[1] ?? '';
    const encoded = /filename\*=UTF-8''(\S+)$/.exec(header)?.[1] ?? '';
    return { fallback, name: decodeURIComponent(encoded) };
  }

  it('carries any name through filename* and gives old clients a plain ASCII one', () => {
    const cases: Array<[string, string]> = [
      ['ສະຖິຕິ ປະຊາກອນ 2015.csv', '2015.csv'],
      ['ສະຖິຕິ.xlsx', 'file.xlsx'],
      ['Données économiques.csv', 'Donnees economiques.csv'],
      ['say "hi" \\ 100%.txt', 'say _hi_ 100.txt'],
      ["it's (draft) *final*.pdf", "it's (draft) *final*.pdf"],
    ];
    for (const [name, fallback] of cases) {
      const header = attachmentDisposition(name);
      assert.ok(header.startsWith('attachment; '), header);
      assert.match(header, /^[\x20-\x7e]+$/, 'the header itself is ASCII');
      assert.deepEqual(parts(header), { fallback, name }, name);
    }
  });

  it('percent-encodes the characters RFC 5987 does not allow bare', () => {
    assert.match(attachmentDisposition("a'b(c).txt"), /filename\*=UTF-8''a%27b%28c%29\.txt$/);
  });
});

describe('Range header', () => {
  it('reads one range of a 1000-byte file', () => {
    const cases: Array<[string | undefined, ReturnType<typeof parseRangeHeader>]> = [
      [undefined, undefined],
      ['bytes=0-0', { start: 0, end: 0 }],
      ['bytes=0-499', { start: 0, end: 499 }],
      ['bytes=500-', { start: 500, end: 999 }],
      ['bytes=-200', { start: 800, end: 999 }],
      ['bytes=-2000', { start: 0, end: 999 }],
      ['bytes=900-2000', { start: 900, end: 999 }],
      ['Bytes = 1 - 2', { start: 1, end: 2 }],
      ['bytes=1000-', 'unsatisfiable'],
      ['bytes=-0', 'unsatisfiable'],
      ['bytes=0-1,5-6', undefined],
      ['bytes=5-1', undefined],
      ['bytes=-', undefined],
      ['bytes=a-b', undefined],
      ['lines=0-5', undefined],
    ];
    for (const [header, expected] of cases) {
      assert.deepEqual(parseRangeHeader(header, 1000), expected, header);
    }
  });

  it('finds no satisfiable range in an empty file', () => {
    assert.equal(parseRangeHeader('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseRangeHeader('bytes=-5', 0), 'unsatisfiable');
  });
});
