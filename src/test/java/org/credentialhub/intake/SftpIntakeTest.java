package org.credentialhub.intake;

import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.roster.RosterLoader;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton end to end: a certexam file uploaded with the OpenSSH sftp client reaches the
 * results and, after a scheduled load, the reporting table; the same content sent again under another
 * name is skipped; a malformed row is rejected with its row and reason while the others load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SftpIntakeTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    // NC catalog 2024-25 certexam exam codes and their credentials
    private static final String EXCEL_CODE = "CE-420CC";      // NC-745D94
    private static final String ILLUSTRATOR_CODE = "CE-93D7E"; // NC-F07385

    private TestHub hub;
    private Path keyDir;
    private byte[] file;

    @BeforeAll
    void start() throws Exception {
        keyDir = Files.createTempDirectory("hub-key");
        Path key = keyDir.resolve("id_ed25519");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", key.toString()));
        hub = TestHub.start(Map.of("hub.sftp.authorized-keys.certexam", keyDir.resolve("id_ed25519.pub").toString()));
        hub.runtime.services().roster.load(List.of(
                new RosterLoader.Student("1000000001", "Ana", "Pena", LocalDate.of(2007, 5, 1), "910", "910301"),
                new RosterLoader.Student("1000000002", "Ben", "Okafor", LocalDate.of(2008, 1, 9), "910", "910301"),
                new RosterLoader.Student("1000000003", "Cara", "Lopez", LocalDate.of(2007, 11, 23), "920", "920301")));
        file = ("\uFEFFcandidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,examFormId,"
                + "deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n"
                // row 2: passes, student 1
                + "C1,1000000001,Ana,Pena,a@example.org,2007-05-01,Excel,CE-420CC,F1,2025-03-14T09:12:00-04:00,Pass,812,700,40,50,81,TC1,\"Riverside High\"\r\n"
                // row 3: fails, student 2
                + "C2,1000000002,Ben,Okafor,,2008-01-09,Excel,CE-420CC,F1,2025-03-14T10:00:00-04:00,Fail,512,700,25,50,51,TC1,Riverside High\r\n"
                // row 4: malformed birth date -> rejected, others load
                + "C3,1000000003,Cara,Lopez,,2007-13-45,Illustrator,CE-93D7E,F1,2025-03-15T10:00:00-04:00,Pass,900,700,45,50,90,TC2,\"Pine Ridge High\"\r\n"
                // row 5: passes, student 3, other credential
                + "C3,1000000003,Cara,Lopez,,2007-11-23,Illustrator,CE-93D7E,F1,2025-03-16T10:00:00-04:00,Pass,901,700,45,50,90,TC2,\"Pine Ridge High\"\r\n"
                // row 6: no state ID -> not matched (left for the district)
                + "C4,,Dee,\"Smith, Jr\",,2007-02-02,Excel,CE-420CC,F1,2025-03-17T10:00:00-04:00,Pass,850,700,42,50,85,TC1,Riverside High\r\n"
                // row 7: student 2 passes on a retake
                + "C2,1000000002,Ben,Okafor,,2008-01-09,Excel,CE-420CC,F1,2025-04-01T10:00:00-04:00,Pass,760,700,38,50,76,TC1,Riverside High\r\n"
                // row 8: missing pass/fail -> rejected
                + "C5,1000000001,Ana,Pena,,2007-05-01,Illustrator,CE-93D7E,F1,2025-04-02T10:00:00-04:00,,760,700,38,50,76,TC1,Riverside High\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    @AfterAll
    void stop() throws Exception {
        org.credentialhub.support.Fixtures.deleteTree(keyDir);
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    @Order(1)
    void fileUploadedWithOpenSshSftpReachesTheResults() throws Exception {
        Path local = keyDir.resolve("certexam_results_20250318.csv");
        Files.write(local, file);
        Path batch = keyDir.resolve("batch");
        Files.writeString(batch, "put " + local + " inbox/certexam_results_20250318.csv\n");
        run(List.of("sftp", "-b", batch.toString(), "-i", keyDir.resolve("id_ed25519").toString(),
                "-P", String.valueOf(hub.sftpPort()), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "certexam@127.0.0.1"));

        TestHub.await("the delivery to be processed", WAIT, () ->
                hub.count("select count(*) from delivery where processed_at is not null and status <> 'processing'") == 1);
        Map<String, Object> delivery = hub.rows("select * from delivery").get(0);
        assertEquals("certexam", delivery.get("feed_code"));
        assertEquals("certexam_results_20250318.csv", delivery.get("source_name"));
        assertEquals("accepted_with_rejections", delivery.get("status"));
        assertEquals(7, delivery.get("rows_read"));
        assertEquals(5, delivery.get("rows_accepted"));
        assertEquals(2, delivery.get("rows_rejected"));

        List<Map<String, Object>> rejections = hub.rows(
                "select row_number, field, reason from delivery_rejection order by row_number");
        assertEquals(2, rejections.size());
        assertEquals(4, rejections.get(0).get("row_number"));
        assertEquals("birthDate", rejections.get(0).get("field"));
        assertTrue(rejections.get(0).get("reason").toString().contains("not a valid date"));
        assertEquals(8, rejections.get(1).get("row_number"));
        assertEquals("passFail", rejections.get(1).get("field"));
        assertEquals("required value is missing", rejections.get(1).get("reason"));

        List<Map<String, Object>> results = hub.rows("""
                select r.source_row, r.attempt_key, r.exam_code, r.credential_code, r.school_year, r.passed,
                       r.match_decision, s.district_code, r.state_id_hash
                from result r left join student s using (student_id) order by r.source_row""");
        assertEquals(List.of(2, 3, 5, 6, 7), results.stream().map(r -> r.get("source_row")).toList());
        Map<String, Object> first = results.get(0);
        assertEquals("C1|CE-420CC|2025-03-14T09:12:00-04:00", first.get("attempt_key"));
        assertEquals("NC-745D94", first.get("credential_code"));
        assertEquals("2024-2025", first.get("school_year"));
        assertEquals("match", first.get("match_decision"));
        assertEquals("910", first.get("district_code"));
        // the clear state ID is never stored: only its 64-hex keyed hash
        assertEquals(64, first.get("state_id_hash").toString().length());
        assertEquals(0, hub.count("select count(*) from result where state_id_hash like '%1000000001%'"));
        // an ID that is a roster student's takes the student's deletion neighbourhood: the text its ID's keyed
        // hashes give
        var hmac = hub.runtime.services().hmac;
        Map<String, Object> near = hub.rows("""
                select (select r.state_id_near from result r where r.source_row = 2) as sent,
                       (select s.state_id_near from student s where s.state_id_hash = '%s') as roster"""
                .formatted(hmac.stateId("1000000001"))).get(0);
        assertEquals(hmac.stateIdNear("1000000001"), near.get("sent"));
        assertEquals(near.get("roster"), near.get("sent"));
        Map<String, Object> noId = results.get(3);
        assertEquals("none", noId.get("match_decision"));
        assertNull(noId.get("district_code"));
        assertEquals(5, hub.count("select count(*) from result_lineage"));
        assertEquals("Smith, Jr", hub.rows("select last_name from result_identity i join result r using (result_id) "
                + "where r.source_row = 6").get(0).get("last_name"));
        // a vendor's file is matched on its staged rows: each result is written once, with its decision, by the
        // transaction that staged it (its lineage's), and not written again by a match step after it
        assertEquals(0, hub.count("select count(*) from result r join result_lineage l using (result_id) "
                + "where r.xmin::text <> l.xmin::text"));
    }

    /**
     * The intake's SFTP client takes the cipher that is fastest under this JVM's JIT (support.Jit): the test JVMs run
     * the quick JIT alone, as the one-shot commands do, where ChaCha20-Poly1305 is 3.7 times as fast as AES-GCM.
     */
    @Test
    @Order(2)
    void theIntakeNegotiatesTheCipherFastestUnderThisJit() {
        List<String> ciphers = hub.runtime.services().dropBox.ciphersOf(hub.runtime.services().serviceUser);
        assertTrue(!ciphers.isEmpty(), "the intake's consumers hold sessions to the drop box");
        String expected = org.credentialhub.support.Jit.optimizing() ? "aes128-gcm@openssh.com" : "chacha20-poly1305@openssh.com";
        assertTrue(ciphers.stream().allMatch(expected::equals), "negotiated: " + ciphers);
    }

    @Test
    @Order(2)
    void scheduledLoadFillsTheReportingTable() throws Exception {
        long after = hub.count("select coalesce(max(load_id), 0) from rpt.load_run");
        TestHub.await("a scheduled reporting load after the delivery", WAIT, () ->
                hub.count("select count(*) from rpt.load_run where status = 'succeeded' and trigger = 'schedule' "
                        + "and load_id > " + after) > 0);
        List<Map<String, Object>> report = hub.rows("""
                select district_code, credential_code, earned from rpt.earned_by_district_credential
                order by district_code, credential_code""");
        // district 910: students 1 and 2 (retake) earned NC-745D94; district 920: student 3 earned NC-F07385;
        // the unmatched row and the failed attempt count for nobody.
        assertEquals(2, report.size(), report.toString());
        assertEquals(Map.of("district_code", "910", "credential_code", "NC-745D94", "earned", 2), report.get(0));
        assertEquals(Map.of("district_code", "920", "credential_code", "NC-F07385", "earned", 1), report.get(1));
    }

    @Test
    @Order(3)
    void sameContentUnderAnotherNameIsSkipped() throws Exception {
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            sftp.put("inbox/certexam_results_20250319.csv", file);
        }
        TestHub.await("the re-sent file to be recorded", WAIT, () ->
                hub.count("select count(*) from delivery where status = 'duplicate'") == 1);
        Map<String, Object> dup = hub.rows("select * from delivery where status = 'duplicate'").get(0);
        assertEquals("certexam_results_20250319.csv", dup.get("source_name"));
        assertNotNull(dup.get("duplicate_of"));
        assertEquals(5, hub.count("select count(*) from result"));
        assertEquals(5, hub.count("select count(*) from result_lineage"));
        assertEquals(1, hub.count("select count(*) from delivery where status <> 'duplicate'"));
    }

    @Test
    @Order(4)
    void vendorReadsAcknowledgementsFromItsOutbox() throws Exception {
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            TestHub.await("both acknowledgements", WAIT, () -> sftp.list("outbox").size() == 2);
            String ack = new String(sftp.get("outbox/certexam_results_20250318.csv.ack.json"), StandardCharsets.UTF_8);
            assertTrue(ack.contains("\"status\" : \"accepted with rejections\""), ack);
            assertTrue(ack.contains("\"row\" : 4"), ack);
            assertTrue(ack.contains("\"field\" : \"birthDate\""), ack);
            assertTrue(!ack.contains("Pena") && !ack.contains("1000000001") && !ack.contains("2007-13-45"), ack);
            String dupAck = new String(sftp.get("outbox/certexam_results_20250319.csv.ack.json"), StandardCharsets.UTF_8);
            assertTrue(dupAck.contains("skipped: duplicate"), dupAck);
            // a vendor sees its own folders only
            assertEquals(List.of("inbox", "outbox"), sftp.list(".").stream().sorted().toList());
        }
    }

    @Test
    @Order(5)
    void healthReportsDatabaseSftpAndRoutes() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort + "/api/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        // anonymous callers (load balancers) get the status only; the details are for ops
        assertEquals("{\"status\":\"UP\"}", response.body());
        hub.runtime.services().accounts.create("ops-health", org.credentialhub.accounts.Role.OPS, null, null,
                org.credentialhub.support.Fixtures.PASSWORD, "test");
        String body = org.credentialhub.support.ApiClient.signedIn(hub.httpPort, "ops-health",
                org.credentialhub.support.Fixtures.PASSWORD).get("/api/health").body();
        assertTrue(body.contains("\"status\":\"UP\""), body);
        assertTrue(body.contains("\"database\":{\"status\":\"UP\""), body);
        assertTrue(body.contains("\"sftp\":{\"status\":\"UP\""), body);
        assertTrue(body.contains("{\"id\":\"intake-certexam\",\"status\":\"Started\"}"), body);
        assertTrue(body.contains("{\"id\":\"reporting-load\",\"status\":\"Started\"}"), body);
    }

    @Test
    @Order(6)
    void fileWithHeaderDriftIsQuarantinedWithNothingApplied() throws Exception {
        String drifted = new String(file, StandardCharsets.UTF_8)
                .replace("passFail,", "result,")
                .replace("C1,1000000001", "C9,1000000001");
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            sftp.put("inbox/certexam_results_20250320.csv", drifted.getBytes(StandardCharsets.UTF_8));
            TestHub.await("the quarantine", WAIT, () ->
                    hub.count("select count(*) from delivery where status = 'quarantined'") == 1);
            Map<String, Object> q = hub.rows("select * from delivery where status = 'quarantined'").get(0);
            assertEquals("header drift: missing column(s) passFail; unknown column(s) result", q.get("reason"));
            assertEquals(5, hub.count("select count(*) from result"));
            assertEquals(0, hub.count("select count(*) from result where vendor_candidate_id = 'C9'"));
            TestHub.await("its acknowledgement", WAIT, () -> sftp.list("outbox").size() == 3);
            String ack = new String(sftp.get("outbox/certexam_results_20250320.csv.ack.json"), StandardCharsets.UTF_8);
            assertTrue(ack.contains("\"status\" : \"quarantined\""), ack);
            assertTrue(ack.contains("missing column(s) passFail"), ack);
        }
    }

    /**
     * A sent ID that is a roster student's takes the neighbourhood the roster holds for it, not ten keyed hashes worked
     * out again: student 3's stored neighbourhood is marked (student 2's), and a file with student 3's ID stages the
     * mark.
     */
    @Test
    @Order(7)
    void aSentIdThatIsAStudentsTakesTheNeighbourhoodTheRosterHolds() throws Exception {
        var hmac = hub.runtime.services().hmac;
        String own = hmac.stateIdNear("1000000003");
        String marked = hmac.stateIdNear("1000000002");
        // (an update of student bumps the roster's version: the index is built again for the next file)
        assertEquals(1, hub.execute("update student set state_id_near = '" + marked + "' where state_id_hash = '"
                + hmac.stateId("1000000003") + "'"));
        try {
            String next = new String(file, StandardCharsets.UTF_8).lines().limit(1).findFirst().orElseThrow() + "\r\n"
                    + "C3,1000000003,Cara,Lopez,,2007-11-23,Excel,CE-420CC,F1,2025-04-09T10:00:00-04:00,Pass,880,700,44,50,88,TC2,Pine Ridge High\r\n";
            try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
                sftp.put("inbox/certexam_results_20250409.csv", next.getBytes(StandardCharsets.UTF_8));
            }
            TestHub.await("the file to be processed", WAIT, () -> hub.count("select count(*) from delivery where "
                    + "source_name = 'certexam_results_20250409.csv' and status = 'accepted'") == 1);
            Map<String, Object> r = hub.rows("""
                    select r.state_id_near, r.match_decision
                    from result r join result_lineage l using (result_id) join delivery d on d.delivery_id = l.delivery_id
                    where d.source_name = 'certexam_results_20250409.csv'""").get(0);
            assertEquals("match", r.get("match_decision"));
            assertEquals(marked, r.get("state_id_near"));
        } finally {
            hub.execute("update student set state_id_near = '" + own + "' where state_id_hash = '"
                    + hmac.stateId("1000000003") + "'");
        }
    }

    /**
     * A feed's files are staged one after the other, in the order of their names, and what is left of one after
     * staging (the checks after matching, the exception queue, the acknowledgement) is finished while the next one is
     * staged. Here the feed's part of the exception queue is held (its lock, as a long refresh of it holds it): the
     * first file waits there, and the second is staged all the same; a correction in the second of the first's
     * attempt is the attempt's last version. One after the other, the second file waited for the first's finishing.
     */
    @Test
    @Order(8)
    void aFeedsNextFileIsStagedWhileTheFileBeforeItIsFinished() throws Exception {
        String header = new String(file, StandardCharsets.UTF_8).lines().limit(1).findFirst().orElseThrow() + "\r\n";
        String first = header
                + "C6,1000000001,Ana,Pena,,2007-05-01,Illustrator,CE-93D7E,F1,2025-04-20T10:00:00-04:00,Pass,720,700,36,50,72,TC1,Riverside High\r\n";
        String second = header
                // the same attempt, its score corrected
                + "C6,1000000001,Ana,Pena,,2007-05-01,Illustrator,CE-93D7E,F1,2025-04-20T10:00:00-04:00,Pass,790,700,40,50,80,TC1,Riverside High\r\n"
                + "C7,1000000002,Ben,Okafor,,2008-01-09,Illustrator,CE-93D7E,F1,2025-04-21T10:00:00-04:00,Pass,800,700,40,50,80,TC1,Riverside High\r\n";
        String firstName = "certexam_results_20250420.csv";
        String secondName = "certexam_results_20250421.csv";
        try (java.sql.Connection lock = hub.db().getConnection()) {
            lock.setAutoCommit(false);
            try (java.sql.Statement st = lock.createStatement()) {
                st.execute("select pg_advisory_xact_lock(" + org.credentialhub.exceptions.ExceptionQueue.FEED_LOCK_CLASS
                        + ", hashtext('certexam'))");
            }
            try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
                sftp.put("inbox/" + firstName, first.getBytes(StandardCharsets.UTF_8));
                sftp.put("inbox/" + secondName, second.getBytes(StandardCharsets.UTF_8));
            }
            TestHub.await("the second file staged while the first waits to be finished", WAIT, () -> hub.count(
                    "select count(*) from delivery where source_name = '" + secondName + "' and status = 'accepted'") == 1);
            assertEquals(0, hub.count("select count(*) from delivery where source_name in ('" + firstName + "', '"
                    + secondName + "') and acknowledged_at is not null"));
            lock.rollback();
        }
        TestHub.await("both files acknowledged", WAIT, () -> hub.count("select count(*) from delivery where source_name in ('"
                + firstName + "', '" + secondName + "') and acknowledged_at is not null") == 2);
        List<Map<String, Object>> d = hub.rows("select source_name from delivery where source_name in ('" + firstName
                + "', '" + secondName + "') order by delivery_id");
        assertEquals(List.of(firstName, secondName), d.stream().map(r -> r.get("source_name")).toList());
        Map<String, Object> corrected = hub.rows("""
                select r.score, r.version, d.source_name from result r join delivery d using (delivery_id)
                where r.vendor_candidate_id = 'C6'""").get(0);
        assertEquals(0, new java.math.BigDecimal("790").compareTo((java.math.BigDecimal) corrected.get("score")), corrected.toString());
        assertEquals(secondName, corrected.get("source_name"));
        assertEquals(2, hub.count("select count(*) from result_lineage l join result r using (result_id) "
                + "where r.vendor_candidate_id = 'C6'"));
    }

    /**
     * A result of a key that another transaction publishes while a file with the same key is staged: publishing inserts
     * the results of the keys the versions' look-up found new without {@code on conflict} (session 34), so the file's
     * insert waits for that transaction and then meets the key. It is staged again (a fault to wait out, not bad data)
     * and its row then updates the result: the file is accepted, not quarantined, and the key has one result, the
     * file's.
     */
    @Test
    void aKeyPublishedByAnotherTransactionWhileTheFileIsStagedIsUpdatedByTheFile() throws Exception {
        String header = new String(file, StandardCharsets.UTF_8).lines().limit(1).findFirst().orElseThrow() + "\r\n";
        String name = "certexam_results_20250422.csv";
        String key = "C8|CE-93D7E|2025-04-22T10:00:00-04:00";
        try (java.sql.Connection other = hub.db().getConnection()) {
            other.setAutoCommit(false);
            try (java.sql.Statement st = other.createStatement()) {
                st.execute("""
                        with d as (insert into delivery (feed_code, source_name, content_sha256, status)
                                   values ('certexam', 'other-writer.csv', 'other-writer', 'accepted') returning delivery_id)
                        insert into result (feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                            attempted_on, passed)
                        select 'certexam', '%s', delivery_id, 1, 'CE-93D7E', '2024-2025', date '2025-04-22', false from d"""
                        .formatted(key));
            }
            try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
                sftp.put("inbox/" + name, (header + "C8,1000000003,Cara,Diaz,,2007-11-30,Illustrator,CE-93D7E,F1,"
                        + "2025-04-22T10:00:00-04:00,Pass,760,700,38,50,76,TC1,Riverside High\r\n").getBytes(StandardCharsets.UTF_8));
            }
            TestHub.await("the file's results waiting for the other transaction's key", WAIT, () -> hub.count("""
                    select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into result%'""") > 0);
            other.commit();
        }
        TestHub.await("the file acknowledged", WAIT, () -> hub.count("select count(*) from delivery where source_name = '"
                + name + "' and acknowledged_at is not null") == 1);
        assertEquals("accepted", hub.rows("select status from delivery where source_name = '" + name + "'").get(0).get("status"));
        List<Map<String, Object>> results = hub.rows("select d.source_name, r.passed from result r join delivery d"
                + " using (delivery_id) where r.feed_code = 'certexam' and r.attempt_key = '" + key + "'");
        assertEquals(1, results.size(), results.toString());
        assertEquals(name, results.get(0).get("source_name"));
        assertEquals(Boolean.TRUE, results.get(0).get("passed"));
    }

    /**
     * A feed's intake polls again at once after a poll that took files (Camel's greedy consumer): files that came while
     * a backlog was taken are not left for the poll delay (the NC year's last feed, 274 workbooks dropped while the
     * first were taken, waited a delay at several polls; docs/performance.md, session 62). An idle inbox is polled at
     * the delay.
     */
    @Test
    void aFeedsIntakePollsAgainAtOnceAfterTakingFiles() {
        org.apache.camel.Route route = hub.runtime.camel().getRoute("intake-certexam");
        org.apache.camel.support.ScheduledPollConsumer consumer =
                (org.apache.camel.support.ScheduledPollConsumer) route.getConsumer();
        assertTrue(consumer.isGreedy(), "the intake's consumer is greedy");
        assertEquals(1000, consumer.getDelay(), "and polls an idle inbox at the delay");
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command.get(0));
        assertEquals(0, p.exitValue(), command.get(0) + " failed: " + out);
    }

    /**
     * The hub's own uploads to a drop box on this machine agree on curve25519 (a post-quantum exchange buys nothing on
     * the loopback and cost 10-20 times the CPU a connection); a client that asks for sntrup761x25519, as OpenSSH's
     * does, still gets it from the drop box.
     */
    @Test
    void ownUploadsOnThisMachineUseCurve25519AndVendorsStillGetAPostQuantumExchange() throws Exception {
        try (org.credentialhub.dropbox.SftpUpload up = new org.credentialhub.dropbox.SftpUpload("127.0.0.1", hub.sftpPort(),
                "certexam", TestHub.CERTEXAM_PASSWORD)) {
            assertEquals("curve25519-sha256", up.keyExchange());
        }
        org.apache.sshd.client.SshClient vendor = org.apache.sshd.client.SshClient.setUpDefaultClient();
        vendor.setServerKeyVerifier((session, address, key) -> true);
        vendor.start();
        try (org.apache.sshd.client.session.ClientSession session = vendor.connect("certexam", "127.0.0.1", hub.sftpPort())
                .verify(Duration.ofSeconds(15)).getSession()) {
            session.addPasswordIdentity(TestHub.CERTEXAM_PASSWORD);
            session.auth().verify(Duration.ofSeconds(15));
            assertTrue(session.getNegotiatedKexParameter(org.apache.sshd.common.kex.KexProposalOption.ALGORITHMS)
                    .startsWith("sntrup761x25519"));
        } finally {
            vendor.stop();
        }
    }
}
