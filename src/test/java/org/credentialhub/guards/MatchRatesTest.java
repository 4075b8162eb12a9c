package org.credentialhub.guards;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A delivery whose results all went to a later delivery before its match rates were taken (a feed's next file corrects
 * every attempt of it while it is finished, routes/delivery.yaml; or a delivery finished by recovery after the files
 * that came next) has no rates: its check records none and raises nothing. The rates' grand total over no rows was a
 * division by zero, and the delivery's finishing failed at every try.
 */
class MatchRatesTest {

    @Test
    void aDeliveryWhoseResultsAllMovedOnHasNoRatesAndFinishes() throws Exception {
        withStore("""
                insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                    values (1, 'certexam', 'a.csv', 'x1', 'accepted'), (2, 'certexam', 'b.csv', 'x2', 'accepted');
                -- delivery 1's one attempt, corrected by delivery 2 (a result carries its latest delivery)
                insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code,
                                    school_year, attempted_on, passed, match_decision, version)
                    values (1, 'certexam', 'k1', 2, 2, 'E', '2024-2025', date '2025-01-01', true, 'match', 2);
                insert into result_lineage (result_id, delivery_id, source_row, version)
                    values (1, 1, 2, 1), (1, 2, 2, 2)""", db -> {
            // the feed's guard settings are resolved once (every key with the feed's name, then without), not per delivery
            List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
            MatchRates rates = new MatchRates(db.dataSource(), key -> {
                asked.add(key);
                return Optional.empty();
            });
            assertEquals(List.of(), rates.check("certexam", 1));
            assertEquals(14, asked.size(), asked.toString());
            assertEquals(List.of(), rates.check("certexam", 2));
            assertEquals(14, asked.size(), asked.toString());
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select delivery_id, district_code, results, matched from delivery_match_rate "
                         + "order by delivery_id, district_code")) {
                StringBuilder found = new StringBuilder();
                while (rs.next()) {
                    found.append(rs.getLong(1)).append('/').append(rs.getString(2)).append('/').append(rs.getInt(3))
                            .append('/').append(rs.getInt(4)).append(';');
                }
                assertEquals("2//1/1;", found.toString());
            }
        });
    }

    /**
     * A delivery's rates place each result as the exception queue does ({@code ExceptionQueue.DISTRICT_OF_RESULT}, row
     * by row), where the statement looks each place up once and joins it back to its rows: places that differ only by a
     * null against an empty value, a school name in another case, places that give no district (then each row's
     * candidate or student decides, not the place), rows of other deliveries and of other statuses.
     */
    @Test
    void aDeliverysRatesPlaceEachResultAsTheExceptionQueueDoes() throws Exception {
        withStore("""
                insert into district (district_code, name) select d::text, 'D' || d from generate_series(100, 104) d;
                insert into school (school_code, district_code, name)
                    select s::text, (100 + s % 5)::text, 'School ' || s from generate_series(1000, 1019) s;
                insert into school (school_code, district_code, name) values ('', '103', 'Blank High');
                insert into student (student_id, state_id_hash, district_code)
                    select n, 'h' || n, (100 + n % 5)::text from generate_series(1, 50) n;
                insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                    values (1, 'certexam', 'a.csv', 'x1', 'accepted'), (2, 'certexam', 'b.csv', 'x2', 'accepted');
                insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code,
                                    school_year, attempted_on, passed, match_decision, student_id, status)
                    select n, 'certexam', 'k' || n, case when n % 11 = 0 then 2 else 1 end, n, 'E', '2024-2025',
                           date '2025-01-01', true,
                           case when n % 3 = 0 then 'match' when n % 3 = 1 then 'review' else 'none' end,
                           case when n % 4 <> 0 then 1 + n % 50 end,
                           case when n % 13 = 0 then 'revoked' when n % 17 = 0 then 'held' else 'active' end
                    from generate_series(1, 600) n;
                insert into result_identity (result_id, district_code, school_code, school_name)
                    select n,
                           case n % 7 when 0 then '10' || (n % 5) when 1 then '' when 2 then '999' end,
                           case n % 5 when 0 then (1000 + n % 20)::text when 1 then '' when 2 then '77' end,
                           case n % 6 when 0 then 'SCHOOL ' || (1000 + n % 20) when 1 then 'school 1003'
                                      when 2 then '' when 3 then 'Nowhere' end
                    from generate_series(1, 600) n where n % 19 <> 0;
                insert into match_candidate (result_id, student_id, rank, score)
                    select n, 1 + (n * 7) % 50, 1, 1.0 from generate_series(1, 600) n where n % 2 = 0""", db -> {
            MatchRates rates = new MatchRates(db.dataSource(), key -> Optional.empty());
            rates.check("certexam", 1);
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                String recorded = rows(st, "select district_code, results, matched from delivery_match_rate"
                        + " where delivery_id = 1 order by 1");
                String rowByRow = rows(st, "select coalesce(d, ''), count(*), count(*) filter (where m) from ("
                        + "select " + org.credentialhub.exceptions.ExceptionQueue.DISTRICT_OF_RESULT + " as d,"
                        + " r.match_decision = 'match' as m from result r left join result_identity i using (result_id)"
                        + " where r.delivery_id = 1 and r.status in ('active', 'held')) x"
                        + " group by grouping sets ((), (d)) having grouping(d) = 1 or d is not null order by 1");
                assertEquals(rowByRow, recorded);
                assertTrue(recorded.split(";").length >= 6, recorded);
            }
        });
    }

    /**
     * A large delivery's rows of places that name no district are joined back to them by hash: as a merge join every
     * row of the delivery was sorted to find them (the 1,000,000-row file's rates: 4.7-5.0 s, 2.5-2.6 s by hash).
     */
    @Test
    void aLargeDeliverysRowsAreJoinedBackToTheirPlacesWithoutSortingThem() throws Exception {
        withStore("""
                insert into district (district_code, name) select d::text, 'D' || d from generate_series(100, 104) d;
                insert into school (school_code, district_code, name)
                    select s::text, (100 + s % 5)::text, 'School ' || s from generate_series(1000, 1099) s;
                insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                    values (1, 'certexam', 'a.csv', 'x1', 'accepted');
                insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code,
                                    school_year, attempted_on, passed, match_decision)
                    select n, 'certexam', 'k' || n, 1, n, 'E', '2024-2025', date '2025-01-01', true, 'match'
                    from generate_series(1, 100000) n;
                -- a hundred schools the hub knows, and two it does not
                insert into result_identity (result_id, school_code)
                    select n, case when n % 500 = 0 then 'X' || (n % 1000) else (1000 + n % 100)::text end
                    from generate_series(1, 100000) n;
                analyze result, result_identity;
                -- planned as the 1,000,000-row file's: its rows' statistics ten times as many (the planner scales the
                -- rows it expects by the table's pages as they are, at this density)
                update pg_class set reltuples = reltuples * 10 where relname in ('result', 'result_identity')""", db -> {
            String plan = ratesPlan(db, 1);
            assertTrue(!plan.contains("Merge Join") && plan.contains("Hash Join"), plan);
            assertEquals("/100000/100000;100/19800/19800;101/20000/20000;102/20000/20000;103/20000/20000;"
                    + "104/20000/20000;", checked(db, 1));
        });
    }

    /**
     * A delivery's identities are read for its own results only, whatever the hub's size: planned as a hash of the
     * delivery's rows, every identity of the hub was read to find them (an NC year's 22,233-row delivery 108-115 ms,
     * 64-79 ms with its range; a state's larger deliveries each read the whole table, growing with the hub).
     */
    @Test
    void aDeliverysIdentitiesAreReadInItsOwnRangeOnly() throws Exception {
        withStore("""
                insert into district (district_code, name) values ('100', 'D100');
                insert into school (school_code, district_code, name) values ('1000', '100', 'School 1000');
                insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                    values (1, 'certexam', 'a.csv', 'x1', 'accepted'), (2, 'certexam', 'b.csv', 'x2', 'accepted');
                insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code,
                                    school_year, attempted_on, passed, match_decision)
                    select n, 'certexam', 'k' || n, case when n > 180000 then 2 else 1 end, n, 'E', '2024-2025',
                           date '2025-01-01', true, 'match'
                    from generate_series(1, 200000) n;
                insert into result_identity (result_id, school_code) select n, '1000' from generate_series(1, 200000) n;
                analyze result, result_identity""", db -> {
            String plan = ratesPlan(db, 2);
            assertTrue(java.util.regex.Pattern.compile("on result_identity i [^\\n]*\\n\\s*Index Cond: \\(\\(result_id >=")
                    .matcher(plan).find(), plan);
            assertEquals("/20000/20000;100/20000/20000;", checked(db, 2));
        });
    }

    /** The plan of the certexam delivery's {@link MatchRates#RATES}, with the planner set as {@code check} sets it. */
    private static String ratesPlan(org.credentialhub.store.Database db, long delivery) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            MatchRates.planRates(st);
            String plan = org.credentialhub.support.Sessions.plan(st, MatchRates.RATES.replaceFirst("\\?", "" + delivery)
                    .replaceFirst("\\?", "'certexam'").replaceFirst("\\?", "" + delivery));
            c.rollback();
            return plan;
        }
    }

    /** The rates {@code check} records for the certexam delivery: district/results/matched; ... */
    private static String checked(org.credentialhub.store.Database db, long delivery) throws Exception {
        new MatchRates(db.dataSource(), key -> Optional.empty()).check("certexam", delivery);
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            return rows(st, "select district_code, results, matched from delivery_match_rate where delivery_id = "
                    + delivery + " order by 1");
        }
    }

    /** A store on a new database of the test run's PostgreSQL, with {@code fixture}'s rows, given to {@code check}. */
    private static void withStore(String fixture, StoreCheck check) throws Exception {
        Path data = Files.createTempDirectory("hub-match-rates");
        try (org.credentialhub.store.Database db = SharedPostgres.open(data, 2)) {
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.execute(fixture);
            }
            check.run(db);
        } finally {
            org.credentialhub.support.Fixtures.deleteTree(data);
        }
    }

    private interface StoreCheck {
        void run(org.credentialhub.store.Database db) throws Exception;
    }

    private static String rows(Statement st, String sql) throws Exception {
        StringBuilder out = new StringBuilder();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('/').append(rs.getInt(2)).append('/').append(rs.getInt(3)).append(';');
            }
        }
        return out.toString();
    }
}
