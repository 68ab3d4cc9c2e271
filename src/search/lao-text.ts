import {
  findProvinces,
  foldSearchText,
  isStopWord,
  provinces,
  resolveProvince,
  tokenize,
  tokenizeQuery,
  translatePhrases,
} from '../lao/index.js';

/**
 * The text rules search uses, all from src/lao (DESIGN §6), in one place: documents and
 * queries must be cut into terms by exactly the same functions.
 */
export const laoText = {
  tokenize,
  tokenizeQuery,
  isStopWord,
  provinces,
  resolveProvince,
  findProvinces,
  /** Each translation of a term as its own terms, so several-word ones match as a group. */
  translatePhrases,
};

export const foldText = foldSearchText;
