-- The order of a course's credentials as the state's report lists them (the catalog file's order).
alter table catalog_alignment add column ordinal int not null default 0;
