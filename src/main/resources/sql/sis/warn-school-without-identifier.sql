-- Warning lines: a school without an identifier (the state's school code).
select line from sis_stage_orgs where type = 'school' and identifier is null and status <> 'tobedeleted' order by line
