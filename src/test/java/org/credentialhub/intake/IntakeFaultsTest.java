package org.credentialhub.intake;

import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.store.Deliveries;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What issue 11 saw go wrong with files over SFTP, each driven through a whole hub (real PostgreSQL, real
 * SFTP): a poison row never stalls its file; a file sent again under the same name while the first is still
 * being processed is a delivery of its own; files a stopped node left half-way are resumed; duplicates are
 * per feed; acknowledgements are never replaced.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntakeFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TRADESREG_PASSWORD = "test-tradesreg-password";
    private static final String HEADER = "candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,"
            + "examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n";

    private TestHub hub;

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(Map.of("hub.sftp.password.tradesreg", TRADESREG_PASSWORD,
                "hub.intake.recovery-period-ms", "1000", "hub.intake.recovery-delay-ms", "500",
                "hub.intake.retake-poll", "1s", "hub.intake.unmatched-poll", "1s", "hub.intake.unmatched-min-age", "2s"));
    }

    @AfterAll
    void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
    }

    /** A certexam file of {@code rows} good rows for candidates {@code prefix}1.., with {@code bad} put in at row {@code badRow}. */
    private static String certexam(String prefix, int rows, int badRow, String bad) {
        StringBuilder b = new StringBuilder(HEADER);
        for (int i = 1; i <= rows; i++) {
            if (i + 1 == badRow) {
                b.append(bad).append("\r\n");
            }
            b.append(prefix).append(i).append(",,Ana,Pena,,2007-05-01,Excel,CE-420CC,F1,2025-03-14T09:")
                    .append(String.format("%02d", i)).append(":00-04:00,Pass,812,700,40,50,81,TC1,Riverside High\r\n");
        }
        return b.toString();
    }

    private void put(String account, String password, String name, String content) throws Exception {
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), account, password)) {
            sftp.put("inbox/" + name, content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private long acknowledged(String name) throws Exception {
        return hub.count("select count(*) from delivery where source_name = '" + name + "' and acknowledged_at is not null");
    }

    private Path inbox(String account) {
        return hub.dataDir.resolve("dropbox").resolve(account).resolve("inbox");
    }

    private long files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void poisonRowsAreRejectedAndTheGoodRowsAroundThemLoadOnce() throws Exception {
        String nul = "P0,,Ana,Pe\u0000na,,2007-05-01,Excel,CE-420CC,F1,2025-03-14T08:00:00-04:00,Pass,812,700,40,50,81,TC1,Riverside High";
        String huge = "Q0,,Ana,Pena,,2007-05-01,Excel,CE-420CC,F1,2025-03-14T08:00:00-04:00,Pass,1e200000,700,40,50,81,TC1,Riverside High";
        put("certexam", TestHub.CERTEXAM_PASSWORD, "certexam_results_20250401.csv", certexam("P", 9, 5, nul));
        put("certexam", TestHub.CERTEXAM_PASSWORD, "certexam_results_20250402.csv", certexam("Q", 9, 3, huge));
        TestHub.await("both files acknowledged", WAIT, () -> acknowledged("certexam_results_20250401.csv") == 1
                && acknowledged("certexam_results_20250402.csv") == 1);
        for (String[] f : new String[][]{{"certexam_results_20250401.csv", "5", "lastName", "P"},
                {"certexam_results_20250402.csv", "3", "reportedScore", "Q"}}) {
            Map<String, Object> d = hub.rows("select * from delivery where source_name = '" + f[0] + "'").get(0);
            assertEquals("accepted_with_rejections", d.get("status"), d.toString());
            assertEquals(9, d.get("rows_accepted"));
            assertEquals(1, d.get("rows_rejected"));
            List<Map<String, Object>> rejections = hub.rows("select row_number, field, reason from delivery_rejection "
                    + "where delivery_id = " + d.get("delivery_id"));
            assertEquals(1, rejections.size(), rejections.toString());
            assertEquals(Integer.parseInt(f[1]), rejections.get(0).get("row_number"));
            assertEquals(f[2], rejections.get(0).get("field"));
            String reason = rejections.get(0).get("reason").toString();
            assertFalse(reason.contains("Pe") || reason.contains("1e200000"), reason);
            assertEquals(9, hub.count("select count(*) from result where vendor_candidate_id like '" + f[3] + "%'"));
        }
        // nothing is tried again: no more deliveries, nothing left in the inbox or the pickup folder
        Thread.sleep(3000);
        assertEquals(2, hub.count("select count(*) from delivery where source_name in "
                + "('certexam_results_20250401.csv', 'certexam_results_20250402.csv')"));
        assertEquals(0, files(inbox("certexam")));
    }

    /**
     * The database ends the staging connection while a file's rows stream into its COPY, the rows after them read
     * ahead on a thread of their own ({@link ReadAhead}): the file is staged again once the fault is waited out, its
     * rows exactly once, and no reading thread is left behind.
     */
    @Test
    void aFileWhoseCopyLosesItsConnectionIsStagedOnceAfterwards() throws Exception {
        int rows = 100_000;
        StringBuilder b = new StringBuilder(HEADER);
        for (int i = 1; i <= rows; i++) {
            b.append('K').append(i).append(",,Ana,Pena,,2007-05-01,Excel,CE-420CC,F1,2025-03-14T09:00:00-04:00,Pass,812,")
                    .append("700,40,50,81,TC1,Riverside High\r\n");
        }
        String name = "certexam_results_20250901.csv";
        put("certexam", TestHub.CERTEXAM_PASSWORD, name, b.toString());
        String copying = "from pg_stat_activity where state = 'active' and query like 'COPY stage_result%'";
        TestHub.await("the file's COPY", WAIT, () -> hub.count("select count(*) " + copying) == 1);
        assertEquals(1, hub.count("select count(*) from (select pg_terminate_backend(pid) " + copying + ") t"));
        TestHub.await("the file staged after all", WAIT, () -> acknowledged(name) == 1);
        assertEquals(1, hub.count("select count(*) from delivery where source_name = '" + name + "'"));
        assertEquals(rows, hub.count("""
                select count(*) from result r join delivery d using (delivery_id)
                where d.source_name = '%s' and d.status = 'accepted'""".formatted(name)));
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("intake-read-ahead")), "a reading thread was left");
    }

    @Test
    void aFileSentAgainUnderTheSameNameWhileTheFirstIsProcessedIsADeliveryOfItsOwn() throws Exception {
        String name = "certexam_results_20250501.csv";
        String shortCopy = certexam("S", 3, 0, null);
        String full = certexam("S", 8, 0, null);
        try (Connection lock = hub.db().getConnection(); Statement st = lock.createStatement()) {
            // recording a certexam delivery waits on this lock: the short copy is taken out of the inbox and in
            // the hub's hands, but not yet recorded
            st.execute("select pg_advisory_lock(hashtext('delivery:certexam'))");
            put("certexam", TestHub.CERTEXAM_PASSWORD, name, shortCopy);
            Path taken = inbox("certexam").resolve(".taken");
            TestHub.await("the short copy to be taken", WAIT, () -> files(taken) == 1 && !Files.exists(inbox("certexam").resolve(name)));
            put("certexam", TestHub.CERTEXAM_PASSWORD, name, full);
            Thread.sleep(1500);
            st.execute("select pg_advisory_unlock(hashtext('delivery:certexam'))");
        }
        TestHub.await("both copies acknowledged", WAIT, () -> acknowledged(name) == 2);
        assertEquals(8, hub.count("select count(*) from result where vendor_candidate_id like 'S%'"));
        List<Map<String, Object>> ds = hub.rows("select delivery_id, rows_accepted from delivery where source_name = '"
                + name + "' order by delivery_id");
        assertEquals(List.of(3, 8), ds.stream().map(d -> d.get("rows_accepted")).toList());
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            List<String> outbox = sftp.list("outbox");
            assertTrue(outbox.contains(name + ".ack.json"), outbox.toString());
            assertTrue(outbox.contains(name + "." + ds.get(1).get("delivery_id") + ".ack.json"), outbox.toString());
            String first = new String(sftp.get("outbox/" + name + ".ack.json"), StandardCharsets.UTF_8);
            assertTrue(first.contains("\"rows_accepted\" : 3"), first);
        }
    }

    @Test
    void filesAStoppedNodeLeftHalfWayAreResumedOnce() throws Exception {
        // (1) taken from the inbox, then the node died before it recorded anything
        Path taken = inbox("certexam").resolve(".taken");
        Files.createDirectories(taken);
        Files.writeString(taken.resolve("deadbeef_ID-1~certexam_results_20250601.csv"), certexam("T", 4, 0, null));
        // (2) taken and recorded as received, then the node died before it staged it
        byte[] halfway = certexam("U", 5, 0, null).getBytes(StandardCharsets.UTF_8);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(halfway));
        Path archive = hub.dataDir.resolve("archive/certexam");
        Files.createDirectories(archive);
        Files.write(archive.resolve(sha), halfway);
        Deliveries.receive(hub.db(), "certexam", "certexam_results_20250602.csv", sha, halfway.length, "deadbeef_ID-2");
        Files.write(taken.resolve("deadbeef_ID-2~certexam_results_20250602.csv"), halfway);
        // (3) recorded, staged and matched, then the node died before the acknowledgement
        byte[] staged = certexam("V", 2, 0, null).getBytes(StandardCharsets.UTF_8);
        String sha3 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(staged));
        Path file3 = archive.resolve(sha3);
        Files.write(file3, staged);
        long d3 = Deliveries.receive(hub.db(), "certexam", "certexam_results_20250603.csv", sha3, staged.length, "deadbeef_ID-3").id();
        try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
            // what the route did before the crash: a lease of the dead node that has run out
            st.execute("update delivery set claimed_by = 'dead-node', claimed_until = now() - interval '1 second' "
                    + "where delivery_id = " + d3);
        }
        TestHub.await("the three deliveries acknowledged", WAIT, () -> acknowledged("certexam_results_20250601.csv") == 1
                && acknowledged("certexam_results_20250602.csv") == 1 && acknowledged("certexam_results_20250603.csv") == 1);
        TestHub.await("the pickup folder emptied", WAIT, () -> files(taken) == 0);
        assertEquals(1, hub.count("select count(*) from delivery where source_name = 'certexam_results_20250601.csv'"));
        assertEquals(1, hub.count("select count(*) from delivery where source_name = 'certexam_results_20250602.csv'"));
        assertEquals(4, hub.count("select count(*) from result where vendor_candidate_id like 'T%'"));
        assertEquals(5, hub.count("select count(*) from result where vendor_candidate_id like 'U%'"));
        assertEquals(2, hub.count("select count(*) from result where vendor_candidate_id like 'V%'"));
        assertEquals(0, hub.count("select count(*) from result r join delivery d using (delivery_id) "
                + "where d.source_name like 'certexam_results_2025060%' and r.match_decision is null"));
    }

    /**
     * A file staged, its taken copy deleted, then the node died before the delivery was finished (routes/delivery.yaml:
     * a file's finishing runs after its taken copy is gone): what the database holds then is the staged delivery with
     * the dead node's lease, no match rates, no acknowledgement. Recovery finishes it once, from that state.
     */
    @Test
    void aDeliveryStagedWhoseNodeDiedBeforeItWasFinishedIsFinishedOnce() throws Exception {
        String name = "certexam_results_20250611.csv";
        put("certexam", TestHub.CERTEXAM_PASSWORD, name, certexam("W", 3, 0, null));
        TestHub.await("the delivery acknowledged", WAIT, () -> acknowledged(name) == 1);
        long id = hub.count("select delivery_id from delivery where source_name = '" + name + "'");
        Path ack = hub.dataDir.resolve("dropbox/certexam/outbox/" + name + ".ack.json");
        assertTrue(Files.exists(ack));
        // back to what a kill -9 right after staging leaves
        Files.delete(ack);
        hub.execute("delete from delivery_match_rate where delivery_id = " + id);
        hub.execute("update delivery set acknowledged_at = null, processed_at = null, claimed_by = 'dead-node', "
                + "claimed_until = now() - interval '1 second' where delivery_id = " + id);
        TestHub.await("the delivery finished again", WAIT, () -> acknowledged(name) == 1 && Files.exists(ack));
        assertEquals(1, hub.count("select count(*) from delivery_match_rate where delivery_id = " + id
                + " and district_code = ''"));
        assertEquals(1, hub.count("select count(*) from delivery where delivery_id = " + id + " and processed_at is not null"));
        assertEquals(3, hub.count("select count(*) from result where vendor_candidate_id like 'W%'"));
        assertEquals(1, hub.count("select count(*) from delivery where source_name = '" + name + "'"));
    }

    @Test
    void duplicatesArePerFeedAndEveryDeliveryKeepsItsOwnAcknowledgement() throws Exception {
        String content = certexam("W", 2, 0, null);
        String name = "certexam_results_20250701.csv";
        put("certexam", TestHub.CERTEXAM_PASSWORD, name, content);
        TestHub.await("the first copy acknowledged", WAIT, () -> acknowledged(name) == 1);
        put("certexam", TestHub.CERTEXAM_PASSWORD, name, content);
        TestHub.await("the second copy acknowledged", WAIT, () -> acknowledged(name) == 2);
        Map<String, Object> dup = hub.rows("select * from delivery where source_name = '" + name + "' and status = 'duplicate'").get(0);
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            String first = new String(sftp.get("outbox/" + name + ".ack.json"), StandardCharsets.UTF_8);
            assertTrue(first.contains("\"status\" : \"accepted\""), first);
            String second = new String(sftp.get("outbox/" + name + "." + dup.get("delivery_id") + ".ack.json"), StandardCharsets.UTF_8);
            assertTrue(second.contains("skipped: duplicate") && second.contains("\"duplicate_of\""), second);
        }
        // the same bytes at another vendor are that vendor's file, never "the same as" another vendor's
        String tsv = "tradesreg_modules_2025-07-01.tsv";
        put("tradesreg", TRADESREG_PASSWORD, tsv, content);
        TestHub.await("the tradesreg file acknowledged", WAIT, () -> acknowledged(tsv) == 1);
        Map<String, Object> other = hub.rows("select * from delivery where source_name = '" + tsv + "'").get(0);
        assertNotEquals("duplicate", other.get("status"));
        assertFalse(String.valueOf(other.get("reason")).contains(name), String.valueOf(other.get("reason")));
    }

    @Test
    void aFileWhoseNameMatchesNoneOfTheFeedsNamesIsAcknowledgedNotLeftInTheInbox() throws Exception {
        put("certexam", TestHub.CERTEXAM_PASSWORD, "results-march.csv", certexam("X", 2, 0, null));
        TestHub.await("the file acknowledged", WAIT, () -> acknowledged("results-march.csv") == 1);
        Map<String, Object> d = hub.rows("select * from delivery where source_name = 'results-march.csv'").get(0);
        assertEquals("quarantined", d.get("status"));
        assertTrue(d.get("reason").toString().contains("does not match the names this feed takes"), d.toString());
        assertEquals(0, hub.count("select count(*) from result where vendor_candidate_id like 'X%'"));
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            String ack = new String(sftp.get("outbox/results-march.csv.ack.json"), StandardCharsets.UTF_8);
            assertTrue(ack.contains("\"status\" : \"quarantined\"") && ack.contains("certexam_results_"), ack);
        }
        TestHub.await("the inbox emptied", WAIT, () -> files(inbox("certexam")) == 0);
    }
}
