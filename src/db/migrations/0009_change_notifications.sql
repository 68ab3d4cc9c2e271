-- Every node remembers lookups that each API request would otherwise repeat, and forgets them
-- when the database reports a change that could alter them: which table each caller is served
-- for a resource (src/datastore/served-tables.ts) and each user's roles (src/catalog/actor.ts).
-- PostgreSQL delivers a notification to every listening session once the change commits, so no
-- node keeps serving what a committed change hid.
CREATE FUNCTION notify_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_ARGV[0], '');
  RETURN NULL;
END
$$;

-- What is served: a dataset's state, access level, revisions or deletion; a resource's file;
-- an ingest finishing, failing or having its schema edited. Progress and heartbeats, written
-- every few hundred milliseconds while an ingest runs, change nothing served.
CREATE TRIGGER datasets_served_tables_changed
  AFTER INSERT OR UPDATE OR DELETE ON datasets
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('served_tables_changed');

CREATE TRIGGER resources_served_tables_changed
  AFTER UPDATE OR DELETE ON resources
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('served_tables_changed');

CREATE TRIGGER datastore_ingests_served_tables_changed
  AFTER UPDATE OF state, table_name, table_schema OR DELETE ON datastore_ingests
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('served_tables_changed');

-- Roles: memberships, and organizations (a deleted one gives no role).
CREATE TRIGGER memberships_changed
  AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('memberships_changed');

CREATE TRIGGER organizations_memberships_changed
  AFTER UPDATE OF deleted_at OR DELETE ON organizations
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('memberships_changed');
