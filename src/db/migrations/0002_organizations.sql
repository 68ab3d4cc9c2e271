-- Publishers (ministries, provinces, departments, state enterprises), who works for them, and
-- the audit trail of every change to the catalog.

CREATE TABLE organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  -- Every translatable text is stored per language; at least one title must exist.
  title_lo text,
  title_en text,
  description_lo text,
  description_en text,
  kind text NOT NULL CHECK (kind IN ('ministry', 'province', 'department', 'state_enterprise', 'other')),
  parent_id uuid REFERENCES organizations (id),
  website text,
  contact_email text,
  contact_phone text,
  logo_url text,
  -- Demo content is labelled as such wherever it is shown.
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Incremented on every change; the ETag, so that a stale edit gets 412 instead of winning.
  version integer NOT NULL DEFAULT 1,
  deleted_at timestamptz,
  CHECK (title_lo IS NOT NULL OR title_en IS NOT NULL),
  CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug);
CREATE INDEX organizations_parent_id_idx ON organizations (parent_id);

CREATE TABLE memberships (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin', 'editor', 'member')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

-- Append-only: who changed what, when, with a JSON diff ({"field": {"from": .., "to": ..}}).
CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
  entity_type text NOT NULL,
  entity_id uuid NOT NULL,
  action text NOT NULL,
  -- The organization the change concerns, so that its admins can read their own trail.
  organization_id uuid,
  diff jsonb NOT NULL DEFAULT '{}',
  request_id text
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, id);
CREATE INDEX audit_events_organization_idx ON audit_events (organization_id, id);
