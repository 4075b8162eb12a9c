package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.credentialhub.store.Database;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A re-match of unsettled results matches each district's entries with the model of the feed they came in by, fitted
 * once, as the district feed's own delivery is matched (each district within its own students): it fitted a model
 * afresh for every district (72 fits one after the other at the end of the NC year's ingest, 10-16 ms each). The
 * entries are still each matched within their district: one district's student is never another's entry's match.
 */
class RematchDistrictModelTest {
    private static final int DISTRICTS = 6;
    private static final int ENTRIES = 4;
    private static final String[] FIRSTS = {"marguerite", "tobias", "anneliese", "kwame"};
    private static final String[] LASTS = {"okafor", "lindqvist", "pemberton", "whitfield", "sudderth", "nakamura"};

    @Test
    void eachDistrictsEntriesAreMatchedWithTheDistrictFeedsModelFittedOnce(@TempDir Path tmp) throws Exception {
        try (Database db = SharedPostgres.open(tmp, 2)) {
            DeliveryMatcher matcher = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            StringBuilder sql = new StringBuilder("""
                    insert into feed (feed_code, kind, layout) values ('district', 'district', 'district-entry')
                        on conflict do nothing;
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        values (1, 'district', 'entries.csv', 'x', 'accepted');
                    """);
            int id = 0;
            for (int d = 0; d < DISTRICTS; d++) {
                for (int e = 0; e < ENTRIES; e++) {
                    id++;
                    String first = FIRSTS[e];
                    String last = LASTS[d];
                    // the student, in district d; and a namesake born the same day, in the next district, its school code the same
                    sql.append("insert into student (student_id, state_id_hash, first_name, last_name, birth_date, "
                            + "district_code, school_code) values (%d, 'h%d', '%s', '%s', date '200%d-0%d-1%d', 'D%d', 'S%d');\n"
                            .formatted(id, id, first, last, 5 + e % 3, 1 + e, d, d, d));
                    sql.append("insert into student (student_id, state_id_hash, first_name, last_name, birth_date, "
                            + "district_code, school_code) values (%d, 'n%d', '%s', '%s', date '200%d-0%d-1%d', 'D%d', 'S%d');\n"
                            .formatted(1000 + id, id, first, last, 5 + e % 3, 1 + e, d, (d + 1) % DISTRICTS, d));
                    // the district's entry for its student, unsettled (as after a roster that lacked the student)
                    sql.append("""
                            insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code,
                                                school_year, attempted_on, passed, match_decision)
                                values (%d, 'district', 'k%d', 1, %d, 'E', '2024-2025', date '2025-01-01', true, 'none');
                            insert into result_identity (result_id, first_name, last_name, birth_date, district_code,
                                                         school_code)
                                values (%d, '%s', '%s', date '200%d-0%d-1%d', 'D%d', 'S%d');
                            """.formatted(id, id, id, id, first, last, 5 + e % 3, 1 + e, d, d, d));
                }
            }
            sql(db, sql.toString());

            assertEquals(DISTRICTS * ENTRIES, matcher.rematchUnsettled(), "every entry reopened");
            assertEquals(1, matcher.fits(), "the district feed's model fitted once, not once a district");
            // every entry matched, to its own district's student (not the namesake next door)
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("""
                         select count(*) filter (where r.match_decision = 'match' and r.student_id = r.result_id),
                                count(*) from result r""")) {
                rs.next();
                assertEquals(DISTRICTS * ENTRIES, rs.getInt(2));
                assertEquals(DISTRICTS * ENTRIES, rs.getInt(1), "each entry matched its own district's student");
            }
        }
    }

    private static void sql(Database db, String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
