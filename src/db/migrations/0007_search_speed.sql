-- Facet counts of the whole visible catalog, kept by a trigger in the transaction that writes the
-- search documents: an empty search (the catalog's front page) reads a few rows instead of
-- counting every dataset's keywords. Two audiences have one fixed set of documents each:
-- 'public' (published, public, not archived: what anyone may see) and 'all' (each dataset's
-- current revision: what a sysadmin sees). Members of organizations are counted live.
CREATE TABLE search_facet_counts (
  audience text NOT NULL,
  facet text NOT NULL,
  value text NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (audience, facet, value)
);

-- The most frequent values of a facet are an index range.
CREATE INDEX search_facet_counts_top_idx ON search_facet_counts (audience, facet, count DESC, value);

CREATE FUNCTION search_facet_counts_add(doc search_documents, delta integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  -- Rows in (audience, facet, value) order, so concurrent writers take their locks in one order.
  INSERT INTO search_facet_counts AS c (audience, facet, value, count)
  SELECT a.audience, f.facet, f.value, count(*)::int * delta
  FROM (VALUES
          ('public', doc.is_published AND doc.state <> 'archived'
                     AND doc.published_access_level = 'public'),
          ('all', doc.is_current)) AS a (audience, counted),
    (SELECT 'total' AS facet, '' AS value
     UNION ALL SELECT 'organization', doc.organization_slug
     UNION ALL SELECT 'license', doc.license
     UNION ALL SELECT 'access_level', doc.access_level
     UNION ALL SELECT 'theme', unnest(doc.themes)
     UNION ALL SELECT 'keyword', unnest(doc.keywords)
     UNION ALL SELECT 'format', unnest(doc.formats)
     UNION ALL SELECT 'province', unnest(doc.provinces)
     UNION ALL SELECT 'language', unnest(doc.languages)) AS f
  WHERE a.counted AND f.value IS NOT NULL
  GROUP BY a.audience, f.facet, f.value
  ORDER BY a.audience, f.facet, f.value
  ON CONFLICT (audience, facet, value) DO UPDATE SET count = c.count + EXCLUDED.count;
  -- A value counted down to 0 keeps its row (readers skip it): deleting it would cost a scan.
END;
$$;

CREATE FUNCTION search_facet_counts_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM search_facet_counts_add(OLD, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM search_facet_counts_add(NEW, 1);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER search_documents_facet_counts
AFTER INSERT OR UPDATE OR DELETE ON search_documents
FOR EACH ROW EXECUTE FUNCTION search_facet_counts_trigger();

-- Documents indexed before this migration.
INSERT INTO search_facet_counts (audience, facet, value, count)
SELECT a.audience, f.facet, f.value, count(*)::int
FROM search_documents d
  CROSS JOIN LATERAL (VALUES
    ('public', d.is_published AND d.state <> 'archived' AND d.published_access_level = 'public'),
    ('all', d.is_current)) AS a (audience, counted)
  CROSS JOIN LATERAL (
    SELECT 'total' AS facet, '' AS value
    UNION ALL SELECT 'organization', d.organization_slug
    UNION ALL SELECT 'license', d.license
    UNION ALL SELECT 'access_level', d.access_level
    UNION ALL SELECT 'theme', unnest(d.themes)
    UNION ALL SELECT 'keyword', unnest(d.keywords)
    UNION ALL SELECT 'format', unnest(d.formats)
    UNION ALL SELECT 'province', unnest(d.provinces)
    UNION ALL SELECT 'language', unnest(d.languages)) AS f
WHERE a.counted AND f.value IS NOT NULL
GROUP BY a.audience, f.facet, f.value;
