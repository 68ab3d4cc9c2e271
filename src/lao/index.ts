export { loadDictionary, translatePhrases, translateTerm } from './dictionary.js';
export { foldLao, foldSearchText } from './fold.js';
export {
  findProvinces,
  provinces,
  resolveProvince,
  type Province,
  type ProvinceMention,
} from './places.js';
export { romanizeLao } from './romanize.js';
export { segmentLao } from './segment.js';
export { stemEnglish } from './stem.js';
export { isStopWord, tokenize, tokenizeQuery } from './tokenize.js';
export { isBlank, normalizeLaoInput, type InputOptions } from './text.js';
