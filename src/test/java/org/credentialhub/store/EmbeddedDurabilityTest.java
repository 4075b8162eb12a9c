package org.credentialhub.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The embedded PostgreSQL (the data folder's own database, the hub's default) keeps every transaction it said was
 * committed when its processes are killed (SIGKILL: a crash, the OOM killer): the hub acknowledges deliveries on a
 * commit, so a commit lost afterwards would be a delivery acknowledged and gone.
 */
class EmbeddedDurabilityTest {

    @Test
    void everyCommittedTransactionSurvivesTheDatabaseKilled(@TempDir Path dataDir) throws Exception {
        int[] committed = {0};
        killedAfter(dataDir, c -> {
            try (Statement st = c.createStatement()) {
                st.execute("create table t (i int primary key)");
            }
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement("insert into t values (?)")) {
                for (int i = 1; i <= 300; i++) {
                    ps.setInt(1, i);
                    ps.executeUpdate();   // committed when it returns
                    committed[0] = i;
                }
            }
        });
        reopened(dataDir, c -> {
            try (Statement st = c.createStatement()) {
                int found = 0;
                try (ResultSet table = st.executeQuery("select to_regclass('t') is not null")) {
                    table.next();
                    if (table.getBoolean(1)) {
                        try (ResultSet rs = st.executeQuery("select count(*) from t")) {
                            rs.next();
                            found = rs.getInt(1);
                        }
                    }
                }
                assertEquals(committed[0], found,
                        "transactions committed before the kill (the table's creation among them)");
            }
        });
    }

    /**
     * The embedded server keeps no WAL for replicas (wal_level minimal): a table emptied and filled in one transaction
     * (a first roster's tables, sis.RosterPublisher) is written without WAL and synced when the transaction commits.
     * Its rows and its index, made after them, are there after the database is killed at once.
     */
    @Test
    void aTableFilledInTheTransactionThatEmptiedItSurvivesTheDatabaseKilled(@TempDir Path dataDir) throws Exception {
        killedAfter(dataDir, c -> {
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("show wal_level")) {
                    rs.next();
                    assertEquals("minimal", rs.getString(1));
                }
                st.execute("create table t (i int, s text)");
                emptiedAndFilled(c);
                c.commit();   // committed when it returns
            }
        });
        reopened(dataDir, c -> {
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("select count(*), count(distinct s), sum(i) from t")) {
                    rs.next();
                    assertEquals(100_000, rs.getInt(1));
                    assertEquals(100_000, rs.getInt(2));
                    assertEquals(5_000_050_000L, rs.getLong(3));
                }
                st.execute("set enable_seqscan = off");
                try (ResultSet rs = st.executeQuery("select s from t where i = 77777")) {
                    rs.next();
                    assertEquals(md5("77777"), rs.getString(1), "the index made after the rows finds them");
                }
            }
        });
    }

    /**
     * The same, killed before the commit: the table is as it was committed before the transaction that emptied and
     * filled it (the import of a first roster killed halfway leaves its tables as they were, empty or not).
     */
    @Test
    void aTableEmptiedAndFilledByATransactionKilledBeforeItsCommitKeepsWhatItHad(@TempDir Path dataDir) throws Exception {
        killedAfter(dataDir, c -> {
            try (Statement st = c.createStatement()) {
                st.execute("create table t (i int, s text)");
                st.execute("insert into t select g, md5(g::text) from generate_series(1, 10) g");
                emptiedAndFilled(c);
            }   // the transaction still open when the database is killed
        });
        reopened(dataDir, c -> {
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("select count(*), sum(i) from t")) {
                    rs.next();
                    assertEquals(10, rs.getInt(1));
                    assertEquals(55, rs.getLong(2));
                }
                try (ResultSet rs = st.executeQuery("select to_regclass('t_i') is null")) {
                    rs.next();
                    assertEquals(true, rs.getBoolean(1), "the index of the killed transaction is gone");
                }
                st.execute("insert into t values (11, 'again')");   // and the table takes rows again
            }
        });
    }

    /**
     * A roster's way (sis.RosterPublisher.emptiedAgain): a table whose key another table's foreign key names, emptied
     * together with that table and filled, the naming one after it. Committed, both are there after the database is
     * killed at once, and the foreign key holds; killed before the commit, both are as they were.
     */
    @Test
    void tablesEmptiedTogetherAndFilledSurviveTheDatabaseKilledAndAreAsTheyWereWithoutTheCommit(@TempDir Path dataDir)
            throws Exception {
        killedAfter(dataDir, c -> {
            try (Statement st = c.createStatement()) {
                st.execute("create table k (i int primary key, s text)");
                st.execute("create table n (j int, i int references k)");
                st.execute("insert into k select g, md5(g::text) from generate_series(1, 10) g");
                c.setAutoCommit(false);
                st.execute("delete from k");   // the first transaction: the tables emptied, not yet refilled
                c.commit();
                st.execute("truncate k, n");
                st.execute("insert into k select g, md5(g::text) from generate_series(1, 100000) g");
                st.execute("insert into n select g, g from generate_series(1, 50000) g");
                c.commit();
                st.execute("insert into k values (0, 'the killed transaction')");
                st.execute("truncate k, n");   // emptied again and left open: never committed
                st.execute("insert into k values (-1, 'never')");
            }
        });
        reopened(dataDir, c -> {
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("select (select count(*) from k), (select sum(i) from k),"
                        + " (select count(*) from n), (select count(*) from n join k using (i))")) {
                    rs.next();
                    assertEquals(100_000, rs.getInt(1));
                    assertEquals(5_000_050_000L, rs.getLong(2));
                    assertEquals(50_000, rs.getInt(3));
                    assertEquals(50_000, rs.getInt(4));
                }
                org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                        () -> st.execute("insert into n values (1, 200000)"), "the foreign key holds");
            }
        });
    }

    /**
     * Opens a transaction that empties table {@code t} and fills it with 100,000 rows, then makes its index (as a first
     * roster's import does its tables): more than wal_skip_threshold (2 MB), so the file is synced at commit, not
     * written to the WAL then.
     */
    private static void emptiedAndFilled(Connection c) throws Exception {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("truncate t");
            st.execute("insert into t select g, md5(g::text) from generate_series(1, 100000) g");
            st.execute("create unique index t_i on t (i)");
        }
    }

    private static String md5(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** What a test does on a connection of the embedded database. */
    @FunctionalInterface
    private interface Work {
        void run(Connection c) throws Exception;
    }

    /**
     * Opens the embedded database in {@code dataDir}, does {@code work} on a connection and kills the database at
     * once, the connection still open (an open transaction then never commits).
     */
    private static void killedAfter(Path dataDir, Work work) throws Exception {
        Database db = Database.open(null, null, null, dataDir, 0, 2);
        Connection c = db.dataSource().getConnection();
        work.run(c);
        killDatabase(dataDir);   // at once, before anything else can flush
        // closing the pool or the server after the kill may fail; what matters is what the restart finds (each is
        // closed all the same: the server's lock on the data folder goes with it)
        for (AutoCloseable each : List.<AutoCloseable>of(c, db)) {
            try {
                each.close();
            } catch (Exception closingAKilledDatabase) {
                // as said
            }
        }
    }

    /** Starts the embedded database in {@code dataDir} again and does {@code check} on a connection. */
    private static void reopened(Path dataDir, Work check) throws Exception {
        try (Database again = Database.open(null, null, null, dataDir, 0, 2);
             Connection c = again.dataSource().getConnection()) {
            check.run(c);
        }
    }

    /** SIGKILL to the postmaster and every process of it (no shutdown, no checkpoint, no WAL flush). */
    private static void killDatabase(Path dataDir) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> all = new java.util.ArrayList<>(postmaster.descendants().toList());
        all.add(0, postmaster);
        new ProcessBuilder(java.util.stream.Stream.concat(java.util.stream.Stream.of("kill", "-9"),
                all.stream().map(p -> String.valueOf(p.pid()))).toList()).inheritIO().start().waitFor();
        postmaster.onExit().get();
    }
}
