export { foldLao } from './fold.js';
export { romanizeLao } from './romanize.js';
export { segmentLao } from './segment.js';
export { isBlank, normalizeLaoInput, type InputOptions } from './text.js';
