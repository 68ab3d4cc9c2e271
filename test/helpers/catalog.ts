/** A dataset description complete enough to be submitted for review. */
export const completeDataset = {
  organization: 'lsb',
  title: { lo: 'ປະຊາກອນຕາມແຂວງ', en: 'Population by province' },
  description: { lo: 'ຈຳນວນປະຊາກອນ', en: 'Population of each province, **census** 2015.' },
  keywords: { lo: ['ປະຊາກອນ'], en: ['population', 'census'] },
  themes: ['SOCI'],
  license: 'CC-BY-4.0',
  contact_point: { name: 'Lao Statistics Bureau', email: 'data@lsb.gov.la' },
  frequency: 'DECENNIAL',
  spatial: { provinces: ['LA01', 'LA06'] },
  temporal: { start: '2015-01-01', end: '2015-12-31' },
};
