-- The content a catalog folder was loaded from (SHA-256 of its files and the schema version): a start that finds
-- the same folder leaves the catalog as it is (and its loaded_at), so a restart does not make the next reporting
-- load rebuild every school year.
alter table catalog_year add column content_sha256 text;
