import { foldLao } from './fold.js';
import { segmentLao } from './segment.js';

/**
 * A readable Latin spelling of Lao text, in the French-derived style of Lao place names
 * (ຫຼວງພະບາງ → louangphabang, ຊຽງຂວາງ → xiangkhouang). It exists to make URL slugs from Lao
 * titles, so it drops tone marks and aims for what people recognise, not for reversibility.
 */
export function romanizeLao(text: string): string {
  return segmentLao(text).map(romanizeWord).join(' ');
}

const initials: Record<string, string> = {
  ກ: 'k',
  ຂ: 'kh',
  ຄ: 'kh',
  ງ: 'ng',
  ຈ: 'ch',
  ສ: 's',
  ຊ: 'x',
  ຍ: 'gn',
  ດ: 'd',
  ຕ: 't',
  ຖ: 'th',
  ທ: 'th',
  ນ: 'n',
  ບ: 'b',
  ປ: 'p',
  ຜ: 'ph',
  ຝ: 'f',
  ພ: 'ph',
  ຟ: 'f',
  ມ: 'm',
  ຢ: 'y',
  ຣ: 'r',
  ລ: 'l',
  ວ: 'v',
  ຫ: 'h',
  ອ: '',
  ຮ: 'h',
  ໜ: 'n',
  ໝ: 'm',
  ຫງ: 'ng',
  ຫຍ: 'gn',
  ຫວ: 'v',
  ຫຣ: 'r',
  ຫຼ: 'l',
};
const finals: Record<string, string> = {
  ກ: 'k',
  ງ: 'ng',
  ຍ: 'y',
  ດ: 't',
  ນ: 'n',
  ບ: 'p',
  ມ: 'm',
  ວ: 'o',
};
// Keyed by preposed vowel + the vowel signs and letters that follow the initial.
const vowels: Record<string, string> = {
  '': 'o',
  ະ: 'a',
  'ັ': 'a',
  າ: 'a',
  ຳ: 'am',
  'ິ': 'i',
  'ີ': 'i',
  'ຶ': 'u',
  'ື': 'u',
  'ືອ': 'ua',
  'ຸ': 'ou',
  'ູ': 'ou',
  'ົ': 'o',
  'ໍ': 'o',
  ອ: 'o',
  ວ: 'oua',
  'ົວ': 'oua',
  'ັວ': 'oua',
  ຽ: 'ia',
  ເ: 'e',
  ເະ: 'e',
  ເັ: 'e',
  ເົາ: 'ao',
  ເິ: 'oe',
  ເີ: 'oe',
  ເຶ: 'ua',
  ເື: 'ua',
  ເືອ: 'ua',
  ເັຍ: 'ia',
  ແ: 'ae',
  ແະ: 'ae',
  ແັ: 'ae',
  ໂ: 'o',
  ໂະ: 'o',
  ໄ: 'ai',
  ໃ: 'ai',
};

const consonant = /[ກ-ຮໜໝ]/;
const preposed = /[ເແໂໄໃ]/;
// ະ ັ າ ຳ ິ ີ ຶ ື ຸ ູ ົ ຽ ໍ — single code points matched one by one, never combined sequences.
// eslint-disable-next-line no-misleading-character-class
const vowelSign = /[\u0EB0-\u0EB9\u0EBB\u0EBD\u0ECD]/;
const sonorant = /[ງຍວຣ]/;

function romanizeWord(word: string): string {
  const text = foldLao(word).replace(/[\u0EC8-\u0ECC]/g, '');
  let out = '';
  let i = 0;
  // A consonant starts a syllable when a vowel sign or subscript lo hangs on it.
  // eslint-disable-next-line no-misleading-character-class
  const startsSyllable = (at: number) => /[\u0EB0-\u0EBD\u0ECD]/.test(text[at + 1] ?? '');
  const isFinalAt = (at: number) => (text[at] ?? '') in finals && !startsSyllable(at);

  while (i < text.length) {
    const pre = preposed.test(text[i] ?? '') ? (text[i] as string) : '';
    let j = i + pre.length;
    if (!consonant.test(text[j] ?? '')) {
      out += pre ? (vowels[pre] ?? '') : (text[i] as string);
      i += 1;
      continue;
    }
    let initial = text[j] as string;
    j += 1;
    if (initial === 'ຫ' && sonorant.test(text[j] ?? '') && startsSyllable(j)) {
      initial += text[j];
      j += 1;
    }
    if (text[j] === 'ຼ') {
      initial += 'ຼ';
      j += 1;
    }
    let glide = '';
    if (
      text[j] === 'ວ' &&
      (vowelSign.test(text[j + 1] ?? '') || ((pre === 'ເ' || pre === 'ແ') && isFinalAt(j + 1)))
    ) {
      glide = 'ou';
      j += 1;
    }
    let vowel = '';
    while (vowelSign.test(text[j] ?? '')) vowel += text[j++];
    if (vowel.endsWith('ື') && text[j] === 'ອ') vowel += text[j++];
    else if (vowel === 'ົ' && text[j] === 'ວ') vowel += text[j++];
    else if (pre === 'ເ' && vowel === 'ັ' && text[j] === 'ຍ') vowel += text[j++];
    else if (pre === '' && vowel === '' && text[j] === 'ອ' && !startsSyllable(j))
      vowel = text[j++] as string;
    else if (
      pre === '' &&
      vowel === '' &&
      text[j] === 'ວ' &&
      consonant.test(text[j + 1] ?? '') &&
      isFinalAt(j + 1)
    )
      vowel = text[j++] as string;
    // ຳ already ends in m: ຄຳມ່ວນ is kham-mouan, not khamm-ouan.
    const final = !vowel.endsWith('ຳ') && isFinalAt(j) ? (text[j++] as string) : '';
    out +=
      (initials[initial] ?? initials[initial[0] as string] ?? '') +
      (initial.endsWith('ຼ') && initial !== 'ຫຼ' ? 'l' : '') +
      glide +
      (vowels[pre + vowel] ?? vowels[vowel] ?? vowels[pre] ?? '') +
      (finals[final] ?? '');
    i = j;
  }
  return out;
}
