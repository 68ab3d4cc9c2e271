import type { MetadataInput } from '../catalog/datasets/metadata.js';

/**
 * What `npm start` shows on a fresh install: real Lao public data, republished under
 * organizations that say plainly they are demonstrations, each dataset naming its true source.
 * The files are in demo/ with demo/SOURCES.md.
 */
export interface DemoOrganization {
  slug: string;
  title: { lo: string; en: string };
  description: { lo: string; en: string };
  datasets: DemoDataset[];
}

export interface DemoDataset extends MetadataInput {
  slug: string;
  title: { lo: string; en: string };
  description: { lo: string; en: string };
  files: Array<{ file: string; title: { lo: string; en: string } }>;
}

const demoNote = {
  lo: 'ອົງການຕົວຢ່າງສຳລັບທົດລອງໃຊ້ລະບົບ. ຂໍ້ມູນແມ່ນຂໍ້ມູນສາທາລະນະແທ້ ທີ່ນຳມາເຜີຍແຜ່ຄືນ; ແຕ່ລະຊຸດຂໍ້ມູນບອກແຫຼ່ງທີ່ມາຂອງມັນ.',
  en: 'A demonstration organization. Its datasets are real public data republished for the demo; each one names its original source.',
};

const contact = { name: 'Khomoun demo', email: 'demo@khomoun.local' };

export const demoLicences = [
  {
    id: 'MIT',
    title_lo: 'ໃບອະນຸຍາດ MIT',
    title_en: 'MIT License',
    url: 'https://opensource.org/license/mit',
    is_open: true,
  },
];

export const demoOrganizations: DemoOrganization[] = [
  {
    slug: 'demo-statistics',
    title: { lo: 'ຕົວຢ່າງ: ສະຖິຕິແຫ່ງຊາດ', en: 'Demo: national statistics' },
    description: demoNote,
    datasets: [
      {
        slug: 'lao-population-1960-2024',
        title: {
          lo: 'ປະຊາກອນທັງໝົດຂອງ ສປປ ລາວ 1960–2024',
          en: 'Total population of Lao PDR, 1960–2024',
        },
        description: {
          lo: 'ຈຳນວນປະຊາກອນທັງໝົດຂອງ ສປປ ລາວ ແຕ່ລະປີ (ຕົວຊີ້ວັດ SP.POP.TOTL ຂອງທະນາຄານໂລກ).',
          en: 'Total population of Lao PDR per year, World Bank World Development Indicators (indicator `SP.POP.TOTL`).',
        },
        keywords: { lo: ['ປະຊາກອນ', 'ສະຖິຕິ'], en: ['population', 'demography'] },
        themes: ['SOCI'],
        license: 'CC-BY-4.0',
        frequency: 'ANNUAL',
        temporal: { start: '1960-01-01', end: '2024-12-31' },
        languages: ['en'],
        provenance: {
          lo: 'ທະນາຄານໂລກ (World Bank WDI), ຜ່ານຊຸດຂໍ້ມູນ datasets/population ໃນ GitHub.',
          en: 'World Bank, World Development Indicators; rows for Lao PDR from the GitHub datasets/population package. Attribute "World Bank".',
        },
        documentation_url: 'https://data.worldbank.org/indicator/SP.POP.TOTL?locations=LA',
        files: [
          {
            file: 'lao-population-worldbank.csv',
            title: { lo: 'ປະຊາກອນຕໍ່ປີ (CSV)', en: 'Population per year (CSV)' },
          },
        ],
      },
      {
        slug: 'lao-gdp-1984-2023',
        title: {
          lo: 'ລວມຍອດຜະລິດຕະພັນພາຍໃນ (GDP) ຂອງ ສປປ ລາວ 1984–2023',
          en: 'Gross domestic product of Lao PDR, 1984–2023',
        },
        description: {
          lo: 'GDP ເປັນໂດລາສະຫະລັດ ລາຄາປັດຈຸບັນ (ຕົວຊີ້ວັດ NY.GDP.MKTP.CD ຂອງທະນາຄານໂລກ).',
          en: 'GDP in current US dollars, World Bank World Development Indicators (indicator `NY.GDP.MKTP.CD`).',
        },
        keywords: { lo: ['ເສດຖະກິດ', 'GDP'], en: ['economy', 'GDP'] },
        themes: ['ECON'],
        license: 'CC-BY-4.0',
        frequency: 'ANNUAL',
        temporal: { start: '1984-01-01', end: '2023-12-31' },
        languages: ['en'],
        provenance: {
          lo: 'ທະນາຄານໂລກ (World Bank WDI), ຜ່ານຊຸດຂໍ້ມູນ datasets/gdp ໃນ GitHub.',
          en: 'World Bank, World Development Indicators; rows for Lao PDR from the GitHub datasets/gdp package. Attribute "World Bank".',
        },
        documentation_url: 'https://data.worldbank.org/indicator/NY.GDP.MKTP.CD?locations=LA',
        files: [
          {
            file: 'lao-gdp-worldbank.csv',
            title: { lo: 'GDP ຕໍ່ປີ (CSV)', en: 'GDP per year (CSV)' },
          },
        ],
      },
    ],
  },
  {
    slug: 'demo-geography',
    title: { lo: 'ຕົວຢ່າງ: ພູມສາດ ແລະ ເຂດແດນ', en: 'Demo: geography and boundaries' },
    description: demoNote,
    datasets: [
      {
        slug: 'lao-provinces',
        title: { lo: 'ແຂວງຂອງ ສປປ ລາວ ແລະ ລະຫັດ', en: 'Provinces of Lao PDR and their codes' },
        description: {
          lo: '18 ແຂວງ ແລະ ນະຄອນຫຼວງ ພ້ອມລະຫັດ p-code, ISO 3166-2, GeoNames ແລະ ຊື່ເປັນພາສາລາວ ແລະ ອັງກິດ.',
          en: 'The 17 provinces and Vientiane Capital with their p-codes, ISO 3166-2 and GeoNames codes, and names in Lao and in four English spellings.',
        },
        keywords: { lo: ['ແຂວງ', 'ລະຫັດ'], en: ['provinces', 'p-codes', 'administrative divisions'] },
        themes: ['REGI', 'GOVE'],
        license: 'CC-BY-4.0',
        frequency: 'IRREG',
        spatial: {
          provinces: [...Array(18).keys()].map((n) => `LA${String(n + 1).padStart(2, '0')}`),
        },
        languages: ['lo', 'en'],
        provenance: {
          lo: 'ລວບລວມຈາກ OCHA COD-AB, iso-codes (Debian), Unicode CLDR ແລະ GeoNames; ເບິ່ງ demo/SOURCES.md.',
          en: 'Compiled from OCHA COD-AB Laos, Debian iso-codes, Unicode CLDR and GeoNames (attribute GeoNames, CC-BY-4.0); see demo/SOURCES.md.',
        },
        files: [
          {
            file: 'provinces.csv',
            title: { lo: 'ລາຍຊື່ແຂວງ (CSV)', en: 'Province list (CSV)' },
          },
        ],
      },
      {
        slug: 'laos-country-outline',
        title: { lo: 'ເສັ້ນຂອບເຂດປະເທດລາວ', en: 'Country outline of Laos' },
        description: {
          lo: 'ຮູບຮ່າງຂອງປະເທດລາວ ມາດຕາສ່ວນ 1:50 ລ້ານ, GeoJSON.',
          en: 'The outline of Laos at 1:50m scale, as one GeoJSON MultiPolygon from Natural Earth.',
        },
        keywords: { lo: ['ແຜນທີ່', 'ເຂດແດນ'], en: ['map', 'boundary', 'GeoJSON'] },
        themes: ['REGI', 'ENVI'],
        license: 'PDDL-1.0',
        frequency: 'NEVER',
        languages: ['en'],
        provenance: {
          lo: 'Natural Earth (ສາທາລະນະສົມບັດ), ຜ່ານແພັກເກັດ world-atlas 2.0.2.',
          en: 'Natural Earth 1:50m admin-0 countries (public domain), via the world-atlas 2.0.2 package.',
        },
        documentation_url: 'https://www.naturalearthdata.com/',
        files: [
          {
            file: 'laos-outline-50m.geojson',
            title: { lo: 'ເສັ້ນຂອບ (GeoJSON)', en: 'Outline (GeoJSON)' },
          },
        ],
      },
    ],
  },
  {
    slug: 'demo-language',
    title: { lo: 'ຕົວຢ່າງ: ພາສາລາວ', en: 'Demo: Lao language resources' },
    description: demoNote,
    datasets: [
      {
        slug: 'lao-english-dictionary',
        title: { lo: 'ວັດຈະນານຸກົມ ລາວ–ອັງກິດ', en: 'Lao–English dictionary' },
        description: {
          lo: 'ວັດຈະນານຸກົມ 51.257 ລາຍການ ຂອງສູນລັດຖະບານເອເລັກໂຕຣນິກ ກະຊວງໄປສະນີ ແລະ ໂທລະຄົມມະນາຄົມ. ຂໍ້ມູນຈິງ ທີ່ມີຫົວຕາຕະລາງຊ້ຳ ແລະ ການສະກົດຄຳຫຼາຍແບບ.',
          en: 'A 51,257-entry Lao–English dictionary by the E-Government Center of the Ministry of Posts and Telecommunications. Real, messy data: repeated header rows and mixed spellings (ຫນ/ໜ, ຫລ/ຫຼ).',
        },
        keywords: { lo: ['ວັດຈະນານຸກົມ', 'ພາສາລາວ'], en: ['dictionary', 'Lao language'] },
        themes: ['EDUC', 'TECH'],
        license: 'MIT',
        frequency: 'NEVER',
        languages: ['lo', 'en'],
        provenance: {
          lo: '© 2015 ສູນລັດຖະບານເອເລັກໂຕຣນິກ, ກະຊວງໄປສະນີ ແລະ ໂທລະຄົມມະນາຄົມ; ຜ່ານ LaoNLP ໃນ GitHub.',
          en: '© 2015 The E-Government Center, Ministry of Posts and Telecommunications of Laos (MIT licence); via the wannaphong/LaoNLP repository.',
        },
        files: [
          {
            file: 'lao-eng-dictionary.csv',
            title: { lo: 'ວັດຈະນານຸກົມ (CSV)', en: 'Dictionary (CSV)' },
          },
          {
            file: 'LICENSE-lao-eng-dictionary.txt',
            title: { lo: 'ໃບອະນຸຍາດ', en: 'Licence text' },
          },
        ],
      },
    ],
  },
];

export { contact as demoContact };
