-- Users' students that came onto the roster otherwise (e.g. by their enrollments of a later delta).
update sis_user u set student_id = st.student_id from student st
where u.sis_source = ?1 and st.state_id_hash = u.state_id_hash and u.student_id is distinct from st.student_id
