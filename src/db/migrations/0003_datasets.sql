-- Datasets (DCAT datasets) with their revisions and resources (DCAT distributions), and the
-- managed vocabularies they draw from: themes and licences.

-- The 13 data themes of the EU vocabulary (DCAT-AP), plus national categories admins add.
CREATE TABLE themes (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$'),
  label_lo text NOT NULL,
  label_en text NOT NULL,
  uri text,
  is_national boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO themes (code, label_lo, label_en, uri) VALUES
  ('AGRI', 'ກະສິກຳ, ການປະມົງ, ປ່າໄມ້ ແລະ ອາຫານ', 'Agriculture, fisheries, forestry and food', 'http://publications.europa.eu/resource/authority/data-theme/AGRI'),
  ('ECON', 'ເສດຖະກິດ ແລະ ການເງິນ', 'Economy and finance', 'http://publications.europa.eu/resource/authority/data-theme/ECON'),
  ('EDUC', 'ການສຶກສາ, ວັດທະນະທຳ ແລະ ກິລາ', 'Education, culture and sport', 'http://publications.europa.eu/resource/authority/data-theme/EDUC'),
  ('ENER', 'ພະລັງງານ', 'Energy', 'http://publications.europa.eu/resource/authority/data-theme/ENER'),
  ('ENVI', 'ສິ່ງແວດລ້ອມ', 'Environment', 'http://publications.europa.eu/resource/authority/data-theme/ENVI'),
  ('GOVE', 'ລັດຖະບານ ແລະ ຂະແໜງການພາກລັດ', 'Government and public sector', 'http://publications.europa.eu/resource/authority/data-theme/GOVE'),
  ('HEAL', 'ສາທາລະນະສຸກ', 'Health', 'http://publications.europa.eu/resource/authority/data-theme/HEAL'),
  ('INTR', 'ບັນຫາສາກົນ', 'International issues', 'http://publications.europa.eu/resource/authority/data-theme/INTR'),
  ('JUST', 'ຍຸຕິທຳ, ລະບົບກົດໝາຍ ແລະ ຄວາມປອດໄພສາທາລະນະ', 'Justice, legal system and public safety', 'http://publications.europa.eu/resource/authority/data-theme/JUST'),
  ('REGI', 'ພາກພື້ນ ແລະ ຕົວເມືອງ', 'Regions and cities', 'http://publications.europa.eu/resource/authority/data-theme/REGI'),
  ('SOCI', 'ປະຊາກອນ ແລະ ສັງຄົມ', 'Population and society', 'http://publications.europa.eu/resource/authority/data-theme/SOCI'),
  ('TECH', 'ວິທະຍາສາດ ແລະ ເຕັກໂນໂລຊີ', 'Science and technology', 'http://publications.europa.eu/resource/authority/data-theme/TECH'),
  ('TRAN', 'ຄົມມະນາຄົມ ແລະ ຂົນສົ່ງ', 'Transport', 'http://publications.europa.eu/resource/authority/data-theme/TRAN');

CREATE TABLE licences (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9.+-]{1,63}$'),
  title_lo text NOT NULL,
  title_en text NOT NULL,
  url text,
  -- Open in the sense of the Open Definition; closed licences are allowed but shown as such.
  is_open boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO licences (id, title_lo, title_en, url) VALUES
  ('CC-BY-4.0', 'ຄຣີເອທີຟຄອມມອນສ໌ ອ້າງອີງແຫຼ່ງ 4.0', 'Creative Commons Attribution 4.0', 'https://creativecommons.org/licenses/by/4.0/'),
  ('CC-BY-SA-4.0', 'ຄຣີເອທີຟຄອມມອນສ໌ ອ້າງອີງແຫຼ່ງ-ແບ່ງປັນແບບດຽວກັນ 4.0', 'Creative Commons Attribution-ShareAlike 4.0', 'https://creativecommons.org/licenses/by-sa/4.0/'),
  ('CC0-1.0', 'ຄຣີເອທີຟຄອມມອນສ໌ ສາທາລະນະສົມບັດ CC0 1.0', 'Creative Commons Zero 1.0 (public domain dedication)', 'https://creativecommons.org/publicdomain/zero/1.0/'),
  ('ODbL-1.0', 'ໃບອະນຸຍາດຖານຂໍ້ມູນເປີດ 1.0', 'Open Data Commons Open Database License 1.0', 'https://opendatacommons.org/licenses/odbl/1-0/'),
  ('PDDL-1.0', 'ໃບອະນຸຍາດສາທາລະນະສົມບັດ ແລະ ການອຸທິດ 1.0', 'Open Data Commons Public Domain Dedication and License 1.0', 'https://opendatacommons.org/licenses/pddl/1-0/');

-- Identity and lifecycle of a dataset. Its metadata lives in dataset_revisions: every change
-- makes a new revision, `current_revision` is the working copy editors see, and
-- `published_revision` is what everyone else sees, so a published dataset being edited keeps
-- its published version visible until the edit is approved.
CREATE TABLE datasets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  organization_id uuid NOT NULL REFERENCES organizations (id),
  -- The state of the working copy: draft → in_review → published → archived.
  state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'in_review', 'published', 'archived')),
  current_revision integer NOT NULL DEFAULT 1,
  published_revision integer,
  -- Copied from the published revision so that visibility needs no join.
  published_access_level text CHECK (published_access_level IN ('public', 'restricted', 'non_public')),
  review_comment text,
  is_demo boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  deleted_at timestamptz,
  deleted_by uuid REFERENCES users (id) ON DELETE SET NULL,
  CHECK ((published_revision IS NULL) = (published_access_level IS NULL)),
  CHECK (published_revision IS NULL OR published_revision <= current_revision)
);
CREATE UNIQUE INDEX datasets_slug_key ON datasets (slug);
CREATE INDEX datasets_organization_idx ON datasets (organization_id, updated_at DESC, id DESC);
CREATE INDEX datasets_updated_idx ON datasets (updated_at DESC, id DESC);
-- What anonymous visitors can list: the hot path of the public catalog.
CREATE INDEX datasets_public_idx ON datasets (updated_at DESC, id DESC)
  WHERE deleted_at IS NULL AND state <> 'archived' AND published_access_level = 'public';

CREATE TABLE dataset_revisions (
  dataset_id uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  number integer NOT NULL CHECK (number >= 1),
  -- The whole DCAT description and the resources as they were at this revision.
  metadata jsonb NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dataset_id, number)
);

-- The working state of each resource; published revisions keep their own copy in metadata.
CREATE TABLE resources (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dataset_id uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  position integer NOT NULL,
  title_lo text,
  title_en text,
  description_lo text,
  description_en text,
  -- Either an uploaded file (a blob by its sha256) or a link.
  url text,
  blob_sha256 text CHECK (blob_sha256 ~ '^[0-9a-f]{64}$'),
  file_name text,
  size_bytes bigint,
  media_type text,
  format text,
  -- Filled by the datastore when it reads the file.
  table_schema jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CHECK (title_lo IS NOT NULL OR title_en IS NOT NULL),
  CHECK ((url IS NULL) <> (blob_sha256 IS NULL))
);
CREATE INDEX resources_dataset_idx ON resources (dataset_id, position) WHERE deleted_at IS NULL;
CREATE INDEX resources_blob_idx ON resources (blob_sha256);
