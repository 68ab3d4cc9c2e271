import type { Static } from 'typebox';
import type { OrganizationView } from './queries.js';
import type { MemberSchema, OrganizationSchema } from './schemas.js';

export function presentOrganization(row: OrganizationView): Static<typeof OrganizationSchema> {
  return {
    id: row.id,
    slug: row.slug,
    title: { lo: row.title_lo, en: row.title_en },
    description: { lo: row.description_lo, en: row.description_en },
    kind: row.kind,
    parent: row.parent_id && row.parent_slug ? { id: row.parent_id, slug: row.parent_slug } : null,
    website: row.website,
    contact_email: row.contact_email,
    contact_phone: row.contact_phone,
    logo_url: row.logo_url,
    demo: row.is_demo,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function presentMember(row: {
  user_id: string;
  email: string;
  display_name: string;
  role: 'admin' | 'editor' | 'member';
  created_at: Date;
}): Static<typeof MemberSchema> {
  return {
    user_id: row.user_id,
    email: row.email,
    display_name: row.display_name,
    role: row.role,
    since: row.created_at.toISOString(),
  };
}
