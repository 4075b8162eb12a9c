-- The state's schools: the SIS's schools whose parent is one of its districts (by identifier).
insert into school (school_code, district_code, name)
select distinct on (s.identifier) s.identifier, d.identifier, s.name from sis_org s
join sis_org d on d.sis_source = s.sis_source and d.sourced_id = s.parent_sourced_id
              and d.type = 'district' and d.identifier is not null
where s.sis_source = ?1 and s.type = 'school' and s.status <> 'tobedeleted' and s.identifier is not null
order by s.identifier, s.sourced_id
on conflict (school_code) do update set district_code = excluded.district_code, name = excluded.name
