-- 1.2: a user's role and org from roles.csv (roles delivered without their users); ${role_of_user}: role-of-user.sql.
update sis_user u set role = r.role,
       primary_org_sourced_id = coalesce(u.primary_org_sourced_id, r.org_sourced_id)
from (${role_of_user}) r
where u.sis_source = ?1 and u.sourced_id = r.user_sourced_id and u.role is null
