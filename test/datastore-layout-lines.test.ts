import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFixedWidthLayout } from '../src/datastore/readers/index.js';

/** The message a layout file is refused with. */
function refusal(text: string): string {
  try {
    parseFixedWidthLayout(text);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  assert.fail('the layout was accepted');
}

describe('layout file errors', () => {
  it('name the line as an editor numbers it, counting the header', () => {
    assert.match(refusal('name,start,width\nid,1,5\nx,0,-3\n'), /line 3 of the layout/);
  });

  it('count blank lines, leading ones too, and a BOM changes nothing', () => {
    assert.match(refusal('\uFEFF\n\nname,start,width\n\nid,1,5\n  \nx,1,w'), /line 7 of/);
  });

  it('count from the first line without a header, and across Windows line ends', () => {
    assert.match(refusal('id,1,5\nname,6'), /line 2 of/);
    assert.match(refusal('id,1,5\r\nname,6,7\r\nx,13,y\r\n'), /line 3 of/);
  });

  it('name the first line of a field that spans lines', () => {
    assert.match(refusal('id,1,5\n"two\nlines",6,x\nz,1,1'), /line 2 of/);
  });
});
