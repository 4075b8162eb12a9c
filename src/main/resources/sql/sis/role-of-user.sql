-- A user's role and org from roles.csv (1.2): the primary role first.
select distinct on (user_sourced_id) user_sourced_id, role, org_sourced_id from sis_role
where sis_source = ?1 and status <> 'tobedeleted'
order by user_sourced_id, (role_type = 'primary') desc, sourced_id
