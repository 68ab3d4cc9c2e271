// The 18 provinces of Lao PDR by their p-codes (OCHA COD-AB), for spatial coverage.
// Copied from ../shared/data/lao/provinces.csv; see demo/SOURCES.md for its origin and licence.
export interface Province {
  pcode: string;
  iso: string;
  name: { lo: string; en: string };
}

export const provinces: readonly Province[] = [
  { pcode: 'LA01', iso: 'LA-VT', name: { lo: 'ນະຄອນຫຼວງວຽງຈັນ', en: 'Vientiane Capital' } },
  { pcode: 'LA02', iso: 'LA-PH', name: { lo: 'ຜົ້ງສາລີ', en: 'Phongsaly' } },
  { pcode: 'LA03', iso: 'LA-LM', name: { lo: 'ຫຼວງນ້ຳທາ', en: 'Louangnamtha' } },
  { pcode: 'LA04', iso: 'LA-OU', name: { lo: 'ອຸດົມໄຊ', en: 'Oudomxai' } },
  { pcode: 'LA05', iso: 'LA-BK', name: { lo: 'ບໍ່ແກ້ວ', en: 'Bokeo' } },
  { pcode: 'LA06', iso: 'LA-LP', name: { lo: 'ຫຼວງພະບາງ', en: 'Louangphabang' } },
  { pcode: 'LA07', iso: 'LA-HO', name: { lo: 'ຫົວພັນ', en: 'Houaphan' } },
  { pcode: 'LA08', iso: 'LA-XA', name: { lo: 'ໄຊຍະບູລີ', en: 'Xaignabouly' } },
  { pcode: 'LA09', iso: 'LA-XI', name: { lo: 'ຊຽງຂວາງ', en: 'Xiengkhouang' } },
  { pcode: 'LA10', iso: 'LA-VI', name: { lo: 'ວຽງຈັນ', en: 'Vientiane' } },
  { pcode: 'LA11', iso: 'LA-BL', name: { lo: 'ບໍລິຄຳໄຊ', en: 'Bolikhamxai' } },
  { pcode: 'LA12', iso: 'LA-KH', name: { lo: 'ຄຳມ່ວນ', en: 'Khammouan' } },
  { pcode: 'LA13', iso: 'LA-SV', name: { lo: 'ສະຫວັນນະເຂດ', en: 'Savannakhet' } },
  { pcode: 'LA14', iso: 'LA-SL', name: { lo: 'ສາລະວັນ', en: 'Salavan' } },
  { pcode: 'LA15', iso: 'LA-XE', name: { lo: 'ເຊກອງ', en: 'Sekong' } },
  { pcode: 'LA16', iso: 'LA-CH', name: { lo: 'ຈຳປາສັກ', en: 'Champasack' } },
  { pcode: 'LA17', iso: 'LA-AT', name: { lo: 'ອັດຕະປື', en: 'Attapeu' } },
  { pcode: 'LA18', iso: 'LA-XS', name: { lo: 'ໄຊສົມບູນ', en: 'Xaisomboon' } },
];

export const provinceByPcode: ReadonlyMap<string, Province> = new Map(
  provinces.map((province) => [province.pcode, province]),
);
