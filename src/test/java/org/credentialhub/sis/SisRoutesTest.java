package org.credentialhub.sis;

import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIS intake routes in a whole hub: a zip uploaded to the sis account's inbox is imported and its
 * verdict appears in the outbox; a refused fixture bundle dropped into hub.sis.folder is recorded with
 * its problems; the catalogs of every state folder are loaded at start-up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SisRoutesTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private TestHub hub;
    private Path work;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("sis-routes");
        Files.createDirectories(work.resolve("folder"));
        hub = TestHub.start(Map.of("hub.sftp.password.sis", "test-sis-password",
                "hub.sis.folder", work.resolve("folder").toString(), "hub.sis.folder-poll", "1s"));
    }

    @AfterAll
    void stop() throws Exception {
        Fixtures.closeAll(hub);
        Fixtures.deleteTree(work);
    }

    @Test
    void zipOverSftpAndZipInFolder() throws Exception {
        assertTrue(hub.count("select count(*) from catalog_year where state in ('nc', 'ms')") >= 2);

        Path bundle = work.resolve("bundle");
        SyntheticBundle.write(bundle, 40, 2, 1);
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "sis", "test-sis-password")) {
            sftp.put("inbox/roster-2024-09-01.zip", Fixtures.zip(bundle));
            TestHub.await("the SIS bundle's verdict in the outbox", WAIT,
                    () -> sftp.list("outbox").contains("roster-2024-09-01.zip.ack.json"));
            String ack = new String(sftp.get("outbox/roster-2024-09-01.zip.ack.json"), StandardCharsets.UTF_8);
            assertTrue(ack.contains("\"status\" : \"accepted\""), ack);
        }
        assertEquals(80, hub.count("select count(*) from student_course_enrollment"));
        assertEquals(1, hub.count("select count(*) from delivery where feed_code = 'sis' and status = 'accepted'"));

        Path negative = OneRosterFixturesTest.FIXTURES.resolve("moodle_v1p2_full_dataset_NEGATIVE");
        Path tmp = work.resolve("negative.zip.part");
        Files.write(tmp, Fixtures.zip(negative));
        Files.move(tmp, work.resolve("folder/negative.zip"));
        TestHub.await("the folder bundle to be refused", WAIT,
                () -> hub.count("select count(*) from delivery where source_name = 'negative.zip' and status = 'quarantined'") == 1);
        assertTrue(hub.count("""
                select count(*) from delivery_problem p join delivery d using (delivery_id)
                where d.source_name = 'negative.zip' and p.field = 'users.csv:prefferedGivenName' and p.severity = 'error'""") == 1);
        assertEquals(80, hub.count("select count(*) from student_course_enrollment"));
        TestHub.await("the verdict file", WAIT,
                () -> Files.exists(hub.dataDir.resolve("sis/verdicts/negative.zip.ack.json")));
    }

}
