package org.credentialhub.retention;

import org.credentialhub.cli.PurgeCommand;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The retention purge against the real embedded PostgreSQL of a running hub. */
class RetentionPurgeTest {
    private static final String A = "a".repeat(64); // old accepted delivery: purged
    private static final String B = "b".repeat(64); // recent delivery: kept
    private static final String C = "c".repeat(64); // old, quarantined, not re-processed: kept
    private static final String D = "d".repeat(64); // old, quarantined then re-processed: purged

    static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = TestHub.start(Map.of());
        try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
            st.execute("""
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status, received_at) values
                      (9001, 'certexam', 'old.csv',    '%1$s', 'accepted',    now() - interval '400 days'),
                      (9002, 'certexam', 'recent.csv', '%2$s', 'accepted',    now() - interval '10 days'),
                      (9003, 'certexam', 'bad.csv',    '%3$s', 'quarantined', now() - interval '400 days'),
                      (9004, 'certexam', 'fixed.csv',  '%4$s', 'quarantined', now() - interval '400 days'),
                      (9005, 'certexam', 'fixed.csv',  '%4$s', 'accepted',    now() - interval '399 days')
                    """.formatted(A, B, C, D));
            // result key -> (decision, days since decision/receipt)
            st.execute("""
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code,
                                        school_year, attempted_on, passed, match_decision, updated_at, created_at)
                    select id, 'certexam', 'k' || id, 9001, id - 9100, 'X1', '2024-2025', date '2024-10-01', true,
                           decision, now() - make_interval(days => age), now() - make_interval(days => age)
                    from (values (9101, 'match', 100),   -- decided long ago: purged
                                 (9102, 'review', 100),  -- open exception: kept
                                 (9103, 'none', 100),    -- deferred exception: kept
                                 (9104, 'match', 10),    -- decided recently: kept
                                 (9105, 'review', 100),  -- exception resolved long ago: purged
                                 (9106, 'rejected', 100),-- rejected long ago: purged
                                 (9107, null, 100),      -- not decided yet: kept
                                 (9108, 'match', 100)    -- exception resolved recently: kept
                         ) v(id, decision, age)""");
            st.execute("""
                    insert into result_identity (result_id, first_name, last_name, birth_date, email, received_at)
                    select result_id, 'Ann', 'Example', date '2008-01-02', 'ann@example.org', updated_at from result
                    where result_id between 9101 and 9108""");
            st.execute("""
                    insert into result_exception (result_id, kind, status, created_at, updated_at, resolved_at) values
                      (9102, 'ambiguous', 'open',     now() - interval '100 days', now() - interval '100 days', null),
                      (9103, 'no_match',  'deferred', now() - interval '100 days', now() - interval '100 days', null),
                      (9105, 'ambiguous', 'resolved', now() - interval '100 days', now() - interval '95 days',
                             now() - interval '95 days'),
                      (9108, 'unknown_exam_code', 'resolved', now() - interval '100 days', now() - interval '5 days',
                             now() - interval '5 days')""");
            st.execute("""
                    insert into account (account_id, username, role, password_hash) values (9201, 'retention-ops', 'ops', 'x');
                    insert into web_session (session_hash, account_id, csrf_token, expires_at) values
                      ('expired', 9201, 't', now() - interval '1 minute'),
                      ('valid',   9201, 't', now() + interval '1 hour')""");
        }
        Path dir = archive();
        Files.createDirectories(dir);
        for (String sha : List.of(A, B, C, D)) {
            Files.writeString(dir.resolve(sha), "raw file " + sha.charAt(0));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    private static Path archive() {
        return hub.dataDir.resolve("archive").resolve("certexam");
    }

    private static String identities() throws Exception {
        return hub.rows("select string_agg(result_id::text, ',' order by result_id) as ids from result_identity "
                + "where result_id between 9101 and 9108").get(0).get("ids").toString();
    }

    @Test
    void dryRunChangesNothingThenPurgeRemovesOnlyWhatIsDue() throws Exception {
        assertNotNull(hub.runtime.camel().getRoute("retention-purge"), "the nightly route is there");
        RetentionPurge purge = hub.runtime.services().retention;
        assertEquals(90, purge.identityDays());
        assertEquals(365, purge.archiveDays());

        RetentionPurge.Outcome dry = purge.dryRun();
        assertEquals(new RetentionPurge.Outcome(0, true, 3, 2, 1), dry);
        // the command line's dry run, against the running hub's database
        int code = new CommandLine(new PurgeCommand()).execute("--dry-run", "--data-dir", hub.dataDir.toString());
        assertEquals(0, code);
        assertEquals("9101,9102,9103,9104,9105,9106,9107,9108", identities(), "a dry run deletes no identity");
        for (String sha : List.of(A, B, C, D)) {
            assertTrue(Files.isRegularFile(archive().resolve(sha)), "a dry run deletes no file");
        }
        assertEquals(2, hub.count("select count(*) from web_session where account_id = 9201"));
        assertEquals(0, hub.count("select count(*) from retention_run"), "a dry run records nothing");

        RetentionPurge.Outcome run = purge.purge("test");
        assertEquals(3, run.identities());
        assertEquals(2, run.files());
        assertEquals(1, run.sessions());
        // kept: open (9102) and deferred (9103) exceptions, recent decision (9104), undecided (9107),
        // exception resolved recently (9108)
        assertEquals("9102,9103,9104,9107,9108", identities());
        assertEquals(8, hub.count("select count(*) from result where result_id between 9101 and 9108"),
                "results themselves stay");
        assertFalse(Files.exists(archive().resolve(A)));
        assertTrue(Files.isRegularFile(archive().resolve(B)), "recent delivery kept");
        assertTrue(Files.isRegularFile(archive().resolve(C)), "quarantined, not re-processed: kept");
        assertFalse(Files.exists(archive().resolve(D)), "quarantined but re-processed: purged");
        assertEquals(List.of("valid"), hub.rows("select session_hash from web_session where account_id = 9201")
                .stream().map(r -> r.get("session_hash")).toList());
        List<Map<String, Object>> runs = hub.rows("""
                select run_id, trigger, identity_days, archive_days, identities_purged, files_purged, sessions_purged,
                       finished_at is not null as finished from retention_run""");
        assertEquals(1, runs.size());
        assertEquals(run.runId(), ((Number) runs.get(0).get("run_id")).longValue());
        assertEquals("test", runs.get(0).get("trigger"));
        assertEquals(3, runs.get(0).get("identities_purged"));
        assertEquals(2, runs.get(0).get("files_purged"));
        assertEquals(1, runs.get(0).get("sessions_purged"));
        assertEquals(true, runs.get(0).get("finished"));

        // nothing left to do: a second run purges nothing
        assertEquals(new RetentionPurge.Outcome(0, true, 0, 0, 0), purge.dryRun());
    }
}
