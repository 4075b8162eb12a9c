-- Users' students that came onto the roster otherwise (e.g. by their enrollments of a later delta, the CSV roster or
-- another source). A user's student is linked when the user is published (the student with its state ID), and a
-- student's state ID never changes: only users without a student yet can have one now (the index on student_id
-- finds them without reading every user).
update sis_user u set student_id = st.student_id from student st
where u.sis_source = ?1 and u.student_id is null and u.state_id_hash is not null and st.state_id_hash = u.state_id_hash
