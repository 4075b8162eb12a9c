package org.credentialhub.matching;

import org.credentialhub.store.Database;
import org.credentialhub.support.Collected;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The matcher's roster index is rebuilt exactly when the students change (issue 17: the version is one row that
 * every change to {@code student} bumps in its own transaction, migration V49, not a scan of the table per delivery).
 */
class RosterVersionTest {

    @Test
    void theIndexIsKeptUntilAStudentIsAddedChangedOrRemoved(@TempDir Path tmp) throws Exception {
        try (Database db = SharedPostgres.open(tmp, 2)) {
            DeliveryMatcher matcher = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            sql(db, "insert into student (state_id_hash, first_name, last_name, district_code) values ('h1', 'ana', 'pena', 'd1')");
            RosterIndex first = matcher.index();
            assertEquals(1, first.size());
            assertSame(first, matcher.index(), "nothing changed: the same index");

            sql(db, "insert into student (state_id_hash, first_name, last_name, district_code) values ('h2', 'bo', 'li', 'd1')");
            RosterIndex added = matcher.index();
            assertNotSame(first, added, "a student added");
            assertEquals(2, added.size());

            sql(db, "update student set last_name = 'lee' where state_id_hash = 'h2'");
            RosterIndex changed = matcher.index();
            assertNotSame(added, changed, "a student changed (the count and the largest id stay)");

            // a change that is rolled back is no change
            try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("delete from student where state_id_hash = 'h1'");
                }
                c.rollback();
            }
            assertSame(changed, matcher.index(), "a rolled-back change");

            sql(db, "delete from student where state_id_hash = 'h1'");
            RosterIndex removed = matcher.index();
            assertNotSame(changed, removed, "a student removed");
            assertEquals(1, removed.size());
        }
    }

    /** A roster accepted is indexed at once (the SIS route's step after it), not by the next delivery matched. */
    @Test
    void aRosterChangeIsIndexedBeforeAnyDeliveryAsksForIt(@TempDir Path tmp) throws Exception {
        try (Database db = SharedPostgres.open(tmp, 2)) {
            DeliveryMatcher matcher = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            sql(db, "insert into student (state_id_hash, first_name, last_name, district_code) values ('h1', 'ana', 'pena', 'd1')");
            matcher.afterRosterChange();
            RosterIndex built = matcher.indexed();
            assertEquals(1, built == null ? 0 : built.size(), "indexed by the roster's step");
            assertSame(built, matcher.index(), "the next delivery finds it current");

            sql(db, "insert into student (state_id_hash, first_name, last_name, district_code) values ('h2', 'bo', 'li', 'd1')");
            matcher.afterRosterChange();
            assertEquals(2, matcher.indexed().size(), "indexed again after the next change");
        }
    }

    /**
     * A roster index replaced is let go, even by a feed whose model was fitted against it and that has had no delivery
     * since (its model is refitted or loaded for the new roster when it has one): a hub whose roster changes nightly
     * kept one old index a quiet feed, each as large as the roster's.
     */
    @Test
    void aReplacedIndexIsNotKeptByAFeedsModel(@TempDir Path tmp) throws Exception {
        try (Database db = SharedPostgres.open(tmp, 2)) {
            sql(db, """
                    insert into feed (feed_code, kind, layout) values ('f1', 'sftp', 'certexam');
                    insert into delivery (feed_code, source_name, content_sha256, status) values ('f1', 'a.csv', 'x', 'accepted');
                    insert into student (state_id_hash, first_name, last_name, birth_date, district_code)
                    select 'h' || g, 'ann' || translate(g::text, '0123456789', 'bcdfghjklm'), 'lee', date '2007-01-01' + g, 'd1'
                    from generate_series(1, 50) g;
                    insert into result (feed_code, attempt_key, delivery_id, source_row, exam_code, school_year, attempted_on,
                                        passed)
                    select 'f1', 'k' || g, 1, g, 'E1', '2024-2025', date '2025-03-01', true from generate_series(1, 20) g;
                    insert into result_identity (result_id, first_name, last_name, birth_date)
                    select result_id, 'ann' || translate(result_id::text, '0123456789', 'bcdfghjklm'), 'lee',
                           date '2007-01-01' + result_id::int from result""");
            DeliveryMatcher matcher = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            matcher.matchDelivery("f1", 1);   // the feed's model, fitted against this roster's index
            java.lang.ref.WeakReference<RosterIndex> old = new java.lang.ref.WeakReference<>(matcher.indexed());
            sql(db, "insert into student (state_id_hash, first_name, last_name, district_code) values ('h99', 'bo', 'li', 'd1')");
            assertNotSame(old.get(), matcher.index(), "the roster changed: a new index");
            Collected.assertCollected(old, "the replaced index is still reachable");
        }
    }

    /**
     * While the roster's next index is built, the one it replaces is no longer kept by the matcher: both at once were
     * twice the roster's index on the heap (661 MB each at 1,500,000 students, with a 1 GB target). The build is held
     * at its first read of {@code student} by a lock another session takes.
     */
    @Test
    void aReplacedIndexIsNotKeptWhileTheNextIsBuilt(@TempDir Path tmp) throws Exception {
        try (Database db = SharedPostgres.open(tmp, 4);
             Connection locker = db.dataSource().getConnection(); Statement lock = locker.createStatement();
             Connection watcher = db.dataSource().getConnection(); Statement look = watcher.createStatement()) {
            sql(db, """
                    insert into student (state_id_hash, first_name, last_name, district_code)
                    select 'h' || g, 'ann', 'lee', 'd1' from generate_series(1, 50) g""");
            DeliveryMatcher matcher = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            java.lang.ref.WeakReference<RosterIndex> old = new java.lang.ref.WeakReference<>(matcher.index());
            sql(db, "insert into student (state_id_hash, first_name, last_name, district_code) values ('h99', 'bo', 'li', 'd1')");
            locker.setAutoCommit(false);
            lock.execute("lock table student in access exclusive mode");
            java.util.concurrent.CompletableFuture<RosterIndex> next =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return matcher.index();
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            boolean building = false;
            for (int i = 0; i < 200 && !building; i++) {
                try (java.sql.ResultSet rs = look.executeQuery("""
                        select count(*) from pg_stat_activity
                        where datname = current_database() and wait_event_type = 'Lock'
                          and query like '%from student%'""")) {
                    rs.next();
                    building = rs.getInt(1) > 0;
                }
                Thread.sleep(25);
            }
            assertTrue(building, "the next index's build waits for the student table");
            Collected.await(old);
            boolean released = old.get() == null;
            locker.rollback();
            assertEquals(51, next.get(10, java.util.concurrent.TimeUnit.SECONDS).size());
            assertTrue(released, "the replaced index was kept while the next was built");
        }
    }

    private static void sql(Database db, String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }
}
