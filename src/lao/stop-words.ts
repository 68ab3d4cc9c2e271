import { foldLao } from './fold.js';
import { stemEnglish } from './stem.js';

// Function words that carry no subject. Kept short on purpose: a word such as ມີ (have) or
// ປີ (year) is common but people do search for it in dataset titles.
const laoStopWords = [
  'ແລະ',
  'ແລ້ວ',
  'ຂອງ',
  'ໃນ',
  'ທີ່',
  'ເປັນ',
  'ແມ່ນ',
  'ໄດ້',
  'ກັບ',
  'ຈາກ',
  'ໃຫ້',
  'ຫຼື',
  'ນີ້',
  'ນັ້ນ',
  'ເພື່ອ',
  'ໂດຍ',
  'ຕໍ່',
  'ຕາມ',
  'ກໍ',
  'ກໍ່',
  'ຈະ',
  'ແຕ່',
  'ວ່າ',
  'ຊຶ່ງ',
  'ເຊິ່ງ',
  'ອັນ',
  'ດ້ວຍ',
  'ຢູ່',
  'ທັງ',
  'ຖ້າ',
  'ຍັງ',
  'ລະ',
  'ໆ',
  // They turn verbs into nouns (ການສຶກສາ, education; ຄວາມຮູ້, knowledge): on their own they
  // match nearly every Lao title, and the word after them carries the meaning.
  'ການ',
  'ຄວາມ',
];

const englishStopWords = [
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'been',
  'but',
  'by',
  'for',
  'from',
  'has',
  'have',
  'if',
  'in',
  'into',
  'is',
  'it',
  'its',
  'of',
  'on',
  'or',
  'that',
  'the',
  'their',
  'there',
  'these',
  'this',
  'those',
  'to',
  'was',
  'were',
  'which',
  'who',
  'will',
  'with',
];

const stopWords = new Set([...laoStopWords.map(foldLao), ...englishStopWords.map(stemEnglish)]);

/** True for a folded term (as {@link tokenize} returns it) that is a Lao or English stop-word. */
export function isStopWord(term: string): boolean {
  return stopWords.has(term);
}
