package org.credentialhub.intake;

import org.credentialhub.support.Sessions;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.credentialhub.support.Sessions.one;

/**
 * The references of {@code result} to {@code student} and {@code delivery}, checked once per inserting statement
 * (migration V76) instead of by foreign keys row by row: the same rules as the keys they replace, also between two
 * transactions (V81: without locking each student named; a student's deletion waits for the transactions writing
 * results instead); and the per-statement checks (V75's and V76's) look their rows up by index, not by reading the
 * table.
 */
class ResultReferencesTest {

    private static final String FOREIGN_KEY_VIOLATION = "23503";
    private static final String RESULT_COLUMNS = "result_id, feed_code, attempt_key, delivery_id, source_row, exam_code,"
            + " school_year, attempted_on, passed, student_id";

    @Test
    void aResultNamesADeliveryAndAStudentThatExist() throws Exception {
        try (Connection c = DriverManager.getConnection(database(), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("insert into result (" + RESULT_COLUMNS + ") values " + row(10, 1, "1") + ", " + row(11, 2, "null"));
            refused(st, "insert into result (" + RESULT_COLUMNS + ") values " + row(12, 1, "1") + ", " + row(13, 99, "1"));
            refused(st, "insert into result (" + RESULT_COLUMNS + ") values " + row(14, 1, "2") + ", " + row(15, 1, "99"));
            assertEquals("2", one(st, "select count(*) from result"), "a refused statement leaves none of its rows");

            // publishing's upsert: a conflicting row moved to a delivery or student that does not exist is refused
            String upsert = "insert into result (" + RESULT_COLUMNS + ") values %s on conflict (feed_code, attempt_key)"
                    + " do update set delivery_id = excluded.delivery_id, student_id = excluded.student_id";
            refused(st, upsert.formatted(row(20, 1, "99").replace("'k20'", "'k10'")));
            refused(st, upsert.formatted(row(20, 99, "1").replace("'k20'", "'k10'")));
            st.execute(upsert.formatted(row(20, 2, "2").replace("'k20'", "'k10'")));
            assertEquals("2 2", one(st, "select delivery_id || ' ' || student_id from result where attempt_key = 'k10'"));

            // a decision's update
            refused(st, "update result set student_id = 99 where result_id = 11");
            refused(st, "update result set delivery_id = 99 where result_id = 11");
            st.execute("update result set student_id = 3 where result_id = 11");
            st.execute("update result set student_id = null where result_id = 10");
            st.execute("update result set passed = false");   // no key changed: nothing to check
            assertEquals("3", one(st, "select student_id from result where result_id = 11"));
        }
    }

    @Test
    void aStudentOrDeliveryThatAResultNamesStays() throws Exception {
        try (Connection c = DriverManager.getConnection(database(), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("insert into result (" + RESULT_COLUMNS + ") values " + row(10, 1, "1"));
            refused(st, "delete from student where student_id = 1");
            refused(st, "update student set student_id = 100 where student_id = 1");
            st.execute("delete from student where student_id = 2");   // nothing names it
            refused(st, "delete from delivery where delivery_id = 1");
            refused(st, "update delivery set delivery_id = 100 where delivery_id = 1");
            st.execute("delete from delivery where delivery_id = 2");
            refused(st, "truncate student cascade");
            refused(st, "truncate delivery cascade");
            assertEquals("2 1", one(st, "select (select count(*) from student) || ' ' || (select count(*) from delivery)"));

            st.execute("truncate result cascade");
            st.execute("delete from student where student_id = 1");
            st.execute("delete from delivery where delivery_id = 1");
        }
    }

    /**
     * A student that another transaction's new result names is kept: deleting it waits for that transaction (V81: for
     * every transaction writing results), then is refused (else the result would name a student that is gone).
     */
    @Test
    void aStudentNamedByAnUncommittedResultWaitsForItAndIsKept() throws Exception {
        deleteWaitsAndIsRefused(null, "insert into result (" + RESULT_COLUMNS + ") values " + row(10, 1, "1"), 1);
    }

    /** The same for a student another transaction's decision (an update) has just given a result. */
    @Test
    void aStudentNamedByAnUncommittedDecisionWaitsForItAndIsKept() throws Exception {
        deleteWaitsAndIsRefused("insert into result (" + RESULT_COLUMNS + ") values " + row(10, 1, "null"),
                "update result set student_id = 2 where result_id = 10", 2);
    }

    /**
     * The reverse order: a student deleted in a transaction still open keeps out a result that names it, which waits
     * for the deletion and is refused once it commits (the student is gone).
     */
    @Test
    void aResultNamingAStudentBeingDeletedWaitsForTheDeletionAndIsRefused() throws Exception {
        secondWaitsAndIsRefused(null, "delete from student where student_id = 1",
                "insert into result (" + RESULT_COLUMNS + ") values " + row(10, 1, "1"),
                "the result beside the transaction that deletes its student", "select count(*) from result", "0");
    }

    /**
     * Publishing and decisions leave the students their results name unlocked (V81): a row lock is a write of the
     * student's row (V76 locked each FOR KEY SHARE, about 10 us a student, and a multixact where feeds published beside
     * each other). A locked row keeps its locker's transaction in its header after the lock is gone.
     */
    @Test
    void resultsLeaveTheStudentsTheyNameUnlocked() throws Exception {
        try (Connection c = DriverManager.getConnection(database(), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("insert into result (" + RESULT_COLUMNS + ") values " + row(10, 1, "1") + ", " + row(11, 1, "null"));
            st.execute("update result set student_id = 2 where result_id = 11");
            assertEquals("0 0", one(st, "select string_agg(xmax::text, ' ' order by student_id) from student"
                    + " where student_id in (1, 2)"));
            // a writer's open transaction: the students are not locked: another transaction may lock one for update
            try (Connection other = DriverManager.getConnection(c.getMetaData().getURL(), "postgres", "");
                 Statement o = other.createStatement()) {
                c.setAutoCommit(false);
                st.execute("insert into result (" + RESULT_COLUMNS + ") values " + row(12, 2, "3"));
                assertEquals("3", one(o, "select student_id from student where student_id = 3 for update nowait"));
                c.rollback();
            }
        }
    }

    /**
     * After {@code before} (committed, or null), a writer's open transaction runs {@code uncommitted}, which names
     * {@code student}; a delete of the student, started beside it, waits for it and is refused once it commits.
     */
    private static void deleteWaitsAndIsRefused(String before, String uncommitted, int student) throws Exception {
        secondWaitsAndIsRefused(before, uncommitted, "delete from student where student_id = " + student,
                "the delete beside the transaction that names the student",
                "select count(*) from student where student_id = " + student, "1");
    }

    /**
     * After {@code before} (committed, or null), one session's open transaction runs {@code first}; {@code second},
     * started in another session beside it, waits for it and, once it commits, is refused as a key would refuse it;
     * {@code count} then answers {@code expected}.
     */
    private static void secondWaitsAndIsRefused(String before, String first, String second, String what, String count,
                                                String expected) throws Exception {
        String url = database();
        try (Connection one = DriverManager.getConnection(url, "postgres", "");
             Connection two = DriverManager.getConnection(url, "postgres", "");
             Connection watcher = DriverManager.getConnection(url, "postgres", "");
             Statement st = one.createStatement(); Statement look = watcher.createStatement()) {
            if (before != null) {
                st.execute(before);
            }
            one.setAutoCommit(false);
            st.execute(first);
            CompletableFuture<Integer> waiting = Sessions.waitingForALock(two, second, look, what);
            assertFalse(waiting.isDone());
            one.commit();
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
            assertEquals(FOREIGN_KEY_VIOLATION, ((SQLException) e.getCause().getCause()).getSQLState());
            assertEquals(expected, one(look, count));
        }
    }

    /**
     * The per-statement checks read the rows a statement names by index, one look-up a row: a statement of 3,000
     * lineage rows, identities or results in a table of 30,000 results and 30,000 students was planned, by its row
     * count against the table's, as a hash of the whole table (V75's check of a 21,873-row delivery in the NC year: 767
     * ms, growing with the table). Their plans are read from auto_explain's log, sent to this session.
     */
    @Test
    void theChecksLookTheirRowsUpByIndex() throws Exception {
        try (Connection c = DriverManager.getConnection(database(), "postgres", "");
             Statement st = c.createStatement()) {
            grow(st, 4);
            st.execute("analyze student, result");
            checksLookUpByIndex(st);
        }
    }

    /**
     * A check's plan is made at its first statement in a session and kept there until the tables it reads are analyzed
     * again: the first file of a fresh hub (13 rows, a result table of a few pages) planned the results' look-up as a
     * read of the whole table, kept in memory and compared with each new row, and every later statement on that
     * connection ran that plan against a table that kept growing (a 1,317-row file against 5,035 results: 6.6 million
     * comparisons, 224 ms); the students' check the same on a roster of a few rows. Planned on small tables, the
     * checks of a later, larger statement on the same connection still look their rows up by index.
     */
    @Test
    void aCheckPlannedOnSmallTablesStillLooksItsRowsUpByIndexWhenTheyGrow() throws Exception {
        try (Connection c = DriverManager.getConnection(database(), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed, student_id)
                        select n, 'certexam', 'k' || n, 1, n, 'E', '2024-2025', date '2025-01-01', true, 1 + n % 3
                        from generate_series(4, 30) n;
                    analyze student, result""");
            // the first statements of the session, on small tables: the checks are planned (and their plans kept)
            st.execute("insert into result_lineage (result_id, delivery_id, source_row) select n, 1, n from generate_series(4, 16) n");
            st.execute("insert into result_identity (result_id, school_code) select n, 'x' from generate_series(4, 16) n");
            st.execute("insert into result (" + RESULT_COLUMNS + ") values " + row(31, 1, "1") + ", " + row(32, 1, "2"));
            // the tables grow (no analyze: autovacuum's comes later)
            grow(st, 33);
            List<String> lineage = checksLookUpByIndex(st);
            // and the deliveries a lineage statement names, by the delivery's key as that table grows
            String deliveries = nested(lineage, "from delivery d where d.delivery_id in");
            assertFalse(deliveries.contains("Seq Scan on delivery"), deliveries);
        }
    }

    /** Students 4 to 30,000, and results from {@code firstResult} to 30,000 (result n for student n), delivery 1. */
    private static void grow(Statement st, int firstResult) throws SQLException {
        st.execute("""
                insert into student (student_id, state_id_hash, first_name, last_name, birth_date, district_code, school_code)
                    select n, 'h' || n, 'A', 'B', date '2008-01-01', '100', '100301' from generate_series(4, 30000) n;
                insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                    attempted_on, passed, student_id)
                    select n, 'certexam', 'k' || n, 1, n, 'E', '2024-2025', date '2025-01-01', true, n
                    from generate_series(%d, 30000) n""".formatted(firstResult));
    }

    /**
     * Inserts 3,000 lineage rows, identities and results (delivery 2) with auto_explain's plans sent to this session,
     * and asserts that each statement's check reads the results or students it names by index; returns the lineage
     * statement's plans.
     */
    private static List<String> checksLookUpByIndex(Statement st) throws SQLException {
        st.execute("load 'auto_explain'");
        st.execute("set auto_explain.log_min_duration = 0");
        st.execute("set auto_explain.log_nested_statements = on");
        st.execute("set client_min_messages = log");
        List<String> lineage = plans(st, "insert into result_lineage (result_id, delivery_id, source_row)"
                + " select n, 2, n from generate_series(27001, 30000) n");
        List<String> identity = plans(st, "insert into result_identity (result_id, school_code)"
                + " select n, 'x' from generate_series(27001, 30000) n");
        List<String> results = plans(st, "insert into result (" + RESULT_COLUMNS + ")"
                + " select 100000 + n, 'certexam', 'j' || n, 2, n, 'E', '2024-2025', date '2025-01-01', true, n"
                + " from generate_series(4, 3003) n");
        for (List<String> p : List.of(lineage, identity)) {
            String check = nested(p, "new_rows n left join result r");
            assertTrue(check.contains("Index Scan using result_pkey on result r"), check);
            assertFalse(check.contains("Seq Scan on result"), check);
        }
        String students = nested(results, "from student s");
        assertTrue(students.contains("Index Scan using student_pkey on student s")
                || students.contains("Index Only Scan using student_pkey on student s"), students);
        assertFalse(students.contains("Seq Scan on student"), students);
        return lineage;
    }

    /** The plans auto_explain logged while the statement ran (its own and those of the triggers it fired). */
    private static List<String> plans(Statement st, String sql) throws SQLException {
        st.clearWarnings();
        st.execute(sql);
        List<String> plans = new ArrayList<>();
        for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
            plans.add(w.getMessage());
        }
        return plans;
    }

    /** The first plan whose query text contains {@code text}. */
    private static String nested(List<String> plans, String text) {
        return plans.stream().filter(p -> p.contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no plan of '" + text + "' among " + plans.size() + " plans"));
    }

    /** A result row's values: result {@code id} (attempt key k{@code id}) of {@code delivery}, for {@code student}. */
    private static String row(int id, int delivery, String student) {
        return "(%d, 'certexam', 'k%d', %d, 1, 'E', '2024-2025', date '2025-01-01', true, %s)"
                .formatted(id, id, delivery, student);
    }

    /** A database with two deliveries and three students, no results. */
    private static String database() throws Exception {
        String url = SharedPostgres.newDatabase();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status) values
                        (1, 'certexam', 'a.csv', 'a', 'accepted'), (2, 'certexam', 'b.csv', 'b', 'accepted');
                    insert into student (student_id, state_id_hash, first_name, last_name, birth_date, district_code,
                                         school_code)
                        select n, 's' || n, 'A', 'B', date '2008-01-01', '100', '100301' from generate_series(1, 3) n""");
        }
        return url;
    }

    private static void refused(Statement st, String sql) {
        Sessions.refused(st, sql, FOREIGN_KEY_VIOLATION);
    }
}
