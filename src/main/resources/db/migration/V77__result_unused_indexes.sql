-- Two indexes of result that no query of the hub reads, dropped: every result inserted paid for them.
--
-- result_student (student_id) served only V76's check that a student deleted, or whose key changed, is named by no
-- result; result_year_credential (school_year, credential_code) only the reporting load's list of the years results
-- have, which reads result whole all the same (its years changed since the last load: updated_at has no index). Their
-- entries go in at random places (a result's student) or into long lists of equal keys (a year's credential), and
-- they were a third of an insert's time: 300,000 results into a table of 700,000, 5.8-6.0 s with them, 3.6-4.0 s
-- without (psql, the data of a 1,000,000-row vendor file; docs/performance.md, session 27).
drop index result_student;
drop index result_year_credential;

-- The check of a student's deletion, once per deleting statement: one read of result for all the rows deleted, where
-- without result_student a check per row would read result once for each. A key changed (never, by the hub) is
-- checked row by row, as before, only when it changes.
create function students_deleted_results_kept() returns trigger language plpgsql as $$
begin
    if exists (select 1 from result r where r.student_id in (select o.student_id from old_rows o)) then
        -- (no student's key in the message: it reaches logs)
        raise foreign_key_violation using
            message = 'a student named by table "result" is not deleted, nor its key changed';
    end if;
    return null;
end $$;

drop trigger student_results_kept on student;
create trigger student_results_kept after delete on student
    referencing old table as old_rows for each statement execute function students_deleted_results_kept();
create trigger student_key_kept before update of student_id on student
    for each row when (old.student_id is distinct from new.student_id) execute function student_results_kept();
