package org.credentialhub.matching;

import org.credentialhub.roster.RosterLoader;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A vendor file larger than {@code hub.matching.batch-rows} is matched in parts (a 1,000,000-row file as one batch ran
 * a 1 GB heap out of memory): the same file through a hub that matches it as one batch and through one that cuts it
 * into parts of about seven results gets the same decisions, scores and candidates, one-to-one conflicts and earlier
 * rejections included.
 */
class MatchingInPartsTest {
    private static final String[] FIRST = {"Maria", "Jamal", "Lena", "Omar", "Ana", "Ben", "Cara", "Dev", "Eli", "Fay"};
    private static final String[] LAST = {"Alvarez", "Brooks", "Chen", "Dawson", "Okafor"};
    private static final String HEADER = "candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,"
            + "examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,"
            + "testCenterName\r\n";

    @Test
    void aFileMatchedInPartsGetsTheDecisionsOfOneBatch() throws Exception {
        TestHub whole = null;
        TestHub parts = null;
        try {
            whole = hub("100000");
            parts = hub("7");
            byte[] file = file();
            for (TestHub h : List.of(whole, parts)) {
                String ack = h.dropAndAwaitAck("certexam", "certexam_results_20250301.csv", file, Duration.ofSeconds(60));
                assertTrue(ack.contains("\"status\" : \"accepted\""), ack);
            }
            String decisions = """
                    select r.attempt_key, r.student_id, r.match_decision, r.match_tier, round(r.match_score::numeric, 9)
                    from result r order by r.attempt_key""";
            String candidates = """
                    select r.attempt_key, c.student_id, c.rank, round(c.score::numeric, 9), c.reasons::text
                    from match_candidate c join result r using (result_id) order by r.attempt_key, c.rank""";
            List<Map<String, Object>> one = whole.rows(decisions);
            assertEquals(one, parts.rows(decisions));
            assertEquals(whole.rows(candidates), parts.rows(candidates));
            // what the file exercises: automatic matches, reviews (one-to-one conflicts among them), no match
            assertEquals(74, one.size());
            // two attempts sent twice: each result is its attempt's later row, matched as that row (both hubs)
            for (TestHub h : List.of(whole, parts)) {
                assertEquals(76, h.count("select count(*) from result_lineage"));
                assertEquals(2, h.count("select count(*) from result where score = 810"));
                assertEquals(2, h.count("""
                        select count(*) from result_lineage l join result r using (result_id)
                        where r.score = 810 and l.source_row = r.source_row and r.source_row > 74"""));
            }
            assertTrue(whole.count("select count(*) from result where match_decision = 'match'") > 30);
            assertTrue(whole.count("select count(*) from result where match_decision = 'none'") >= 6);
            assertEquals(2, whole.count("select count(*) from result where match_decision = 'rejected'"));
            assertTrue(whole.count("""
                    select count(*) from match_candidate where reasons::text like '%another row of the same group claims%'
                    or reasons::text like '%several rows of the same group claim%'""") >= 4, "one-to-one conflicts");
        } finally {
            Fixtures.closeAll(whole, parts);
        }
    }

    private static TestHub hub(String batchRows) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(TestHub.sftpFeeds(List.of("certexam")));
        settings.put("hub.matching.batch-rows", batchRows);
        TestHub h = TestHub.start(settings);
        try (Connection c = h.db().getConnection(); Statement st = c.createStatement()) {
            st.execute("insert into district values ('910', 'Demo City Schools'), ('920', 'Demo County Schools')");
            st.execute("insert into school values ('910301', '910', 'Riverside High'), ('920301', '920', 'Pine Ridge High')");
            // two vendor candidates a district rejected before: they stay rejected, and the rows after them in the
            // batch's order keep their places in the model's sample (a part's read counts only the rows it matches)
            st.execute("""
                    insert into match_crosswalk (feed_code, candidate_key, decision, decided_by)
                    values ('certexam', 'C11', 'reject', 'test'), ('certexam', 'C23', 'reject', 'test')""");
        }
        h.runtime.services().roster.load(students());
        return h;
    }

    /** 50 students: ten first names over five surnames, siblings at the same school among them. */
    private static List<RosterLoader.Student> students() {
        List<RosterLoader.Student> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            out.add(new RosterLoader.Student(String.valueOf(3000000100L + i), FIRST[i % 10], LAST[i / 10],
                    LocalDate.of(2007 + i % 2, 1 + i % 12, 1 + i % 27), i % 3 == 0 ? "920" : "910",
                    i % 3 == 0 ? "920301" : "910301"));
        }
        return out;
    }

    /**
     * One row for each of 60 students (fifty on the roster, ten not), with the state ID on every other row and a typo in
     * every fifth first name; a second row claiming each of the first eight students on the same exam and day; and
     * six rows of no one: 74 rows in 20 groups of an exam and a day; then the attempts of two rows again, rescored (76
     * rows, 74 attempts).
     */
    private static byte[] file() {
        StringBuilder b = new StringBuilder(HEADER);
        List<RosterLoader.Student> roster = students();
        for (int i = 0; i < 60; i++) {
            RosterLoader.Student s = i < 50 ? roster.get(i)
                    : new RosterLoader.Student(null, FIRST[i % 10], "Nakamura", LocalDate.of(2007, 4, i - 40), "910", "910301");
            String first = i % 5 == 0 ? s.firstName().substring(0, 2) + "x" + s.firstName().substring(3) : s.firstName();
            row(b, "C" + i, i % 2 == 0 && i < 50 ? s.stateId() : "", first, s.lastName(), s.birthDate(), i, s.schoolCode());
            if (i < 8) {
                row(b, "D" + i, "", s.firstName(), s.lastName(), s.birthDate(), i, s.schoolCode());
            }
        }
        for (int i = 0; i < 6; i++) {
            row(b, "N" + i, "", "Zed" + (char) ('a' + i), "Nomatch", LocalDate.of(2006, 2, 3 + i), i, "910301");
        }
        // the attempts of rows C1 and C7 again, rescored: the later row of each is the attempt's
        for (int i : new int[]{1, 7}) {
            RosterLoader.Student s = roster.get(i);
            row(b, "C" + i, "", s.firstName(), s.lastName(), s.birthDate(), i, s.schoolCode(), 810);
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void row(StringBuilder b, String candidate, String stateId, String first, String last, LocalDate born,
                            int i, String school) {
        row(b, candidate, stateId, first, last, born, i, school, 800);
    }

    private static void row(StringBuilder b, String candidate, String stateId, String first, String last, LocalDate born,
                            int i, String school, int score) {
        String exam = i % 2 == 0 ? "CE-420CC" : "CE-93D7E";
        String day = String.format("2025-02-%02dT09:00:00-05:00", 1 + i % 10);
        b.append(candidate).append(',').append(stateId).append(',').append(first).append(',').append(last).append(",,")
                .append(born).append(",Exam,").append(exam).append(",F1,").append(day)
                .append(",Pass,").append(score).append(",700,40,50,80,").append(school).append(",School\r\n");
    }
}
