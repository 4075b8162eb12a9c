package org.credentialhub.intake;

import org.credentialhub.matching.DeliveryMatcher;
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
        Map<String, String> settings = new HashMap<>(TestHub.sftpFeeds(List.of("certexam")));
        settings.put("hub.matching.batch-rows", "2000");
        settings.put("hub.intake.large-file-work-mem", "64MB");
        TestHub hub = TestHub.start(settings);
        try {
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
            String ack = hub.dropAndAwaitAck("certexam", "certexam_results_20250301.csv", file(roster),
                    Duration.ofSeconds(120));
            assertTrue(ack.contains("\"status\" : \"accepted\""), ack);
            assertEquals(ATTEMPTS, hub.count("select count(*) from result"));
            assertEquals(ATTEMPTS + SENT_AGAIN.length, hub.count("select count(*) from result_lineage"));
            assertEquals(ATTEMPTS, hub.count("select count(*) from result_identity"));
            // each attempt sent again: its result and identity are the later row's (rescored, another email), decided
            assertEquals(SENT_AGAIN.length, hub.count("""
                    select count(*) from result r join result_identity i using (result_id)
                    where r.score = 810 and i.email = 'again@example.org' and r.source_row > %d
                      and r.match_decision is not null""".formatted(ATTEMPTS)));
            assertEquals(ATTEMPTS - SENT_AGAIN.length, hub.count("select count(*) from result where score = 800"));
        } finally {
            Fixtures.closeAll(hub);
        }
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
