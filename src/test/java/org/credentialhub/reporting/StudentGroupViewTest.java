package org.credentialhub.reporting;

import org.credentialhub.support.Sessions;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The student groups (NC Tables 4 and 5a-c): each student in one group of each of the five types, labelled as NC
 * labels them, a missing value "Not reported" (race excepted: the dimension always has one). Read from one pass over
 * the students, not one per group type: a report that joins its students with the groups looks each student up once.
 */
class StudentGroupViewTest {

    @Test
    void everyStudentHasOneGroupOfEachTypeReadInOnePass() throws Exception {
        try (Connection c = SharedPostgres.connect(); Statement st = c.createStatement()) {
            st.execute("""
                    insert into rpt.dim_student (student_key, sex, race, economically_disadvantaged, multilingual_learner,
                                                 student_with_disability)
                    values ('00000000-0000-0000-0000-000000000001', 'Female', 'Asian', true, false, null),
                           ('00000000-0000-0000-0000-000000000002', null, 'White', null, true, false),
                           ('00000000-0000-0000-0000-000000000003', 'Male', 'Two or more races', false, null, true)""");
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select right(student_key::text, 1), ordinal, group_type, student_group"
                    + " from rpt.student_group order by 1, 2")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3) + ": " + rs.getString(4));
                }
            }
            assertEquals(List.of(
                    "1 1 sex: Female", "1 2 race/ethnicity: Asian", "1 3 multilingual learners: Not multilingual learners",
                    "1 4 economically disadvantaged: Economically disadvantaged",
                    "1 5 students with disabilities: Not reported",
                    "2 1 sex: Not reported", "2 2 race/ethnicity: White", "2 3 multilingual learners: Multilingual learners",
                    "2 4 economically disadvantaged: Not reported",
                    "2 5 students with disabilities: Students without disabilities",
                    "3 1 sex: Male", "3 2 race/ethnicity: Two or more races",
                    "3 3 multilingual learners: Not reported",
                    "3 4 economically disadvantaged: Not economically disadvantaged",
                    "3 5 students with disabilities: Students with disabilities"), rows);
            String plan = Sessions.plan(st, "select * from rpt.student_group");
            assertEquals(1, plan.split("on dim_student", -1).length - 1, plan);
        }
    }
}
