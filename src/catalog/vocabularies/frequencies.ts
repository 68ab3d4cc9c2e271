// Update frequencies: the EU Publications Office frequency vocabulary used by DCAT-AP 3
// (http://publications.europa.eu/resource/authority/frequency), with Lao labels.
export interface Frequency {
  code: string;
  label: { lo: string; en: string };
}

export const frequencies: readonly Frequency[] = [
  { code: 'CONT', label: { lo: 'ຕໍ່ເນື່ອງ', en: 'continuous' } },
  { code: 'UPDATE_CONT', label: { lo: 'ປັບປຸງຕໍ່ເນື່ອງ', en: 'continuously updated' } },
  { code: 'HOURLY', label: { lo: 'ທຸກຊົ່ວໂມງ', en: 'hourly' } },
  { code: 'DAILY', label: { lo: 'ປະຈຳວັນ', en: 'daily' } },
  { code: 'WEEKLY', label: { lo: 'ປະຈຳອາທິດ', en: 'weekly' } },
  { code: 'BIWEEKLY', label: { lo: 'ທຸກສອງອາທິດ', en: 'biweekly' } },
  { code: 'MONTHLY', label: { lo: 'ປະຈຳເດືອນ', en: 'monthly' } },
  { code: 'BIMONTHLY', label: { lo: 'ທຸກສອງເດືອນ', en: 'bimonthly' } },
  { code: 'QUARTERLY', label: { lo: 'ປະຈຳໄຕມາດ', en: 'quarterly' } },
  { code: 'ANNUAL_2', label: { lo: 'ປີລະສອງຄັ້ງ', en: 'semiannual' } },
  { code: 'ANNUAL', label: { lo: 'ປະຈຳປີ', en: 'annual' } },
  { code: 'BIENNIAL', label: { lo: 'ທຸກສອງປີ', en: 'biennial' } },
  { code: 'TRIENNIAL', label: { lo: 'ທຸກສາມປີ', en: 'triennial' } },
  { code: 'QUINQUENNIAL', label: { lo: 'ທຸກຫ້າປີ', en: 'quinquennial' } },
  { code: 'DECENNIAL', label: { lo: 'ທຸກສິບປີ', en: 'decennial' } },
  { code: 'IRREG', label: { lo: 'ບໍ່ສະໝ່ຳສະເໝີ', en: 'irregular' } },
  { code: 'NEVER', label: { lo: 'ບໍ່ປັບປຸງອີກ', en: 'never' } },
  { code: 'UNKNOWN', label: { lo: 'ບໍ່ຮູ້', en: 'unknown' } },
];

export const frequencyCodes = frequencies.map((frequency) => frequency.code);
export const frequencyByCode: ReadonlyMap<string, Frequency> = new Map(
  frequencies.map((frequency) => [frequency.code, frequency]),
);
