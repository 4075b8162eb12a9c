package org.credentialhub.matching;

import org.credentialhub.mapping.LayoutFiles;
import org.credentialhub.roster.RosterLoader;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same results are matched alike by every hub, whatever its identity key: a feed whose attempt key holds personal
 * data stores it as a keyed hash ({@code k:…}, the install's own), so a batch read in the order of its attempt keys
 * was in an order of the install's making, and the model's sample (the rows at the places it draws) and the one-to-one
 * assignment's ties went with it. The NC year's re-match fitted its model on another 8,000 of its 10,329 results on
 * every fresh data folder: 20 or 21 automatic matches, and the published figures once one short. A batch is read in the
 * vendor's order (feed, file, row), the attempt key only where that leaves a tie.
 */
class MatchingOrderTest {
    private static final String[] FIRST = {"Maria", "Jamal", "Lena", "Omar", "Ana", "Ben", "Cara", "Dev", "Eli", "Fay"};
    private static final String[] LAST = {"Alvarez", "Brooks", "Chen", "Dawson", "Okafor", "Perez", "Quinn", "Reyes"};
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    /** Every result's decision, tier, score and student (by the student's names: the ids are each hub's own). */
    private static final String DECISIONS = """
            select r.source_row, r.match_decision, r.match_tier, round(r.match_score::numeric, 9),
                   s.first_name || ' ' || s.last_name || ' ' || s.birth_date as student
            from result r left join student s using (student_id) order by r.source_row""";
    private static final String CANDIDATES = """
            select r.source_row, c.rank, round(c.score::numeric, 9), c.reasons::text,
                   s.first_name || ' ' || s.last_name || ' ' || s.birth_date as student
            from match_candidate c join result r using (result_id) join student s on s.student_id = c.student_id
            order by r.source_row, c.rank""";

    @Test
    void aBatchIsMatchedAlikeWhateverTheHubsKey() throws Exception {
        TestHub one = null;
        TestHub other = null;
        TestHub inParts = null;
        try {
            one = hub("test-key-0123456789abcdef", "100000");
            other = hub("another-key-fedcba9876543210", "100000");
            inParts = hub("another-key-fedcba9876543210", "9");
            byte[] file = file();
            for (TestHub h : List.of(one, other, inParts)) {
                String ack = h.dropAndAwaitAck("workskills", "WS20250320.DAT", file, Duration.ofSeconds(60));
                assertTrue(ack.contains("\"status\" : \"accepted\""), ack);
            }
            // the attempt keys are each hub's own: what the order was made of before
            assertNotEquals(one.rows("select attempt_key from result order by source_row"),
                    other.rows("select attempt_key from result order by source_row"));
            List<Map<String, Object>> decided = one.rows(DECISIONS);
            assertEquals(decided, other.rows(DECISIONS));
            assertEquals(decided, inParts.rows(DECISIONS));
            assertEquals(one.rows(CANDIDATES), other.rows(CANDIDATES));
            assertEquals(one.rows(CANDIDATES), inParts.rows(CANDIDATES));
            // the feed's model, fitted on 12 of the file's rows, the same 12 in each hub
            String model = "select fitted_rows, model::text from match_model where feed_code = 'workskills'";
            assertEquals(one.rows(model), other.rows(model));
            assertEquals(one.rows(model), inParts.rows(model));
            // what the file exercises: automatic matches, reviews (ties of one-to-one among them), no match
            assertEquals(122, decided.size());
            assertTrue(one.count("select count(*) from result where match_decision = 'match'") > 40);
            assertTrue(one.count("select count(*) from result where match_decision = 'none'") >= 20);
            assertTrue(one.count("""
                    select count(*) from match_candidate where reasons::text like '%another row of the same group claims%'
                    or reasons::text like '%several rows of the same group claim%'""") >= 4, "one-to-one conflicts");

            // the re-match after the roster grew: the unsettled results of every feed as one batch, fitted afresh; a
            // newcomer's result its district rejected the candidate of before stays rejected (the crosswalk's decision)
            for (TestHub h : List.of(one, other)) {
                try (Connection c = h.db().getConnection(); Statement st = c.createStatement()) {
                    st.execute("""
                            insert into match_crosswalk (feed_code, candidate_key, decision, decided_by)
                            select r.feed_code, coalesce(r.vendor_candidate_id, r.state_id_hash, i.identity_key), 'reject',
                                   'test'
                            from result r join result_identity i using (result_id) where r.source_row = 94""");
                }
                List<RosterLoader.Student> all = new ArrayList<>(students());
                all.addAll(newcomers());
                h.runtime.services().roster.load(all);
                h.runtime.services().matcher.afterRosterChange();
            }
            List<Map<String, Object>> rematched = one.rows(DECISIONS);
            assertNotEquals(decided, rematched, "the newcomers' results matched again");
            assertEquals("rejected", rematched.get(92).get("match_decision"), rematched.get(92).toString());
            assertEquals("match", rematched.get(93).get("match_decision"), "the next newcomer's result matched");
            assertEquals(rematched, other.rows(DECISIONS));
            assertEquals(one.rows(CANDIDATES), other.rows(CANDIDATES));
        } finally {
            Fixtures.closeAll(one, other, inParts);
        }
    }

    private static TestHub hub(String key, String batchRows) throws Exception {
        Map<String, String> settings = new HashMap<>(TestHub.sftpFeeds(List.of("workskills")));
        settings.put("hub.identity.hmac-key", key);
        settings.put("hub.matching.batch-rows", batchRows);
        // a sample of a few rows of the file: which rows are drawn decides the model
        settings.put("hub.matching.fit-sample-results", "12");
        TestHub h = TestHub.start(settings);
        try (Connection c = h.db().getConnection(); Statement st = c.createStatement()) {
            st.execute("insert into district values ('910', 'Demo City Schools'), ('920', 'Demo County Schools')");
            st.execute("insert into school values ('910301', '910', 'Riverside High'), ('920301', '920', 'Pine Ridge High')");
        }
        h.runtime.services().roster.load(students());
        return h;
    }

    /** 80 students: ten first names over eight surnames, siblings at one school among them. */
    private static List<RosterLoader.Student> students() {
        List<RosterLoader.Student> out = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            out.add(student(String.valueOf(3000000100L + i), FIRST[i % 10], LAST[i / 10], i));
        }
        return out;
    }

    /** 30 people the roster does not have until the re-match. */
    private static List<RosterLoader.Student> newcomers() {
        List<RosterLoader.Student> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            out.add(student(String.valueOf(3000000500L + i), FIRST[i % 10], i % 2 == 0 ? "Nakamura" : "Ibsen", i + 3));
        }
        return out;
    }

    private static RosterLoader.Student student(String id, String first, String last, int i) {
        return new RosterLoader.Student(id, first, last, LocalDate.of(2007 + i % 2, 1 + i % 12, 1 + i % 27),
                i % 3 == 0 ? "920" : "910", i % 3 == 0 ? "920301" : "910301");
    }

    /**
     * 122 rows: one for each of the 80 students (the state ID on every third, a typo in every fourth first name, the
     * birth date a day off on every seventh); two more rows for each of the first six on another day, each with an ID
     * no student has and the names exact, so that the two claim the student alike (a tie of one-to-one); and one row
     * for each of the 30 newcomers, without an ID.
     */
    private static byte[] file() {
        StringBuilder b = new StringBuilder("H20250320WORKSKILLS\r\n");
        int rows = 0;
        List<RosterLoader.Student> roster = students();
        for (int i = 0; i < roster.size(); i++) {
            RosterLoader.Student s = roster.get(i);
            String first = i % 4 == 1 ? s.firstName().substring(0, 2) + "x" + s.firstName().substring(3) : s.firstName();
            LocalDate born = i % 7 == 3 ? s.birthDate().plusDays(1) : s.birthDate();
            b.append(row(i % 3 == 0 ? s.stateId() : "", s.lastName(), first, born, s, i % 2 == 0 ? "WO-25219" : "WO-6F1AF",
                    LocalDate.of(2025, 3, 1 + i % 10)));
            rows++;
        }
        for (int i = 0; i < 6; i++) {
            RosterLoader.Student s = roster.get(i);
            for (String id : new String[]{"91111111" + (10 + i), "92222222" + (10 + i)}) {
                b.append(row(id, s.lastName(), s.firstName(), s.birthDate(), s, "WO-6F1AF", LocalDate.of(2025, 3, 14)));
                rows++;
            }
        }
        for (RosterLoader.Student s : newcomers()) {
            b.append(row("", s.lastName(), s.firstName(), s.birthDate(), s, "WO-25219", LocalDate.of(2025, 3, 12)));
            rows++;
        }
        b.append("T").append(String.format("%09d", rows)).append("\r\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String row(String id, String last, String first, LocalDate born, RosterLoader.Student at, String test,
                              LocalDate taken) {
        return LayoutFiles.detail(id, last.toUpperCase(), first.toUpperCase(), born.format(DAY), at.districtCode(),
                at.schoolCode(), test, taken.format(DAY), "085", "070", "Y");
    }
}
