-- Warning lines: a student without a state student ID.
select s.line from sis_stage_users s join sis_user u on u.sis_source = ?1 and u.sourced_id = s.sourced_id
where s.state_id_hash is null and u.role = 'student' order by s.line
