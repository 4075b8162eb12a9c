package org.credentialhub.intake;

import org.credentialhub.roster.RosterLoader;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Postsecondary credit awards through a running hub (docs/reporting.md, "Articulation credit"): a credit_awards file
 * dropped over SFTP is taken, its rows matched to the roster like exam attempts and stored as results with their
 * award; an award of an agreement no catalog lists is an unknown_agreement exception; an award of a student who has
 * not earned the credential is a credit_not_earned exception after the reporting load, which counts the other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditAwardsFeedTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private TestHub hub;

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(TestHub.sftpFeeds(List.of("certexam", "creditawards")));
        hub.runtime.services().roster.load(List.of(
                new RosterLoader.Student("1000000001", "Ana", "Pena", LocalDate.of(2007, 5, 1), "910", "910301"),
                new RosterLoader.Student("1000000002", "Ben", "Okafor", LocalDate.of(2008, 1, 9), "910", "910301"),
                new RosterLoader.Student("1000000003", "Cara", "Lopez", LocalDate.of(2007, 11, 23), "920", "920301")));
    }

    @AfterAll
    void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void awardsAreTakenMatchedStoredCountedOrFlagged() throws Exception {
        // student 1 earns MOS Excel (NC-A2AF89, certexam MO-210), which has agreements with two colleges
        String exam = "candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,examFormId,"
                + "deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n"
                + "C1,1000000001,Ana,Pena,,2007-05-01,Excel,MO-210,F1,2025-03-14T09:12:00-04:00,Pass,812,700,40,50,81,TC1,Riverside High\r\n";
        String ack = hub.dropAndAwaitAck("certexam", "certexam_results_20250318.csv", exam.getBytes(StandardCharsets.UTF_8), WAIT);
        assertTrue(ack.contains("\"status\" : \"accepted\""), ack);

        String awards = "AwardID,Institution,Program,CollegeStudentID,StateStudentID,FirstName,LastName,BirthDate,"
                + "CredentialCode,CreditHours,AwardDate\r\n"
                // row 2: student 1, an agreement of the catalog, after the credential was earned: counted
                + "A-1,Central Piedmont Community College,A25120,S-11,1000000001,Ana,Pena,2007-05-01,NC-A2AF89,3,2025-04-20\r\n"
                // row 3: student 2 never earned the credential: credit_not_earned
                + "A-2,Central Piedmont Community College,A25120,S-12,1000000002,Ben,Okafor,2008-01-09,NC-A2AF89,3,2025-04-21\r\n"
                // row 4: no catalog lists this agreement: unknown_agreement
                + "A-3,Nowhere Community College,X99999,S-13,1000000003,Cara,Lopez,2007-11-23,NC-83A7F8,4,2025-04-22\r\n"
                // row 5: credit hours that are no number: rejected
                + "A-4,Central Piedmont Community College,A25120,S-11,1000000001,Ana,Pena,2007-05-01,NC-A2AF89,three,2025-04-23\r\n";
        ack = hub.dropAndAwaitAck("creditawards", "credit_awards_20250501.csv", awards.getBytes(StandardCharsets.UTF_8), WAIT);
        assertTrue(ack.contains("\"accepted with rejections\""), ack);
        assertTrue(ack.contains("\"CreditHours\""), ack);
        assertFalse(ack.contains("three"), "an acknowledgement never repeats a rejected value");

        TestHub.await("the awards matched", WAIT, () -> hub.count("""
                select count(*) from result r join delivery d using (delivery_id)
                where d.feed_code = 'creditawards' and d.processed_at is not null""") == 3);
        List<Map<String, Object>> stored = hub.rows("""
                select r.source_row, r.credential_code, r.match_decision, r.attempted_on::text as awarded_on,
                       w.institution, w.program, w.credit_hours::text as hours
                from result r join result_award w using (result_id) where r.feed_code = 'creditawards'
                order by r.source_row""");
        assertEquals(List.of(2, 3, 4), stored.stream().map(r -> r.get("source_row")).toList());
        assertTrue(stored.stream().allMatch(r -> "match".equals(r.get("match_decision"))), stored.toString());
        assertEquals("Central Piedmont Community College", stored.get(0).get("institution"));
        assertEquals("A25120", stored.get(0).get("program"));
        assertEquals("3", stored.get(0).get("hours"));
        assertEquals("2025-04-20", stored.get(0).get("awarded_on"));

        assertEquals(1, hub.count("""
                select count(*) from result_exception e join result r using (result_id)
                where e.kind = 'unknown_agreement' and e.status = 'open' and r.source_row = 4 and e.district_code = '920'"""));

        TestHub.await("the reporting load to count the award", WAIT, () ->
                hub.count("select count(*) from rpt.fact_credit_award") == 1);
        Map<String, Object> fact = hub.rows("""
                select f.school_year, f.credential_code, f.institution, r.source_row
                from rpt.fact_credit_award f join result r using (result_id)""").get(0);
        assertEquals("2024-2025", fact.get("school_year"));
        assertEquals("NC-A2AF89", fact.get("credential_code"));
        assertEquals(2, fact.get("source_row"));
        TestHub.await("credit_not_earned for the student without the credential", WAIT, () -> hub.count("""
                select count(*) from result_exception e join result r using (result_id)
                where e.kind = 'credit_not_earned' and e.status = 'open' and r.source_row = 3
                  and r.feed_code = 'creditawards' and e.district_code = '910'""") == 1);
        assertEquals(1, hub.count("select count(*) from result_exception where kind = 'credit_not_earned'"));
        // an award is no attempt of its credential: only the exam counts as earned
        assertEquals(1, hub.count("select count(*) from rpt.fact_attempt"));
        assertEquals(0, hub.count("select count(*) from rpt.fact_attempt where feed_code = 'creditawards'"));
    }
}
