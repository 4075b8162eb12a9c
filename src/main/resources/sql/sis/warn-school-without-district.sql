-- Warning lines: a school whose parent is not a district of this SIS.
select s.line from sis_stage_orgs s
left join sis_org d on d.sis_source = ?1 and d.sourced_id = s.parent_sourced_id and d.type = 'district'
where s.type = 'school' and s.identifier is not null and s.status <> 'tobedeleted' and d.sourced_id is null
order by s.line
