package org.credentialhub.exceptions;

import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Role;
import org.credentialhub.runtime.Standalone;
import org.credentialhub.support.GeneratedState;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decision file's lines find their results ({@link DecisionFile#stage}) on the suite's generated state, whose
 * {@code truth.csv} names every record it sent: rows of delimited and fixed-width files, workbook rows
 * ({@code file#sheet}, their row numbers read from the archived workbook) and API records by their id.
 */
class DecisionFileTest {

    /** The look-up as it was written before session 57: a look-up per line (the reference the joins must equal). */
    private static final String LATERAL = """
            select coalesce(f.result_id, a.result_id) as result_id, l.action, l.state_id_hash,
                   coalesce(f.version, a.version) as version, f.content_hash, l.lineage
            from decision_lines l
            left join lateral (
                     select rl.result_id, rl.version, rl.content_hash
                     from delivery d join result_lineage rl using (delivery_id)
                     where d.feed_code = l.feed and d.source_name = l.source and rl.source_row = l.row
                     order by rl.delivery_id limit 1) f on true
            left join lateral (
                     select r.result_id, r.version from result r where f.result_id is null
                       and r.feed_code = l.feed and r.source_ref = l.source and l.row = 1 limit 1) a on true""";

    @Test
    void everyKindOfLineFindsTheResultALookUpPerLineFinds() throws Exception {
        GeneratedState.Run run = GeneratedState.nc();
        Path truth = run.state().resolve("truth.csv");
        try (Standalone s = new Standalone(run.settings()); Connection c = s.database.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                new DecisionFile(s.database.dataSource(), null, s.hmac(), s.feeds(), s.mappings(),
                        s.dataDir.resolve("archive")).stage(c, truth, "state_id", true);
                try (Statement st = c.createStatement()) {
                    st.execute("create temp table reference on commit drop as " + LATERAL);
                    long[] kinds = longs(st, """
                            select count(*), count(*) filter (where result_id is not null),
                                   count(*) filter (where lineage like '%#%' and result_id is not null),
                                   count(*) filter (where lineage like '%, row 1' and content_hash is null
                                                    and result_id is not null),
                                   count(*) filter (where lineage like '%#%')
                            from decision_batch""");
                    assertTrue(kinds[0] > 1000, "the state's truth has lines: " + kinds[0]);
                    // the state's truth names every record it sent; the few a line finds none for are rows the hub
                    // rejected and files it quarantined
                    assertTrue(kinds[1] >= kinds[0] * 0.98, "lines with a result: " + kinds[1] + " of " + kinds[0]);
                    assertTrue(kinds[4] > 0 && kinds[2] >= kinds[4] * 0.98,
                            "workbook rows (file#sheet) with a result: " + kinds[2] + " of " + kinds[4]);
                    assertTrue(kinds[3] > 0, "API records found their results by their id");
                    long[] diff = longs(st, """
                            select (select count(*) from (select * from decision_batch except all
                                                          select * from reference) x),
                                   (select count(*) from (select * from reference except all
                                                          select * from decision_batch) x)""");
                    assertEquals(0, diff[0], "lines the joins found otherwise than the look-up per line");
                    assertEquals(0, diff[1], "lines the look-up per line found otherwise than the joins");
                }
            } finally {
                c.rollback();
            }
        }
    }

    /**
     * {@code ingest} looks a truth file's lines up beside the re-match and counts them after it: the count is of the
     * decisions as committed when it runs, not when the lines were looked up (read committed, each statement its own
     * snapshot). A result rightly matched, then given another student and committed in between, counts as wrong.
     */
    @Test
    void theTruthCountTakesTheDecisionsCommittedAfterItsLinesWereLookedUp() throws Exception {
        GeneratedState.Run run = GeneratedState.nc();
        Path truth = run.state().resolve("truth.csv");
        try (Standalone s = new Standalone(run.settings()); Connection c = s.database.dataSource().getConnection()) {
            DecisionFile file = new DecisionFile(s.database.dataSource(), null, s.hmac(), s.feeds(), s.mappings(),
                    s.dataDir.resolve("archive"));
            DecisionFile.TruthCount before = file.countAgainstTruth(truth);
            long[] moved;
            try (Statement st = c.createStatement()) {
                // an automatic match of the student truth names, and another student
                moved = longs(st, """
                        select r.result_id, r.student_id, (select min(o.student_id) from student o
                                                          where o.student_id <> r.student_id)
                        from result r where r.match_decision = 'match' and r.match_tier = 'state_id'
                        order by r.result_id limit 1""");
            }
            try (DecisionFile.Truth lines = file.lookUpTruth(truth)) {
                assertEquals(before, lines.count(), "the same count, counted in two steps");
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("update result set student_id = " + moved[2] + " where result_id = " + moved[0]);
                    DecisionFile.TruthCount after = lines.count();
                    assertEquals(before.automatic(), after.automatic());
                    assertEquals(before.wrong() + 1, after.wrong(),
                            "the match changed after the lines were looked up counts as wrong");
                } finally {
                    try (Statement st = c.createStatement()) {
                        st.executeUpdate("update result set student_id = " + moved[1] + " where result_id = " + moved[0]);
                    }
                }
            }
            assertEquals(before, file.countAgainstTruth(truth));
        }
    }

    /**
     * The file is read once, its lines COPYed as they are read: a bad line after good ones stops the COPY midway, and
     * the file is refused whole (file, line, reason; no line's data), nothing applied, the connection left as it was.
     */
    @Test
    void aBadLineAfterGoodOnesRefusesTheFileAndAppliesNothing() throws Exception {
        GeneratedState.Run run = GeneratedState.nc();
        Path bad = Files.createTempFile("decisions", ".csv");
        try (Standalone s = new Standalone(run.settings())) {
            // the first thousand records of truth, each rejected (applied, they would reject their results), then a
            // line whose row is not a number
            try (java.io.Reader r = Files.newBufferedReader(run.state().resolve("truth.csv"));
                 org.apache.commons.csv.CSVParser truthLines = org.apache.commons.csv.CSVFormat.RFC4180.builder()
                         .setHeader().setSkipHeaderRecord(true).get().parse(r);
                 org.apache.commons.csv.CSVPrinter out = new org.apache.commons.csv.CSVPrinter(
                         Files.newBufferedWriter(bad), org.apache.commons.csv.CSVFormat.RFC4180)) {
                out.printRecord("feed", "source", "row", "decision");
                int n = 0;
                for (org.apache.commons.csv.CSVRecord t : truthLines) {
                    if (n++ == 1000) {
                        out.printRecord(t.get("feed"), t.get("source"), "x", "reject");
                        break;
                    }
                    out.printRecord(t.get("feed"), t.get("source"), t.get("row"), "reject");
                }
            }
            String before = state(s);
            DecisionFile decisions = new DecisionFile(s.database.dataSource(),
                    new Decisions(s.database.dataSource(), s.hmac()), s.hmac(), s.feeds(), s.mappings(),
                    s.dataDir.resolve("archive"));
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> decisions.apply(bad,
                    new Account(0, "cli:test", Role.OPS, null, null)));
            assertTrue(refused.getMessage().matches(java.util.regex.Pattern.quote(bad.toString())
                    + ": line 100[12]: row is not a number"), refused.getMessage());
            assertEquals(before, state(s), "nothing applied");
            // the pool's connections go on: a good file's look-up runs
            try (Connection c = s.database.dataSource().getConnection()) {
                c.setAutoCommit(false);
                Files.write(bad, Files.readAllLines(bad).subList(0, 11));
                decisions.stage(c, bad, "decision", false);
                try (Statement st = c.createStatement()) {
                    assertEquals(10, longs(st, "select count(*) from decision_batch")[0]);
                }
                c.rollback();
            }
        } finally {
            Files.deleteIfExists(bad);
        }
    }

    /** What a decision file's apply changes: the results' decisions and the exceptions. */
    private static String state(Standalone s) throws Exception {
        try (Connection c = s.database.dataSource().getConnection(); Statement st = c.createStatement()) {
            return java.util.Arrays.toString(longs(st, """
                    select (select count(*) from result where match_decision = 'match'),
                           (select count(*) from result where match_tier = 'district'),
                           (select count(*) from result_exception where status = 'resolved'),
                           (select coalesce(sum(hashtext(r.result_id || ' ' || coalesce(r.student_id, 0) || ' '
                                                         || coalesce(r.match_decision, ''))), 0) from result r)"""));
        }
    }

    private static long[] longs(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            long[] out = new long[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.getLong(i + 1);
            }
            return out;
        }
    }
}
