package org.credentialhub.intake;

import org.credentialhub.mapping.LayoutFiles;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every SFTP layout end to end on a real hub (embedded PostgreSQL, SFTP drop box, Camel routes): files
 * that follow docs/vendor-layouts.md reach the results with their credential, lineage and acknowledgement;
 * a later file corrects an attempt instead of adding one; and each file-level guard quarantines the file
 * that trips it, with nothing of it applied and an acknowledgement saying why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FeedFilesTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final List<String> FEEDS = List.of("certexam", "tradesreg", "foodsafe", "workskills", "skillsxlsx");
    private TestHub hub;

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(TestHub.sftpFeeds(FEEDS));
        hub.runtime.services().roster.load(List.of(Fixtures.ANA, Fixtures.CARA));
    }

    @AfterAll
    void stop() throws Exception {
        Fixtures.closeAll(hub);
    }

    private String send(String feed, String name, byte[] content) throws Exception {
        return hub.dropAndAwaitAck(feed, name, content, WAIT);
    }

    private Map<String, Object> delivery(String name) throws Exception {
        return hub.rows("select * from delivery where source_name = '" + name + "'").get(0);
    }

    /** Operations staff decide a result, as the exceptions page would. */
    private void decideAsOps(long resultId, org.credentialhub.exceptions.Decisions.Action action, Long student)
            throws Exception {
        hub.runtime.services().decisions.decide(new org.credentialhub.accounts.Account(0, "ops-test",
                org.credentialhub.accounts.Role.OPS, null, null), resultId, action, student, null, "test");
    }

    /** A workskills file (fixed width) of one attempt without a state ID, sent on {@code sent} (yyyyMMdd). */
    private static byte[] workskillsAttempt(String sent, String last, String first, String birth, String taken,
                                            String score) {
        return ("H" + sent + "WORKSKILLS" + "\r\n"
                + LayoutFiles.detail("", last, first, birth, "910", "910301", "WO-6F1AF", taken, score, "070", "Y")
                + "T000000001\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    @Order(1)
    void tradesregTsv() throws Exception {
        String ack = send("tradesreg", "tradesreg_modules_2025-03-18.tsv", LayoutFiles.tradesreg());
        assertTrue(ack.contains("\"status\" : \"accepted with rejections\""), ack);
        assertTrue(ack.contains("\"row\" : 4") && ack.contains("\"field\" : \"CompletionDate\""), ack);
        assertFalse(ack.contains("Peña") || ack.contains("1000000001") || ack.contains("2025-03-16"), ack);
        List<Map<String, Object>> r = hub.rows("""
                select r.attempt_key, r.credential_code, r.score, r.match_decision, l.source_row, r.source_ref
                from result r join result_lineage l using (result_id) where r.feed_code = 'tradesreg' order by l.source_row""");
        assertEquals(3, r.size());
        assertEquals("NC1001|00101-NC", r.get(0).get("attempt_key"));
        assertEquals("NC-57DAE6", r.get(0).get("credential_code"));
        assertEquals("match", r.get(0).get("match_decision"));
        assertEquals(null, r.get(0).get("source_ref"));
        assertEquals(List.of(2, 3, 5), r.stream().map(m -> m.get("source_row")).toList());
    }

    @Test
    @Order(2)
    void laterFileCorrectsTheAttempt() throws Exception {
        String correction = LayoutFiles.TRADESREG_HEADER
                + "NC1001\t1000000001\tPeña\tAna\tM\t05/01/2007\t00101-NC\tBasic Safety\t03/14/2025\t95\tY\tJ. Teacher\tSP01\tRiverside High\n";
        send("tradesreg", "tradesreg_modules_2025-03-19.tsv", correction.getBytes(StandardCharsets.UTF_8));
        assertEquals(3, hub.count("select count(*) from result where feed_code = 'tradesreg'"));
        Map<String, Object> r = hub.rows("select result_id, score from result where attempt_key = 'NC1001|00101-NC'").get(0);
        assertEquals(0, new java.math.BigDecimal("95").compareTo((java.math.BigDecimal) r.get("score")));
        assertEquals(2, hub.count("select count(*) from result_lineage where result_id = " + r.get("result_id")));
    }

    @Test
    @Order(3)
    void foodsafeWindows1252WithTrailer() throws Exception {
        String ack = send("foodsafe", "FOODSAFE_EXPORT_000001.txt", LayoutFiles.foodsafe(3));
        assertTrue(ack.contains("accepted with rejections"), ack);
        assertEquals("Peña", hub.rows("""
                select i.last_name from result r join result_identity i using (result_id)
                where r.feed_code = 'foodsafe' and r.attempt_key = 'E9001'""").get(0).get("last_name"));
        assertEquals("NC-64E7EA", hub.rows("select credential_code from result where attempt_key = 'E9001'").get(0).get("credential_code"));
    }

    @Test
    @Order(4)
    void workskillsFixedWidthKeyIsHashed() throws Exception {
        String ack = send("workskills", "WS20250318.DAT", LayoutFiles.workskills(3));
        assertTrue(ack.contains("\"rows_accepted\" : 2"), ack);
        List<Map<String, Object>> r = hub.rows("select attempt_key, credential_code, passed from result where feed_code = 'workskills' order by source_row");
        assertEquals(2, r.size());
        assertTrue(r.get(0).get("attempt_key").toString().matches("k:[0-9a-f]{64}"), "a key with personal data is stored hashed");
        assertEquals("NC-DB2973", r.get(0).get("credential_code"));
        assertEquals(0, hub.count("select count(*) from result where attempt_key like '%1000000001%'"));
    }

    @Test
    @Order(5)
    void decisionOnACandidateWithoutIdsIsRememberedByAKeyedHash() throws Exception {
        // Ben Okafor (no state ID, no vendor candidate ID) matched nobody; ops links him to Cara's record
        long resultId = hub.count("select result_id from result where feed_code = 'workskills' and state_id_hash is null");
        long cara = hub.count("select student_id from student where district_code = '920'");
        decideAsOps(resultId, org.credentialhub.exceptions.Decisions.Action.LINK, cara);
        List<Map<String, Object>> x = hub.rows("select candidate_key from match_crosswalk where feed_code = 'workskills'");
        assertEquals(1, x.size());
        assertTrue(x.get(0).get("candidate_key").toString().matches("[0-9a-f]{64}"), "keyed hash, not a value or an MD5");
        // his next attempt, in another file, follows the decision
        send("workskills", "WS20250325.DAT", workskillsAttempt("20250325", "OKAFOR", "BEN", "20080109", "20250321", "075"));
        TestHub.await("the second attempt is matched", WAIT, () -> hub.count(
                "select count(*) from result where feed_code = 'workskills' and match_decision is not null"
                        + " and attempted_on = date '2025-03-21'") == 1);
        List<Map<String, Object>> r = hub.rows("select student_id, match_tier from result where feed_code = 'workskills'"
                + " and attempted_on = date '2025-03-21'");
        assertEquals(cara, ((Number) r.get(0).get("student_id")).longValue());
        assertEquals("crosswalk", r.get(0).get("match_tier"));
    }

    @Test
    @Order(6)
    void skillsxlsxWorkbook() throws Exception {
        String ack = send("skillsxlsx", "skills_910_20250318.xlsx", LayoutFiles.skillsxlsx());
        assertTrue(ack.contains("\"rows_accepted\" : 3"), ack);
        assertTrue(ack.contains("sheet 'Pine Ridge High' row 5"), ack);
        List<Map<String, Object>> r = hub.rows("""
                select r.credential_code, r.attempted_on, i.first_name, i.last_name, i.district_code
                from result r join result_identity i using (result_id) where r.feed_code = 'skillsxlsx' order by r.source_row""");
        assertEquals(3, r.size());
        assertEquals("NC-97A1A6", r.get(0).get("credential_code"));
        assertEquals("Ana", r.get(0).get("first_name"));
        assertEquals("Peña", r.get(0).get("last_name"));
        assertEquals("910", r.get(0).get("district_code"));
    }

    @Test
    @Order(7)
    void aClassWithoutIdsIsOneAttemptPerStudentAndARepeatedRowIsWarned() throws Exception {
        LocalDate day = LocalDate.of(2025, 5, 6);
        byte[] book = LayoutFiles.skillsxlsx(LayoutFiles.SKILLS_HEADER, List.of(List.of(
                        new LayoutFiles.SheetRow("", "Okafor, Ben", "Welding I", "SK-0046E", day, 80.0, true, "Riverside High"),
                        new LayoutFiles.SheetRow("", "Okafor, Bea", "Welding I", "SK-0046E", day, 82.0, true, "Riverside High"),
                        new LayoutFiles.SheetRow("", "Lopez, Cy", "Welding I", "SK-0046E", day, 75.0, true, "Riverside High"),
                        new LayoutFiles.SheetRow("", "Lopez, Cy", "Welding I", "SK-0046E", day, 76.0, true, "Riverside High"))),
                List.of("Riverside High"));
        String ack = send("skillsxlsx", "skills_910_20250507.xlsx", book);
        assertTrue(ack.contains("\"rows_accepted\" : 4"), ack);
        assertEquals(3, hub.count("select count(*) from result where feed_code = 'skillsxlsx' and attempted_on = date '2025-05-06'"),
                "three students without an ID took the exam that day: three attempts");
        assertTrue(ack.contains("repeats the attempt of row 6 (same attempt key); the later row is kept"), ack);
        assertEquals(76, hub.count("select score from result where feed_code = 'skillsxlsx' and attempted_on = date '2025-05-06'"
                + " and source_row = 7"));
    }

    @Test
    @Order(8)
    void aRejectedCandidateStaysRejectedInItsNextFile() throws Exception {
        // someone the roster does not have, sent without a state ID: ops rejects the vendor's candidate
        send("workskills", "WS20250401.DAT", workskillsAttempt("20250401", "VANCE", "ODA", "20070704", "20250328", "080"));
        long resultId = hub.count("select result_id from result where feed_code = 'workskills'"
                + " and attempted_on = date '2025-03-28'");
        decideAsOps(resultId, org.credentialhub.exceptions.Decisions.Action.REJECT, null);
        // the same person's next attempt, in another file, is matched as that file is staged: rejected again
        send("workskills", "WS20250408.DAT", workskillsAttempt("20250408", "VANCE", "ODA", "20070704", "20250404", "081"));
        TestHub.await("the second attempt is decided", WAIT, () -> hub.count(
                "select count(*) from result where feed_code = 'workskills' and match_decision is not null"
                        + " and attempted_on = date '2025-04-04'") == 1);
        Map<String, Object> r = hub.rows("select student_id, match_decision, match_tier from result"
                + " where feed_code = 'workskills' and attempted_on = date '2025-04-04'").get(0);
        assertEquals("rejected", r.get("match_decision"));
        assertEquals("crosswalk", r.get("match_tier"));
        assertEquals(null, r.get("student_id"));
    }

    // ---- file-level guards ----

    private void quarantined(String feed, String name, byte[] content, String reason) throws Exception {
        long before = hub.count("select count(*) from result");
        long lineage = hub.count("select count(*) from result_lineage");
        String ack = send(feed, name, content);
        assertTrue(ack.contains("\"status\" : \"quarantined\""), ack);
        Map<String, Object> d = delivery(name);
        assertEquals("quarantined", d.get("status"));
        assertTrue(d.get("reason").toString().contains(reason), d.get("reason").toString());
        assertTrue(ack.contains(reason), ack);
        assertEquals(before, hub.count("select count(*) from result"), "nothing of a quarantined file is applied");
        assertEquals(lineage, hub.count("select count(*) from result_lineage"));
        assertEquals(1, hub.count("select count(*) from ops_delivery_problem where source_name = '" + name + "'"),
                "operations staff see it");
    }

    @Test
    @Order(10)
    void trailerCountThatDisagrees() throws Exception {
        quarantined("foodsafe", "FOODSAFE_EXPORT_000002.txt", LayoutFiles.foodsafe(7), "the trailer counts 7");
    }

    @Test
    @Order(11)
    void cutShortFixedWidthWithoutTrailer() throws Exception {
        String cut = new String(LayoutFiles.workskills(3), StandardCharsets.US_ASCII).replaceFirst("T0+3\r\n$", "");
        quarantined("workskills", "WS20250319.DAT", cut.getBytes(StandardCharsets.US_ASCII), "trailer record (T) is missing");
    }

    @Test
    @Order(12)
    void cutShortCsvMidRecord() throws Exception {
        String file = "\uFEFFcandidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,examFormId,"
                + "deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n"
                + "Z1,,Zed,Zed,,2007-01-01,Excel,CE-420CC,F1,2025-03-14T09:12:00-04:00,Pass,812,700,40,50,81,TC1,High\r\n"
                + "Z2,,Zed,Zed,,2007-01-01,Excel,CE-420CC,F1,2025-03-14T09:12:00-04:00,Pa";
        quarantined("certexam", "certexam_results_20250320.csv", file.getBytes(StandardCharsets.UTF_8), "cut short");
    }

    @Test
    @Order(13)
    void headerDriftMissingAndUnknownColumns() throws Exception {
        String drifted = new String(LayoutFiles.tradesreg(), StandardCharsets.UTF_8).replace("\tMI\t", "\tMiddle\t");
        quarantined("tradesreg", "tradesreg_modules_2025-03-20.tsv", drifted.getBytes(StandardCharsets.UTF_8),
                "header drift: missing column(s) MI; unknown column(s) Middle");
    }

    @Test
    @Order(14)
    void undecodableEncoding() throws Exception {
        byte[] utf8 = new String(LayoutFiles.foodsafe(3), Charset.forName("windows-1252")).getBytes(StandardCharsets.UTF_8);
        quarantined("foodsafe", "FOODSAFE_EXPORT_000003.txt", utf8, "not in its declared encoding");
    }

    @Test
    @Order(15)
    void emptyFileNeverWipesEarlierData() throws Exception {
        long results = hub.count("select count(*) from result where feed_code = 'workskills'");
        quarantined("workskills", "WS20250321.DAT", new byte[0], "empty");
        quarantined("tradesreg", "tradesreg_modules_2025-03-21.tsv",
                LayoutFiles.TRADESREG_HEADER.getBytes(StandardCharsets.UTF_8), "no data rows");
        assertEquals(results, hub.count("select count(*) from result where feed_code = 'workskills'"));
    }

    @Test
    @Order(16)
    void everyFeedShowsInTheOpsStatus() throws Exception {
        List<Map<String, Object>> s = hub.rows("select feed_code, quarantined_7d, overdue from ops_feed_status order by feed_code");
        assertEquals(List.of("badges", "certexam", "creditawards", "district", "foodsafe", "issuedbadges", "sis", "skillsxlsx", "tradesreg", "workskills"),
                s.stream().map(m -> m.get("feed_code")).toList());
        Map<String, Object> foodsafe = s.stream().filter(m -> m.get("feed_code").equals("foodsafe")).findFirst().orElseThrow();
        assertEquals(2L, foodsafe.get("quarantined_7d"));
        assertEquals(false, foodsafe.get("overdue"));
    }

    /**
     * A file whose attempt keys do not repeat is published without looking for each attempt's last row; an exam code
     * that two states' catalogs have for the year still gives each row one result, of the first state's credential.
     */
    @Test
    @Order(17)
    void anExamCodeInTwoStatesCatalogsGivesOneResultARow() throws Exception {
        hub.execute("""
                insert into catalog_credential (state, school_year, credential_code, credential_name, tier, high_value,
                                                delivered_by)
                select 'zz', school_year, 'ZZ-0001', 'Another state''s credential', tier, high_value, delivered_by
                from catalog_credential
                where credential_code = 'NC-57DAE6' and school_year = '2024-2025'""");
        hub.execute("""
                insert into catalog_exam_code (state, school_year, feed_code, exam_code, credential_code)
                values ('zz', '2024-2025', 'tradesreg', '00101-NC', 'ZZ-0001')""");
        try {
            String file = LayoutFiles.TRADESREG_HEADER
                    + "NC1009\t1000000001\tPeña\tAna\tM\t05/01/2007\t00101-NC\tBasic Safety\t03/17/2025\t90\tY\tJ. Teacher\tSP01\tRiverside High\n"
                    + "NC1010\t1000000001\tPeña\tAna\tM\t05/01/2007\t00101-NC\tBasic Safety\t03/18/2025\t91\tY\tJ. Teacher\tSP01\tRiverside High\n";
            String ack = send("tradesreg", "tradesreg_modules_2025-03-22.tsv", file.getBytes(StandardCharsets.UTF_8));
            assertTrue(ack.contains("\"rows_accepted\" : 2"), ack);
            assertEquals(List.of("NC-57DAE6", "NC-57DAE6"), hub.rows("""
                    select credential_code from result where attempt_key in ('NC1009|00101-NC', 'NC1010|00101-NC')
                    order by attempt_key""").stream().map(m -> m.get("credential_code")).toList());
        } finally {
            hub.execute("delete from catalog_exam_code where state = 'zz'");
            hub.execute("delete from catalog_credential where state = 'zz'");
        }
    }

    /**
     * A file that gives an attempt twice is published from its later row: the result, its identity and its decision;
     * both rows are in its lineage.
     */
    @Test
    @Order(18)
    void aRepeatedAttemptIsPublishedFromItsLaterRow() throws Exception {
        String file = LayoutFiles.TRADESREG_HEADER
                + "NC1011\t1000000001\tPeña\tAna\tM\t05/01/2007\t00102-NC\tIntro\t03/17/2025\t70\tY\tJ. Teacher\tSP01\tRiverside High\n"
                + "NC1012\t1000000001\tPeña\tAna\tM\t05/01/2007\t00101-NC\tBasic Safety\t03/17/2025\t88\tY\tJ. Teacher\tSP01\tRiverside High\n"
                + "NC1011\t1000000001\tPeña\tAna\tM\t05/01/2007\t00102-NC\tIntro\t03/19/2025\t95\tY\tJ. Teacher\tSP01\tHill High\n";
        String ack = send("tradesreg", "tradesreg_modules_2025-03-29.tsv", file.getBytes(StandardCharsets.UTF_8));
        assertTrue(ack.contains("\"rows_accepted\" : 3"), ack);
        assertTrue(ack.contains("repeats the attempt of row 2 (same attempt key); the later row is kept"), ack);
        List<Map<String, Object>> r = hub.rows("""
                select r.source_row, r.score::int as score, r.attempted_on::text as attempted_on, i.school_name,
                       r.match_decision, (select count(*) from result_lineage l where l.result_id = r.result_id) as lineage
                from result r join result_identity i using (result_id) where r.attempt_key = 'NC1011|00102-NC'""");
        assertEquals(1, r.size(), r.toString());
        assertEquals(Map.of("source_row", 4, "score", 95, "attempted_on", "2025-03-19", "school_name", "Hill High",
                "match_decision", "match", "lineage", 2L), r.get(0));
    }
    /**
     * A page of an API feed that lists a badge twice (its records are each row 1 of the page): one result, from the
     * later record, and one lineage row for both (a lineage row is a result, delivery and source row), where a file's
     * repeated attempt has a lineage row for each of its rows (above).
     */
    @Test
    @Order(19)
    void aPageThatListsABadgeTwiceHasOneLineageRowForIt() throws Exception {
        String page = "{\"data\": [" + LayoutFiles.issuedBadge("ib-twice", "pending", "2025-02-01T10:00:00Z", "1000000001", "IS-19F2C")
                + "," + LayoutFiles.issuedBadge("ib-once", "accepted", "2025-02-02T10:00:00Z", "1000000001", "IS-24A52")
                + "," + LayoutFiles.issuedBadge("ib-twice", "accepted", "2025-02-03T10:00:00Z", "1000000001", "IS-19F2C")
                + "], \"metadata\": {}}";
        java.nio.file.Path file = java.nio.file.Files.createTempFile("issuedbadges", ".json");
        try {
            java.nio.file.Files.writeString(file, page);
            var outcome = hub.runtime.services().intake.stage("issuedbadges", "page-twice.json", "t".repeat(64), file);
            assertEquals(null, outcome.quarantineReason());
            assertEquals(3, outcome.rowsAccepted());
            List<Map<String, Object>> r = hub.rows("""
                    select r.source_ref, r.status, r.attempted_on::text as attempted_on, l.source_row
                    from result r join result_lineage l using (result_id)
                    where l.delivery_id = %d order by r.source_ref""".formatted(outcome.deliveryId()));
            assertEquals(List.of(
                    Map.of("source_ref", "ib-once", "status", "active", "attempted_on", "2025-02-02", "source_row", 1),
                    Map.of("source_ref", "ib-twice", "status", "active", "attempted_on", "2025-02-03", "source_row", 1)),
                    r);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }
}
