package org.credentialhub.intake;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL stopped and started again while files arrive: health says DOWN within a second, the files wait
 * (nothing deleted, nothing quarantined), and once the database is back each is taken exactly once.
 */
class DatabaseOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static EmbeddedPostgres postgres(Path dir, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port).start();
    }

    private static String file(String prefix, int rows) {
        StringBuilder b = new StringBuilder("candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,"
                + "examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n");
        for (int i = 1; i <= rows; i++) {
            b.append(prefix).append(i).append(",,Ana,Pena,,2007-05-01,Excel,CE-420CC,F1,2025-03-14T09:")
                    .append(String.format("%02d", i)).append(":00-04:00,Pass,812,700,40,50,81,TC1,Riverside High\r\n");
        }
        return b.toString();
    }

    @Test
    void filesThatArriveWhileTheDatabaseIsDownAreTakenOnceWhenItIsBack(@TempDir Path pgDir) throws Exception {
        int port = TestHub.freePort();
        EmbeddedPostgres pg = postgres(pgDir, port);
        try (TestHub hub = TestHub.start(Map.of("hub.db.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "hub.db.user", "postgres", "hub.db.password", "postgres",
                "hub.intake.fault.first-delay-ms", "200", "hub.intake.fault.max-delay-ms", "2000"))) {
            try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
                sftp.put("inbox/certexam_results_20250801.csv", file("A", 3).getBytes(StandardCharsets.UTF_8));
                TestHub.await("the first file", WAIT, () -> hub.count("select count(*) from delivery where acknowledged_at is not null") == 1);

                HttpClient http = HttpClient.newHttpClient();
                HttpRequest healthRequest = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort + "/api/health"))
                        .timeout(Duration.ofSeconds(5)).build();
                assertEquals(200, http.send(healthRequest, HttpResponse.BodyHandlers.ofString()).statusCode());
                pg.close();
                long t0 = System.nanoTime();
                HttpResponse<String> health = http.send(healthRequest, HttpResponse.BodyHandlers.ofString());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(503, health.statusCode(), health.body());
                assertTrue(health.body().contains("\"status\":\"DOWN\""), health.body());
                assertTrue(ms < 2000, "health took " + ms + " ms");

                sftp.put("inbox/certexam_results_20250802.csv", file("B", 4).getBytes(StandardCharsets.UTF_8));
                sftp.put("inbox/certexam_results_20250803.csv", file("C", 5).getBytes(StandardCharsets.UTF_8));
                Thread.sleep(4000);
                pg = postgres(pgDir, port);

                TestHub.await("the files sent during the outage", WAIT, () ->
                        hub.count("select count(*) from delivery where acknowledged_at is not null") == 3);
                assertEquals(3, hub.count("select count(*) from delivery"));
                assertEquals(0, hub.count("select count(*) from delivery where status not in ('accepted')"));
                assertEquals(3 + 4 + 5, hub.count("select count(*) from result"));
                TestHub.await("the acknowledgements", WAIT, () -> sftp.list("outbox").size() == 3);
            }
        } finally {
            pg.close();
        }
    }
}
