package org.credentialhub.intake;

import org.credentialhub.matching.DeliveryMatcher;
import org.credentialhub.roster.RosterLoader;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A vendor file of {@link DeliveryMatcher#ANALYZE_FROM_ROWS} rows or more takes the large file's path: its staged rows
 * analyzed, matched in parts, its lineage and identities written with {@code hub.intake.large-file-work-mem}; its
 * attempts sent twice are each published from their later row (found once, {@code stage_repeated_rows}), and every row
 * keeps its lineage.
 */
class LargeFileTest {
    private static final String HEADER = "candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,"
            + "examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,"
            + "testCenterName\r\n";
    private static final int ATTEMPTS = DeliveryMatcher.ANALYZE_FROM_ROWS + 500;
    private static final int[] SENT_AGAIN = {7, 2_500, 5_001};

    @Test
    void aLargeFilesRepeatedAttemptsArePublishedFromTheirLaterRowsAndEveryRowKeepsItsLineage() throws Exception {
        TestHub hub = hub();
        try {
            List<RosterLoader.Student> roster = roster(hub);
            long attemptKeyIndex = indexOid(hub);
            String ack = hub.dropAndAwaitAck("certexam", "certexam_results_20250301.csv", file(roster),
                    Duration.ofSeconds(120));
            assertTrue(ack.contains("\"status\" : \"accepted\""), ack);
            assertEquals(attemptKeyIndex, indexOid(hub), "fewer rows than the first results' keys are made after");
            assertPublished(hub);
        } finally {
            Fixtures.closeAll(hub);
        }
    }

    /**
     * A large file that brings the hub's first results writes them, their lineage and identities before the keys and
     * indexes of their tables, which are then made again as the schema has them: the same rows as the usual way, the
     * same keys, indexes and triggers after it, and a later file's upsert finds each attempt by its key again.
     */
    @Test
    void aLargeFileOfTheHubsFirstResultsIsWrittenBeforeTheKeysWhichAreThenAsTheSchemaHasThem() throws Exception {
        TestHub hub = hub();
        try {
            List<RosterLoader.Student> roster = roster(hub);
            hub.runtime.services().intake.keysMadeAfterRows(ATTEMPTS - 100);
            String schema = schema(hub);
            long attemptKeyIndex = indexOid(hub);
            String ack = hub.dropAndAwaitAck("certexam", "certexam_results_20250301.csv", file(roster),
                    Duration.ofSeconds(120));
            assertTrue(ack.contains("\"status\" : \"accepted\""), ack);
            assertTrue(attemptKeyIndex != indexOid(hub), "the attempt key's index was made after the rows");
            assertEquals(schema, schema(hub));
            assertPublished(hub);
            // a later file: 100 attempts rescored, found by their keys (an upsert needs the attempt key's unique index)
            StringBuilder later = new StringBuilder(HEADER);
            for (int i = 0; i < 100; i++) {
                row(later, i, roster.get(i % roster.size()), 820, "");
            }
            ack = hub.dropAndAwaitAck("certexam", "certexam_results_20250302.csv",
                    later.toString().getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(120));
            assertTrue(ack.contains("\"status\" : \"accepted\""), ack);
            assertEquals(ATTEMPTS, hub.count("select count(*) from result"));
            assertEquals(100, hub.count("select count(*) from result where score = 820"));
            assertEquals(ATTEMPTS + SENT_AGAIN.length + 100, hub.count("select count(*) from result_lineage"));
            assertEquals(ATTEMPTS, hub.count("select count(*) from result_identity"));
            assertEquals(schema, schema(hub));
        } finally {
            Fixtures.closeAll(hub);
        }
    }

    /**
     * A large file's staging transaction lost while its results are inserted: the file is staged again once the fault
     * is waited out and ends as if nothing had happened (its results once, the tables' keys, indexes and triggers as the
     * schema has them), both as the hub's first results, written while their tables are without their keys (the
     * attempt key's unique index and the other indexes dropped in the transaction, which takes them back), and the
     * usual way. Before {@link org.credentialhub.store.Rollback}, the failed rollback of the lost connection replaced
     * the fault with one of no SQLSTATE, and the file was quarantined as unreadable.
     */
    @ParameterizedTest(name = "first results written before their keys: {0}")
    @ValueSource(booleans = {true, false})
    void aLargeFileWhoseConnectionIsLostWhileItsResultsAreInsertedIsStagedOnceAfterwards(boolean first) throws Exception {
        TestHub hub = hub();
        try {
            List<RosterLoader.Student> roster = roster(hub);
            if (first) {
                hub.runtime.services().intake.keysMadeAfterRows(ATTEMPTS - 100);
            }
            String schema = schema(hub);
            String name = "certexam_results_20250301.csv";
            String inserting = "from pg_stat_activity where state = 'active' and wait_event_type = 'Lock'"
                    + " and query like '%with published as (%insert into result (%'";
            java.util.concurrent.CompletableFuture<String> ack;
            try (Connection holder = hub.db().getConnection(); Statement st = holder.createStatement()) {
                // the results' insert reads the catalog's exam codes: held here, it waits with the keys dropped
                holder.setAutoCommit(false);
                st.execute("lock table catalog_exam_code in access exclusive mode");
                ack = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return hub.dropAndAwaitAck("certexam", name, file(roster), Duration.ofSeconds(180));
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                TestHub.await("the first results' insert", Duration.ofSeconds(120),
                        () -> hub.count("select count(*) " + inserting) == 1);
                assertEquals(first ? 1 : 0, hub.count("""
                        select count(*) from pg_locks l join pg_stat_activity a using (pid)
                        where l.relation = 'result'::regclass and l.mode = 'AccessExclusiveLock' and l.granted
                          and a.query like '%with published as (%'"""), "the results' tables are the transaction's own");
                assertEquals(1, hub.count("select count(*) from (select pg_terminate_backend(pid) " + inserting + ") t"));
                holder.commit();
            }
            String text = ack.get(180, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(text.contains("\"status\" : \"accepted\""), text);
            assertEquals(1, hub.count("select count(*) from delivery where source_name = '" + name + "'"));
            assertPublished(hub);
            assertEquals(schema, schema(hub));
        } finally {
            Fixtures.closeAll(hub);
        }
    }

    /** The results, lineage and identities of {@link #file}: each attempt once, its lineage a row each. */
    private static void assertPublished(TestHub hub) throws Exception {
        assertEquals(ATTEMPTS, hub.count("select count(*) from result"));
        assertEquals(ATTEMPTS + SENT_AGAIN.length, hub.count("select count(*) from result_lineage"));
        assertEquals(ATTEMPTS, hub.count("select count(*) from result_identity"));
        // each attempt sent again: its result and identity are the later row's (rescored, another email), decided
        assertEquals(SENT_AGAIN.length, hub.count("""
                select count(*) from result r join result_identity i using (result_id)
                where r.score = 810 and i.email = 'again@example.org' and r.source_row > %d
                  and r.match_decision is not null""".formatted(ATTEMPTS)));
        assertEquals(ATTEMPTS - SENT_AGAIN.length, hub.count("select count(*) from result where score = 800"));
        assertEquals(ATTEMPTS, hub.count("select count(*) from result where match_decision is not null"));
    }

    /** A hub whose large files are matched in parts of 2,000 rows, their lineage and identities with 64 MB. */
    private static TestHub hub() throws Exception {
        Map<String, String> settings = new HashMap<>(TestHub.sftpFeeds(List.of("certexam")));
        settings.put("hub.matching.batch-rows", "2000");
        settings.put("hub.intake.large-file-work-mem", "64MB");
        // no scheduled reporting load (the test hub's runs every two seconds): it reads the results, and a file of the
        // hub's first results takes their tables only when no one reads them at that moment (FirstRows.taken, nowait);
        // a load reading them then made the first-results test take the usual way (a CI run, session 63)
        settings.put("hub.reporting.cron", "0 0 0 1 1 ? 2099");
        return TestHub.start(settings);
    }

    /** The district, school and roster students of the files. */
    private static List<RosterLoader.Student> roster(TestHub hub) throws Exception {
        try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
            st.execute("insert into district values ('910', 'Demo City Schools')");
            st.execute("insert into school values ('910301', '910', 'Riverside High')");
        }
        List<RosterLoader.Student> roster = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            roster.add(new RosterLoader.Student(String.valueOf(3000000100L + i), "First" + (char) ('a' + i % 26),
                    "Last" + (char) ('a' + i / 26), LocalDate.of(2007, 1 + i % 12, 1 + i % 27), "910", "910301"));
        }
        hub.runtime.services().roster.load(roster);
        return roster;
    }

    /** The attempt key's unique index (made again: another). */
    private static long indexOid(TestHub hub) throws Exception {
        return hub.count("select 'result_feed_code_attempt_key_key'::regclass::oid::bigint");
    }

    /** The keys, indexes and triggers of the results' tables, as the catalog defines them. */
    private static String schema(TestHub hub) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Connection c = hub.db().getConnection(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("""
                     select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
                     where conrelid in ('result'::regclass, 'result_lineage'::regclass, 'result_identity'::regclass)
                        or confrelid = 'result'::regclass
                     union all
                     select pg_get_indexdef(indexrelid) from pg_index
                     where indrelid in ('result'::regclass, 'result_lineage'::regclass, 'result_identity'::regclass)
                     union all
                     select tgrelid::regclass || ' ' || pg_get_triggerdef(oid) from pg_trigger
                     where tgrelid in ('result'::regclass, 'result_lineage'::regclass, 'result_identity'::regclass)
                     order by 1""")) {
            while (rs.next()) {
                b.append(rs.getString(1)).append('\n');
            }
        }
        assertTrue(b.toString().contains("UNIQUE (feed_code, attempt_key)"), b.toString());
        return b.toString();
    }

    @Test
    void aLargeFilesWorkMemThatIsNoAmountOfMemoryIsRefused() {
        Intake intake = new Intake(null, Map.of(), null, null, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> intake.largeFileWorkMem("lots"));
        assertTrue(e.getMessage().contains("hub.intake.large-file-work-mem"), e.getMessage());
        intake.largeFileWorkMem("256MB");
        intake.largeFileWorkMem("");
    }

    /** One attempt a row, each a roster student with the state ID; then three of them again, rescored. */
    private static byte[] file(List<RosterLoader.Student> roster) {
        StringBuilder b = new StringBuilder(HEADER);
        for (int i = 0; i < ATTEMPTS; i++) {
            row(b, i, roster.get(i % roster.size()), 800, "");
        }
        for (int i : SENT_AGAIN) {
            row(b, i, roster.get(i % roster.size()), 810, "again@example.org");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void row(StringBuilder b, int i, RosterLoader.Student s, int score, String email) {
        String day = String.format("2025-02-%02dT%02d:%02d:00-05:00", 1 + i % 27, 8 + i / 27 % 10, i / 270 % 60);
        b.append("C").append(i).append(',').append(s.stateId()).append(',').append(s.firstName()).append(',')
                .append(s.lastName()).append(',').append(email).append(',').append(s.birthDate())
                .append(",Exam,CE-420CC,F1,").append(day).append(",Pass,").append(score).append(",700,40,50,80,")
                .append(s.schoolCode()).append(",School\r\n");
    }
}
