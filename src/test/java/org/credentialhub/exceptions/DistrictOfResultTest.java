package org.credentialhub.exceptions;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The district a result is placed in (exception queues, match rates by district): each source in its order. */
class DistrictOfResultTest {

    @Test
    void theVendorsDistrictOrSchoolThenAUniqueSchoolNameThenTheBestCandidateThenTheMatchedStudent() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into district (district_code, name) values ('100', 'One'), ('200', 'Two'), ('300', 'Three');
                    insert into school (school_code, district_code, name) values ('100301', '100', 'North High'),
                        ('200302', '200', 'Central High'), ('300303', '300', 'Central High'), ('200304', '200', 'Lake High');
                    insert into student (student_id, state_id_hash, district_code) values (1, 'h1', '300'), (2, 'h2', '100');
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        values (1, 'certexam', 'f.csv', 'x', 'accepted');
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed, student_id)
                        select n, 'certexam', 'k' || n, 1, n, 'E', '2024-2025', date '2025-01-01', true,
                               case when n = 5 then 2 end
                        from generate_series(1, 7) n;
                    insert into result_identity (result_id, district_code, school_code, school_name) values
                        (1, '100', '200302', 'Lake High'),   -- the district sent comes first
                        (2, null, '200302', 'North High'),   -- then the school sent
                        (3, null, null, 'LAKE HIGH'),        -- then a school name only one district has, in any case
                        (4, null, null, 'Central High'),     -- two districts have it: the best candidate's
                        (5, null, null, 'Central High'),     -- no candidate: the matched student's
                        (6, null, '999999', 'Nowhere High'), -- nothing known
                        (7, '999', null, null);              -- a district the state does not have
                    insert into match_candidate (result_id, student_id, rank, score) values (4, 2, 2, 1.0), (4, 1, 1, 2.0);
                    """);
            Map<Integer, String> expected = new HashMap<>(Map.of(1, "100", 2, "200", 3, "200", 4, "300", 5, "100"));
            expected.put(6, null);
            expected.put(7, null);
            assertEquals(expected, placed(st));
            // the names follow the schools, whatever writes them: one of the two Central Highs closes, Lake High is
            // renamed
            st.execute("""
                    delete from school where school_code = '300303';
                    update school set name = 'Lake Middle' where school_code = '200304'""");
            expected.putAll(Map.of(4, "200", 5, "200"));
            expected.put(3, null);
            assertEquals(expected, placed(st));
            assertEquals("200302 200", one(st, "select school_code || ' ' || district_code from school_name"
                    + " where name_key = 'central high'"));
            st.execute("truncate school cascade");
            assertEquals("0", one(st, "select count(*) from school_name"));
        }
    }

    /** Each result's district. */
    private static Map<Integer, String> placed(Statement st) throws Exception {
        Map<Integer, String> placed = new HashMap<>();
        try (ResultSet rs = st.executeQuery("select r.result_id, " + ExceptionQueue.DISTRICT_OF_RESULT
                + " from result r left join result_identity i using (result_id) ")) {
            while (rs.next()) {
                placed.put(rs.getInt(1), rs.getString(2));
            }
        }
        return placed;
    }

    private static String one(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
