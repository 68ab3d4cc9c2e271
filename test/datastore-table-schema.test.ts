import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableSchemaOf } from '../src/datastore/table-schema.js';
import { ColumnProfiler, decide } from '../src/datastore/types/index.js';

/** The schema field of one column of cells, as an ingest decides it. */
function fieldOf(cells: string[]) {
  const profiler = new ColumnProfiler('value');
  for (const cell of cells) profiler.observe(cell);
  return tableSchemaOf(['value'], ['ມູນຄ່າ'], [decide(profiler.profile())]).fields[0]!;
}

describe('tableSchemaOf: Frictionless formats', () => {
  it('says how the file writes numbers: a decimal comma, a % sign', () => {
    assert.deepEqual(pick(fieldOf(['6.492.228,5', '1.204,25', '12,5'])), {
      type: 'number',
      format: 'default',
      decimalChar: ',',
      bareNumber: undefined,
    });
    assert.deepEqual(pick(fieldOf(['12.5%', '3%', '0.25%'])), {
      type: 'number',
      format: 'default',
      decimalChar: undefined,
      bareNumber: false,
    });
    assert.deepEqual(pick(fieldOf(['1,204', '969,000', '12'])), {
      type: 'integer',
      format: 'default',
      decimalChar: undefined,
      bareNumber: undefined,
    });
  });

  it('gives dates a strptime pattern, default for ISO, any for mixed spellings', () => {
    assert.equal(fieldOf(['31/01/2024', '1/2/2024', '15/03/2024']).format, '%d/%m/%Y');
    assert.equal(fieldOf(['01/31/2024', '2/1/2024', '03/15/2024']).format, '%m/%d/%Y');
    assert.equal(fieldOf(['2024-01-31', '2024-02-01']).format, 'default');
    assert.equal(fieldOf(['2024-01-31', '15/03/2024']).format, 'any');
  });
});

function pick(field: ReturnType<typeof fieldOf>) {
  const { type, format, decimalChar, bareNumber } = field;
  return { type, format, decimalChar, bareNumber };
}
