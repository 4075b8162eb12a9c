-- A result that names its school only by name (no code) is placed in the district of the one school of that name:
-- looked up by lower(name), with an index rather than a scan of every school per row (issue 17).
create index school_lower_name on school (lower(name));
