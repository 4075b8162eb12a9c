-- A bulk file's lines as last published, so that the next bulk export of the same file stages only the lines that
-- changed (sis.LineSets; docs/performance.md, session 30). A OneRoster bulk export gives every row again each time,
-- nearly all of them as they were: 1 % changed cost nearly a first load, every row parsed, checked, staged and
-- compared. Now each published enrollment and demographics row keeps a 64-bit hash of its line (as read, the line
-- end left out), and sis_line_set says which source's file the stored hashes stand for: the file's header and
-- OneRoster version (context), and the delivery that published them, whose problems were none for that file. An
-- import that does not bring the file as a bulk file removes its line set; rows without a hash (published before)
-- take the full path.
alter table sis_enrollment add column line_hash bigint;
alter table sis_demographics add column line_hash bigint;

create table sis_line_set (
    sis_source  text   not null,
    file        text   not null,   -- the manifest's name (enrollments, demographics)
    context     bigint not null,   -- hash of the header line, the OneRoster version and the hub's check revision
    delivery_id bigint not null,
    primary key (sis_source, file)
);

-- A tenth of each page left free, so that a changed enrollment or demographics row is rewritten on its page with no
-- new key in the primary key's index (a HOT update: no indexed column changes). 15,000 changed enrollments of
-- 1,500,000 were published in 0.97 s before, 0.60 s after (./hub bench oneroster, session 30).
alter table sis_enrollment set (fillfactor = 90);
alter table sis_demographics set (fillfactor = 90);
