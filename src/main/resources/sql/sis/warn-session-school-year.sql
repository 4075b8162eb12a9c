-- Warning lines: a session's schoolYear that does not fit its dates.
select s.line from sis_stage_academicsessions s
join sis_academic_session a on a.sis_source = ?1 and a.sourced_id = s.sourced_id
where s.school_year_number is not null and a.school_year is not null
  and s.school_year_number::text not in (split_part(a.school_year, '-', 1), split_part(a.school_year, '-', 2))
order by s.line
