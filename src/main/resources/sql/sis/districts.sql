-- The state's districts: the SIS's orgs of type district (by identifier).
insert into district (district_code, name)
select distinct on (identifier) identifier, name from sis_org
where sis_source = ?1 and type = 'district' and status <> 'tobedeleted' and identifier is not null
order by identifier, sourced_id
on conflict (district_code) do update set name = excluded.name
