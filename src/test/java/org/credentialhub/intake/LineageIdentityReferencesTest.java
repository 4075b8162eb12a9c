package org.credentialhub.intake;

import org.credentialhub.support.Sessions;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.credentialhub.support.Sessions.one;

/**
 * The references of {@code result_lineage} and {@code result_identity}, checked once per statement (migration V75)
 * instead of by foreign keys row by row: the same rules as the keys they replace, also between two transactions.
 */
class LineageIdentityReferencesTest {

    private static final String FOREIGN_KEY_VIOLATION = "23503";

    @Test
    void aLineageOrIdentityRowNamesAResultAndADeliveryThatExistAndKeepsThem() throws Exception {
        try (Connection c = DriverManager.getConnection(database(), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("insert into result_lineage (result_id, delivery_id, source_row) values (1, 1, 1), (2, 2, 1)");
            st.execute("insert into result_identity (result_id, school_code) values (1, '100301')");
            refused(st, "insert into result_lineage (result_id, delivery_id, source_row) values (1, 1, 2), (99, 1, 3)");
            refused(st, "insert into result_lineage (result_id, delivery_id, source_row) values (1, 99, 4)");
            refused(st, "insert into result_identity (result_id) values (2), (99)");
            assertEquals("2 1", one(st, "select (select count(*) from result_lineage) || ' '"
                    + " || (select count(*) from result_identity)"), "a refused statement leaves none of its rows");
            // rows written through publishing's own statement shapes: a select, and an upsert whose rows exist
            st.execute("""
                    insert into result_lineage (result_id, delivery_id, source_row)
                    select result_id, 2, 10 + result_id from result on conflict do nothing""");
            st.execute("""
                    insert into result_identity (result_id, school_code) select result_id, 'x' from result
                    on conflict (result_id) do update set school_code = excluded.school_code""");
            assertEquals("4 2", one(st, "select (select count(*) from result_lineage) || ' '"
                    + " || (select count(*) from result_identity where school_code = 'x')"));

            refused(st, "update result_lineage set result_id = 2 where result_id = 1");
            refused(st, "update result_lineage set delivery_id = 2 where delivery_id = 1");
            refused(st, "update result_identity set result_id = 2 where result_id = 1");
            st.execute("update result_lineage set version = 2 where result_id = 1");
            refused(st, "update delivery set delivery_id = 5 where delivery_id = 2");
            st.execute("update delivery set delivery_id = 5 where delivery_id = 3");
        }
    }

    @Test
    void resultsDeletedOrTruncatedTakeTheirLineageAndIdentitiesAndANamedDeliveryStays() throws Exception {
        try (Connection c = DriverManager.getConnection(database(), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into result_lineage (result_id, delivery_id, source_row) values (1, 1, 1), (1, 2, 1), (2, 2, 2);
                    insert into result_identity (result_id, school_code) values (1, 'a'), (2, 'b')""");
            st.execute("delete from result where result_id = 1");
            assertEquals("2/2 2", one(st, "select (select string_agg(result_id || '/' || delivery_id, ',')"
                    + " from result_lineage) || ' ' || (select string_agg(result_id::text, ',') from result_identity)"));

            refused(st, "delete from delivery where delivery_id = 2");   // lineage names it (result 2's delivery is 1)
            st.execute("delete from delivery where delivery_id = 3");   // nothing names it
            assertEquals("2", one(st, "select count(*) from delivery"));

            st.execute("truncate result cascade");
            assertEquals("0 0", one(st, "select (select count(*) from result_lineage) || ' '"
                    + " || (select count(*) from result_identity)"));
        }
    }

    /**
     * A result that another transaction's new lineage names is locked as a key locks it: deleting it waits for that
     * transaction, then takes the lineage with it (else the lineage would name a result that is gone).
     */
    @Test
    void aResultNamedByAnUncommittedLineageRowIsDeletedOnlyAfterItAndTakesIt() throws Exception {
        String url = database();
        try (Connection writer = DriverManager.getConnection(url, "postgres", "");
             Connection deleter = DriverManager.getConnection(url, "postgres", "");
             Connection watcher = DriverManager.getConnection(url, "postgres", "");
             Statement w = writer.createStatement(); Statement look = watcher.createStatement()) {
            CompletableFuture<Integer> deleted = deleteBehindUncommittedLineage(writer, w, "(1, 2, 7)", deleter,
                    "delete from result where result_id = 1", look, "the result");
            assertFalse(deleted.isDone());
            writer.commit();
            assertEquals(1, deleted.get(10, TimeUnit.SECONDS));
            assertEquals("0", one(look, "select count(*) from result_lineage where result_id = 1"));
        }
    }

    /** A delivery named by another transaction's new lineage is not deleted: the delete waits for it, then is refused. */
    @Test
    void aDeliveryNamedByAnUncommittedLineageRowWaitsForItAndIsKept() throws Exception {
        String url = database();
        try (Connection writer = DriverManager.getConnection(url, "postgres", "");
             Connection deleter = DriverManager.getConnection(url, "postgres", "");
             Connection watcher = DriverManager.getConnection(url, "postgres", "");
             Statement w = writer.createStatement(); Statement look = watcher.createStatement()) {
            CompletableFuture<Integer> deleted = deleteBehindUncommittedLineage(writer, w, "(1, 3, 7)", deleter,
                    "delete from delivery where delivery_id = 3", look, "the delivery");
            writer.commit();
            ExecutionException e = assertThrows(ExecutionException.class, () -> deleted.get(10, TimeUnit.SECONDS));
            assertEquals(FOREIGN_KEY_VIOLATION, ((SQLException) e.getCause().getCause()).getSQLState());
            assertEquals("1", one(look, "select count(*) from delivery where delivery_id = 3"));
        }
    }

    /**
     * A statement of many rows whose results lie close together (a large file's) is checked in one pass over its
     * results' range (V84), by the same rules: every result named exists, the lowest and highest included, and
     * results another transaction wrote are kept until it ends.
     */
    @Test
    void aLargeStatementsResultsAreCheckedInOnePassByTheSameRules() throws Exception {
        String url = database();
        try (Connection writer = DriverManager.getConnection(url, "postgres", "");
             Connection deleter = DriverManager.getConnection(url, "postgres", "");
             Connection watcher = DriverManager.getConnection(url, "postgres", "");
             Statement w = writer.createStatement(); Statement look = watcher.createStatement()) {
            results(w, 3, 60000);
            refused(w, "insert into result_identity (result_id) select n from generate_series(1, 60001) n");
            refused(w, "insert into result_identity (result_id) select n from generate_series(0, 60000) n");
            w.execute("delete from result where result_id = 30000");
            refused(w, "insert into result_identity (result_id) select n from generate_series(1, 60000) n");
            w.execute("insert into result_identity (result_id) select n from generate_series(1, 60000) n where n <> 30000");
            // results written by the statement's own transaction, as publishing writes them: one pass over the primary
            // key's range, a few scans of its index, not one a row (the transaction's own count)
            writer.setAutoCommit(false);
            results(w, 60001, 120000);
            String scans = "select pg_stat_get_xact_numscans('result_pkey'::regclass)";
            long before = Long.parseLong(one(w, scans));
            w.execute("insert into result_identity (result_id) select n from generate_series(60001, 120000) n");
            long made = Long.parseLong(one(w, scans)) - before;
            assertTrue(made < 100, made + " scans of result's primary key");
            writer.commit();
            writer.setAutoCommit(true);
            assertEquals("119999", one(look, "select count(*) from result_identity"));
            // results committed before: the writer's new lineage keeps them while it is open
            writer.setAutoCommit(false);
            w.execute("insert into result_lineage (result_id, delivery_id, source_row)"
                    + " select n, 2, n from generate_series(1, 60000) n where n <> 30000");
            CompletableFuture<Integer> deleted = Sessions.waitingForALock(deleter,
                    "delete from result where result_id = 59000", look, "the delete beside a large lineage statement");
            writer.commit();
            assertEquals(1, deleted.get(10, TimeUnit.SECONDS));
            assertEquals("59998 119998", one(look, "select (select count(*) from result_lineage) || ' '"
                    + " || (select count(*) from result_identity)"));
        }
    }

    /**
     * The writer's transaction inserts a lineage row ({@code values}: result, delivery, row) and stays open; the
     * deleter's {@code delete}, started beside it, is seen waiting for a lock before this returns.
     */
    private static CompletableFuture<Integer> deleteBehindUncommittedLineage(Connection writer, Statement w, String values,
            Connection deleter, String delete, Statement look, String named) throws Exception {
        writer.setAutoCommit(false);
        w.execute("insert into result_lineage (result_id, delivery_id, source_row) values " + values);
        return Sessions.waitingForALock(deleter, delete, look,
                "the delete beside the transaction that names " + named);
    }

    /** A database with three deliveries and two results (result 1 of delivery 1, result 2 of delivery 1). */
    private static String database() throws Exception {
        String url = SharedPostgres.newDatabase();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status) values
                        (1, 'certexam', 'a.csv', 'a', 'accepted'), (2, 'certexam', 'b.csv', 'b', 'accepted'),
                        (3, 'certexam', 'c.csv', 'c', 'accepted')""");
            results(st, 1, 2);
        }
        return url;
    }

    /** Results {@code from} to {@code to} of delivery 1 (attempt keys k{@code from}, ...). */
    private static void results(Statement st, int from, int to) throws SQLException {
        st.execute("""
                insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                    attempted_on, passed)
                    select n, 'certexam', 'k' || n, 1, n, 'E', '2024-2025', date '2025-01-01', true
                    from generate_series(%d, %d) n""".formatted(from, to));
    }

    private static void refused(Statement st, String sql) {
        Sessions.refused(st, sql, FOREIGN_KEY_VIOLATION);
    }
}
