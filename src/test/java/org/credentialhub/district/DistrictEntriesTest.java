package org.credentialhub.district;

import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * District-entered results on a real hub: a CSV upload with evidence files (checked by magic bytes and
 * size) and a single entry, kept pending and out of the counts until a district administrator validates
 * them; rejected rows say row, field and reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistrictEntriesTest {
    private static final byte[] PDF = org.credentialhub.support.EvidenceFiles.pdf();
    private static final byte[] PNG = org.credentialhub.support.EvidenceFiles.png();
    private TestHub hub;
    private DistrictEntries entries;

    private static byte[] pad(String head, int size) {
        byte[] b = Arrays.copyOf(head.getBytes(StandardCharsets.ISO_8859_1), size);
        return b;
    }

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(Map.of("hub.district.evidence.max-bytes", "2000",
                "hub.intake.recovery-period-ms", "1000", "hub.intake.recovery-delay-ms", "500"));
        entries = hub.runtime.services().districtEntries;
        hub.runtime.services().roster.load(List.of(Fixtures.ANA, Fixtures.BEN));
    }

    @AfterAll
    void stop() throws Exception {
        Fixtures.closeAll(hub);
    }

    @Test
    @Order(1)
    void uploadedCsvWithEvidenceIsPendingWithRowRejections() throws Exception {
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file\n"
                // row 2: good, IS-100 (district-entered)
                + "910,1000000001,Ana,Peña,2007-05-01,NC-84A78D,2025-03-14,,ana-is100.pdf\n"
                // row 3: a credential a vendor delivers (Excel, certexam) is not district-entered
                + "910,1000000002,Ben,Okafor,2008-01-09,NC-745D94,2025-03-14,812,ben-excel.pdf\n"
                // row 4: the evidence is not a PDF, PNG or JPEG
                + "910,1000000002,Ben,Okafor,2008-01-09,NC-A52769,2025-03-14,,ben-is200.pdf\n"
                // row 5: the evidence is too large
                + "910,1000000002,Ben,Okafor,2008-01-09,NC-33E947,2025-03-15,,big.pdf\n"
                // row 6: no such evidence uploaded
                + "910,1000000002,Ben,Okafor,2008-01-09,NC-2F8369,2025-03-16,,missing.pdf\n"
                // row 7: good, PNG evidence
                + "910,1000000002,Ben,Okafor,2008-01-09,NC-2F8369,2025-03-17,,ben-is800.png\n";
        Map<String, Object> ack = entries.upload("district_910_upload.csv", csv.getBytes(StandardCharsets.UTF_8), List.of(
                new DistrictEntries.Evidence("ana-is100.pdf", PDF),
                new DistrictEntries.Evidence("ben-excel.pdf", PDF),
                new DistrictEntries.Evidence("ben-is200.pdf", "just text, renamed".getBytes(StandardCharsets.UTF_8)),
                new DistrictEntries.Evidence("big.pdf", pad("%PDF-1.4", 5000)),
                new DistrictEntries.Evidence("ben-is800.png", PNG)), "clerk@910");
        assertEquals("accepted with rejections", ack.get("status"));
        assertEquals(2, ack.get("rows_accepted"));
        assertEquals(4, ack.get("rows_rejected"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rej = (List<Map<String, Object>>) ack.get("rejections");
        assertEquals(List.of(3, 4, 5, 6), rej.stream().map(r -> r.get("row")).toList());
        assertEquals("credential_code", rej.get(0).get("field"));
        assertEquals(Map.of("row", 4, "field", "evidence_file", "reason", "the evidence file is not a PDF, PNG or JPEG"), rej.get(1));
        assertEquals("the evidence file is larger than 2000 bytes", rej.get(2).get("reason"));
        assertEquals("no evidence file of that name was uploaded", rej.get(3).get("reason"));
        assertFalse(ack.toString().contains("1000000001") || ack.toString().contains("Peña"), ack.toString());

        List<Map<String, Object>> results = hub.rows("""
                select r.status, r.credential_code, r.match_decision, r.state_id_hash, d.source_name, l.source_row
                from result r join result_lineage l using (result_id) join delivery d on d.delivery_id = l.delivery_id
                where r.feed_code = 'district' order by l.source_row""");
        assertEquals(2, results.size());
        assertEquals("pending", results.get(0).get("status"));
        assertEquals("NC-84A78D", results.get(0).get("credential_code"));
        assertEquals("match", results.get(0).get("match_decision"));
        assertEquals("district_910_upload.csv", results.get(0).get("source_name"));
        assertEquals(2, results.get(0).get("source_row"));
        assertEquals(7, results.get(1).get("source_row"));
        assertEquals(0, hub.count("select count(*) from result where attempt_key like '%1000000001%'"));

        List<DistrictEntries.Pending> pending = entries.pending("910");
        assertEquals(2, pending.size());
        assertEquals("application/pdf", pending.get(0).mediaType());
        assertEquals("image/png", pending.get(1).mediaType());
        assertEquals("clerk@910", pending.get(0).enteredBy());
        assertEquals(1, hub.count("select count(*) from district_evidence where file_name = 'ana-is100.pdf'"));
        assertEquals(0, hub.count("select count(*) from district_evidence where file_name = 'ben-excel.pdf'"),
                "evidence of rejected rows is not kept");
    }

    @Test
    @Order(2)
    void pendingEntriesCountOnlyOnceValidated() throws Exception {
        hub.runtime.services().reporting.load("test");
        assertEquals(0, hub.count("select count(*) from rpt.earned_by_district_credential"));
        List<DistrictEntries.Pending> pending = entries.pending("910");
        entries.validate(pending.get(0).resultId(), "cte-admin@910");
        entries.reject(pending.get(1).resultId(), "cte-admin@910", "certificate is for another course");
        hub.runtime.services().reporting.load("test");
        assertEquals(List.of(Map.of("district_code", "910", "credential_code", "NC-84A78D", "earned", 1)),
                hub.rows("select district_code, credential_code, earned from rpt.earned_by_district_credential"));
        assertEquals(List.of("active", "rejected"), hub.rows("select status from result where feed_code = 'district' order by source_row")
                .stream().map(m -> m.get("status")).toList());
        assertEquals("cte-admin@910", hub.rows("select validated_by from district_entry where decision = 'validated'").get(0).get("validated_by"));
        assertThrows(IllegalStateException.class, () -> entries.validate(pending.get(0).resultId(), "cte-admin@910"),
                "a decided entry is not decided again");
        assertTrue(entries.pending("910").isEmpty());
    }

    @Test
    @Order(3)
    void singleEntryWithEvidence() throws Exception {
        byte[] jpeg = org.credentialhub.support.EvidenceFiles.jpeg();
        Map<String, Object> ack = entries.enter(new DistrictEntries.Entry("910", "1000000002", "Ben", "Okafor",
                        LocalDate.of(2008, 1, 9), "NC-A52769", LocalDate.of(2025, 4, 1), new BigDecimal("88")),
                new DistrictEntries.Evidence("photo.jpg", jpeg), "clerk@910");
        assertEquals("accepted", ack.get("status"), ack.toString());
        DistrictEntries.Pending p = entries.pending("910").get(0);
        assertEquals("NC-A52769", p.credentialCode());
        assertEquals("image/jpeg", p.mediaType());
        assertEquals(2, p.row());
        assertTrue(p.source().startsWith("entry-"), p.source());
        assertArrayEquals(jpeg, entries.evidence(p.resultId()).content());

        Map<String, Object> bad = entries.enter(new DistrictEntries.Entry("910", "12345", "Ben", "Okafor",
                        null, "NC-A52769", LocalDate.of(2025, 4, 1), null),
                new DistrictEntries.Evidence("photo.gif", "GIF89a....".getBytes(StandardCharsets.US_ASCII)), "clerk@910");
        assertEquals("rejected", bad.get("status"), bad.toString());
        assertTrue(bad.toString().contains("state_id"), bad.toString());
        assertFalse(bad.toString().contains("12345"), bad.toString());
    }

    /** Evidence is parsed, not only typed by its first bytes: a PDF header before HTML, or a broken image, is refused. */
    @Test
    @Order(4)
    void evidenceThatDoesNotParseIsRefused() throws Exception {
        byte[] html = "%PDF-1.4\n<html><script>alert(1)</script></html>\n".getBytes(StandardCharsets.US_ASCII);
        byte[] png = PNG.clone();
        java.util.Arrays.fill(png, 16, png.length, (byte) 0x41);
        byte[] jpeg = pad(new String(new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0}, StandardCharsets.ISO_8859_1), 300);
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file\n"
                + "910,1000000002,Ben,Okafor,2008-01-09,NC-33E947,2025-05-01,,html.pdf\n"
                + "910,1000000002,Ben,Okafor,2008-01-09,NC-33E947,2025-05-02,,broken.png\n"
                + "910,1000000002,Ben,Okafor,2008-01-09,NC-33E947,2025-05-03,,fake.jpg\n";
        Map<String, Object> ack = entries.upload("bad-evidence.csv", csv.getBytes(StandardCharsets.UTF_8), List.of(
                new DistrictEntries.Evidence("html.pdf", html), new DistrictEntries.Evidence("broken.png", png),
                new DistrictEntries.Evidence("fake.jpg", jpeg)), "clerk@910");
        assertEquals(3, ack.get("rows_rejected"), ack.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rej = (List<Map<String, Object>>) ack.get("rejections");
        assertTrue(String.valueOf(rej.get(0).get("reason")).startsWith("the evidence file is not a readable PDF"), rej.toString());
        assertTrue(String.valueOf(rej.get(1).get("reason")).startsWith("the evidence file is not a readable PNG"), rej.toString());
        assertTrue(String.valueOf(rej.get(2).get("reason")).startsWith("the evidence file is not a readable JPEG"), rej.toString());
        // a tiny PNG that claims a canvas of 60,000 x 60,000 pixels is refused before it is decoded
        assertTrue(String.valueOf(DistrictEntries.unreadable(hugeCanvasPng(), "image/png")).contains("pixels"));
        assertEquals(null, DistrictEntries.unreadable(PDF, "application/pdf"));
    }

    /**
     * A kill -9 between an upload's staging commit and its finishing (the crash drill found it: the entries stayed
     * unfinished for good, out of the exception queue): the staged delivery, its entries matched in the staging
     * transaction, its node's lease run out, is processed by recovery, once, as the upload would have done.
     */
    @Test
    @Order(5)
    void anUploadWhoseNodeStoppedBeforeFinishingIsFinishedByRecovery() throws Exception {
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file\n"
                + "910,1000000001,Ana,Peña,2007-05-01,NC-84A78D,2025-05-20,,ana.pdf\n"
                + "910,,Zed,Nobody,2007-02-02,NC-84A78D,2025-05-21,,ana.pdf\n";
        // what the upload had committed when its node died: the staged rows with their decisions, their evidence,
        // the node's lease
        long delivery = entries.stage("stopped.csv", csv.getBytes(StandardCharsets.UTF_8),
                List.of(new DistrictEntries.Evidence("ana.pdf", PDF)), "clerk@910", null).deliveryId();
        hub.execute("update delivery set claimed_by = 'dead-node/staged-" + delivery + "', claimed_until = now() - interval '1 second' "
                + "where delivery_id = " + delivery);
        assertEquals(1, hub.count("select count(*) from result where delivery_id = " + delivery + " and match_decision = 'match'"));
        assertEquals(1, hub.count("select count(*) from result where delivery_id = " + delivery + " and match_decision = 'none'"));
        TestHub.await("the stopped upload's delivery processed", java.time.Duration.ofSeconds(30),
                () -> hub.count("select count(*) from delivery where delivery_id = " + delivery + " and processed_at is not null") == 1);
        assertEquals(1, hub.count("select count(*) from result where delivery_id = " + delivery + " and match_decision = 'match'"));
        assertEquals(1, hub.count("select count(*) from result where delivery_id = " + delivery + " and match_decision = 'none'"));
        assertEquals(0, hub.count("select count(*) from delivery where delivery_id = " + delivery + " and claimed_by is not null"));
        assertEquals(2, entries.pending("910").stream().filter(p -> p.source().equals("stopped.csv")).count());
    }

    /**
     * Recovery's fault path: finishing a stopped upload fails (the database refuses to mark its delivery processed)
     * and the delivery records the attempt, keeps no lease and is not processed; once the database takes the write
     * again, the next recovery processes it. No student data in the recorded error.
     */
    @Test
    @Order(6)
    void aRecoveryThatFailsIsRecordedAndTriedAgain() throws Exception {
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file\n"
                + "910,1000000001,Ana,Peña,2007-05-01,NC-84A78D,2025-05-22,,ana.pdf\n";
        long delivery = entries.stage("refused.csv", csv.getBytes(StandardCharsets.UTF_8),
                List.of(new DistrictEntries.Evidence("ana.pdf", PDF)), "clerk@910", null).deliveryId();
        hub.execute("""
                create function refuse_processed() returns trigger language plpgsql as $$
                begin raise exception 'processing refused by the test'; end $$""");
        hub.execute("create trigger refuse_processed before update of processed_at on delivery for each row "
                + "when (new.delivery_id = " + delivery + " and new.processed_at is not null) execute function refuse_processed()");
        try {
            hub.execute("update delivery set claimed_by = 'dead-node/staged-" + delivery + "', claimed_until = now() - interval '1 second' "
                    + "where delivery_id = " + delivery);
            TestHub.await("a failed recovery recorded", java.time.Duration.ofSeconds(30),
                    () -> hub.count("select count(*) from delivery where delivery_id = " + delivery + " and attempts >= 1") == 1);
            assertEquals(1, hub.count("select count(*) from delivery where delivery_id = " + delivery
                    + " and processed_at is null and claimed_by is null and last_error is not null"
                    + " and last_error not like '%Ana%' and last_error not like '%1000000001%'"));
        } finally {
            hub.execute("drop trigger refuse_processed on delivery");
            hub.execute("drop function refuse_processed()");
        }
        TestHub.await("the refused upload's delivery processed", java.time.Duration.ofSeconds(30),
                () -> hub.count("select count(*) from delivery where delivery_id = " + delivery + " and processed_at is not null") == 1);
        assertEquals(1, hub.count("select count(*) from result where delivery_id = " + delivery + " and match_decision = 'match'"));
        assertEquals(0, hub.count("select count(*) from delivery where delivery_id = " + delivery + " and claimed_by is not null"));
    }

    /**
     * An upload's entries are matched on their staged rows and each result is written once, with its decision, in the
     * transaction that writes its district entry (matched after publishing, each result was written again by its
     * decision's update, in the upload's second transaction).
     */
    @Test
    @Order(7)
    void anUploadWritesEachResultOnceWithItsDecision() throws Exception {
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file\n"
                + "910,1000000001,Ana,Peña,2007-05-01,NC-84A78D,2025-06-02,,ana.pdf\n"
                + "910,,Ben,Okafor,2008-01-09,NC-84A78D,2025-06-02,,ana.pdf\n";
        Map<String, Object> ack = entries.upload("once.csv", csv.getBytes(StandardCharsets.UTF_8),
                List.of(new DistrictEntries.Evidence("ana.pdf", PDF)), "clerk@910");
        assertEquals(2, ack.get("rows_accepted"), ack.toString());
        assertEquals(2, hub.count("""
                select count(*) from result r join district_entry e using (result_id) join delivery d on d.delivery_id = r.delivery_id
                where d.source_name = 'once.csv' and r.match_decision is not null
                  and r.xmin::text = e.xmin::text"""), hub.rows("""
                select r.match_decision, r.match_tier, r.xmin::text = e.xmin::text as once from result r join district_entry e using (result_id)
                join delivery d on d.delivery_id = r.delivery_id where d.source_name = 'once.csv'""").toString());
    }

    /**
     * The decisions made on an upload's staged rows are those the match step makes of its published results: two
     * districts' entries, each matched within its own students (a namesake in the other district, an ID typed one
     * digit off, a first name misspelt, nobody on the roster), their decisions and candidates compared with the match
     * step's once the results are undecided again.
     */
    @Test
    @Order(8)
    void decisionsOnStagedEntriesAreThoseOfTheMatchStep() throws Exception {
        hub.runtime.services().roster.load(List.of(
                new org.credentialhub.roster.RosterLoader.Student("1000000031", "Cara", "Lindqvist", LocalDate.of(2007, 8, 3), "920", "920101"),
                new org.credentialhub.roster.RosterLoader.Student("1000000032", "Ana", "Peña", LocalDate.of(2007, 11, 21), "920", "920101"),
                new org.credentialhub.roster.RosterLoader.Student("1000000033", "Dan", "Moreau", LocalDate.of(2008, 2, 14), "920", "920101"),
                new org.credentialhub.roster.RosterLoader.Student("1000000034", "Dana", "Moreau", LocalDate.of(2008, 2, 14), "920", "920101")));
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file\n"
                + "910,1000000001,Ana,Peña,2007-05-01,NC-84A78D,2025-06-09,,e.pdf\n"
                + "910,1000000003,Ben,Okafor,2008-01-09,NC-84A78D,2025-06-09,,e.pdf\n"
                + "910,,Bne,Okafor,2008-01-09,NC-A52769,2025-06-09,,e.pdf\n"
                + "910,,Zed,Nobody,2007-02-02,NC-84A78D,2025-06-09,,e.pdf\n"
                + "920,1000000031,Cara,Lindqvist,2007-08-03,NC-84A78D,2025-06-09,,e.pdf\n"
                + "920,,Ana,Peña,2007-05-01,NC-84A78D,2025-06-10,,e.pdf\n"
                + "920,,Dan,Moreau,2008-02-14,NC-84A78D,2025-06-09,,e.pdf\n"
                + "920,1000000035,Cara,Lindqvist,2007-08-03,NC-A52769,2025-06-11,,e.pdf\n";
        Map<String, Object> ack = entries.upload("two-districts.csv", csv.getBytes(StandardCharsets.UTF_8),
                List.of(new DistrictEntries.Evidence("e.pdf", PDF)), "state-ops");
        assertEquals(8, ack.get("rows_accepted"), ack.toString());
        long delivery = hub.count("select delivery_id from delivery where source_name = 'two-districts.csv'");
        String decisions = "select r.attempt_key, r.student_id, r.match_decision, r.match_tier, r.match_score from result r "
                + "where r.delivery_id = " + delivery + " order by r.attempt_key";
        String candidates = "select r.attempt_key, m.student_id, m.rank, m.score, m.reasons::text from match_candidate m "
                + "join result r using (result_id) where r.delivery_id = " + delivery + " order by r.attempt_key, m.rank";
        List<Map<String, Object>> staged = hub.rows(decisions);
        List<Map<String, Object>> stagedCandidates = hub.rows(candidates);
        assertEquals(8, staged.size());
        assertTrue(staged.stream().map(m -> m.get("match_decision")).distinct().count() >= 2, staged.toString());
        assertFalse(stagedCandidates.isEmpty(), "some entries are for review, with candidates");

        hub.execute("update result set student_id = null, match_decision = null, match_tier = null, match_score = null "
                + "where delivery_id = " + delivery);
        hub.execute("delete from match_candidate where result_id in (select result_id from result where delivery_id = "
                + delivery + ")");
        hub.runtime.services().matcher.matchDelivery("district", delivery);
        assertEquals(staged, hub.rows(decisions));
        assertEquals(stagedCandidates, hub.rows(candidates));
    }

    /**
     * Matching now happens inside the upload's one transaction: a fault after the entries are matched (the database
     * refuses their evidence) rolls the whole upload back, decisions and all (no delivery, no result); the same upload
     * taken again once the database takes the write is staged, matched and processed once.
     */
    @Test
    @Order(9)
    void aFaultAfterTheEntriesAreMatchedRollsTheUploadBack() throws Exception {
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file\n"
                + "910,1000000001,Ana,Peña,2007-05-01,NC-84A78D,2025-06-16,,fault.pdf\n"
                + "910,,Ben,Okafor,2008-01-09,NC-84A78D,2025-06-16,,fault.pdf\n";
        List<DistrictEntries.Evidence> evidence = List.of(new DistrictEntries.Evidence("fault.pdf", PDF));
        long resultsBefore = hub.count("select count(*) from result");
        hub.execute("""
                create function refuse_evidence() returns trigger language plpgsql as $$
                begin raise exception 'evidence refused by the test'; end $$""");
        hub.execute("create trigger refuse_evidence before insert on district_evidence for each row "
                + "when (new.file_name = 'fault.pdf') execute function refuse_evidence()");
        try {
            assertThrows(java.sql.SQLException.class,
                    () -> entries.upload("fault.csv", csv.getBytes(StandardCharsets.UTF_8), evidence, "clerk@910"));
            assertEquals(0, hub.count("select count(*) from delivery where source_name = 'fault.csv'"));
            assertEquals(resultsBefore, hub.count("select count(*) from result"));
        } finally {
            hub.execute("drop trigger refuse_evidence on district_evidence");
            hub.execute("drop function refuse_evidence()");
        }
        Map<String, Object> ack = entries.upload("fault.csv", csv.getBytes(StandardCharsets.UTF_8), evidence, "clerk@910");
        assertEquals(2, ack.get("rows_accepted"), ack.toString());
        assertEquals(1, hub.count("select count(*) from delivery where source_name = 'fault.csv' and processed_at is not null"));
        assertEquals(2, hub.count("""
                select count(*) from result r join delivery d on d.delivery_id = r.delivery_id
                where d.source_name = 'fault.csv' and r.match_decision is not null"""));
    }

    private static byte[] hugeCanvasPng() {
        byte[] b = PNG.clone();
        // IHDR width and height at bytes 16..23; its CRC at 29..32 is then wrong, but the size is read first
        java.nio.ByteBuffer.wrap(b, 16, 8).putInt(60_000).putInt(60_000);
        return b;
    }
}
