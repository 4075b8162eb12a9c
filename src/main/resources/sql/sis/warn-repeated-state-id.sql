-- Warning lines: the same state student ID as another student of the users file.
select s.line from sis_stage_users s
join (select state_id_hash from sis_stage_users
      where state_id_hash is not null and status <> 'tobedeleted' and role = 'student'
      group by state_id_hash having count(*) > 1) d on d.state_id_hash = s.state_id_hash
where s.status <> 'tobedeleted' and s.role = 'student' order by s.line
