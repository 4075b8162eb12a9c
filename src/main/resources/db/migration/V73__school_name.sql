-- A school sent by name only: each lower-case school name with the one school and the one district that have it
-- (null where several do). Matching's read, the district of a result (exception queue, match-rate guard) look a name
-- up here with one index probe; looking it up in school took an aggregate and a sort for every row (a 1,000,000-row
-- file's match rates: 5.4 s). Kept by the trigger below whatever writes school (the SIS import, the demo, a test), in
-- the writer's transaction: readers see the names as they were until it commits. (A materialized view's refresh
-- would lock its readers out until then; a join with the unique names is misjudged as one row by the planner.)
create table school_name (
    name_key      text primary key,
    school_code   text,
    district_code text
);

-- The table worked out again from school.
create function school_name_rebuild() returns void language plpgsql as $$
begin
    -- one writer at a time (readers are not held up): a second waits and then sees the first one's rows
    lock table school_name in exclusive mode;
    delete from school_name;
    insert into school_name (name_key, school_code, district_code)
    select name_key,
           case when count(*) = 1 then min(school_code) end,
           case when count(distinct district_code) = 1 then min(district_code) end
    from school where name_key is not null
    group by name_key;
end $$;

create function school_name_after_school() returns trigger language plpgsql as $$
begin
    perform school_name_rebuild();
    return null;
end $$;

create trigger school_name_rebuild after insert or update or delete or truncate on school
    for each statement execute function school_name_after_school();

select school_name_rebuild();
