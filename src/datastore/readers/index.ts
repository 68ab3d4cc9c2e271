export { openXlsx } from './xlsx.js';
export { openSheetjs, maxSheetjsBytes } from './sheetjs.js';
export { openJson, openNdjson, jsonCellText } from './json.js';
export { openFixedWidth } from './fixed-width.js';
export { parseFixedWidthLayout } from './fixed-width-layout.js';
export { UnreadableSource } from './errors.js';
export { checkZip, defaultZipLimits, type ZipLimits } from './zip-guard.js';
