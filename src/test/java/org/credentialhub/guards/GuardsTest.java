package org.credentialhub.guards;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Role;
import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.exceptions.Decisions;
import org.credentialhub.sis.SyntheticBundle;
import org.credentialhub.support.ApiClient;
import org.credentialhub.support.Browser;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operational guards in a whole hub (docs/guards.md), each through the way operations and vendors meet it:
 * a SIS bulk held over SFTP and approved in the console API; a vendor delivery at half its feed's usual match
 * rate raising an alarm and held; a district decision sent back to its vendor as one correction line; a late
 * feed sending one alert to a real local SMTP server (GreenMail).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SIS_PASSWORD = "test-sis-password";
    private TestHub hub;
    private GreenMail smtp;
    /** A real HTTP server on loopback that takes the webhook's POSTs. */
    private com.sun.net.httpserver.HttpServer webhook;
    private final List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
    private ApiClient ops;
    private Path work;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("guards");
        int smtpPort = TestHub.freePort();
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        webhook = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/alarms", exchange -> {
            posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
        Map<String, String> props = new HashMap<>();
        props.put("hub.sftp.password.sis", SIS_PASSWORD);
        props.put("hub.guards.mail.enabled", "true");
        props.put("hub.guards.mail.host", "127.0.0.1");
        props.put("hub.guards.mail.port", String.valueOf(smtpPort));
        props.put("hub.guards.mail.to", "ops@example.test");
        props.put("hub.guards.webhook.url", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alarms");
        props.put("hub.guards.check-period-ms", "1000");
        props.put("hub.guards.check-delay-ms", "1000");
        props.put("hub.guards.corrections.period-ms", "1000");
        props.put("hub.guards.corrections.certexam", "true");
        props.put("hub.guards.match-rate.min-results", "4");
        props.put("hub.guards.match-rate.hold.certexam", "true");
        hub = TestHub.start(props);
        Fixtures.twoDistricts(hub);
        ops = ApiClient.signedIn(hub.httpPort, "ops1", Fixtures.PASSWORD);
    }

    @AfterAll
    void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
        if (webhook != null) {
            webhook.stop(0);
        }
        try (Stream<Path> walk = Files.walk(work)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void sisBulkRemovingThirtyPercentIsHeldOverSftpUntilApprovedInTheConsole() throws Exception {
        Path first = work.resolve("first");
        SyntheticBundle.write(first, 50, 2, 3);
        Path second = work.resolve("second");
        SyntheticBundle.write(second, 50, 2, 3);
        Path users = second.resolve("users.csv");
        Pattern removed = Pattern.compile("^usr-([0-9]|1[0-4]),.*");   // 15 of the 50 students: 30 %
        Files.writeString(users, Files.readAllLines(users).stream().filter(l -> !removed.matcher(l).matches())
                .collect(Collectors.joining("\n", "", "\n")));
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "sis", SIS_PASSWORD)) {
            sftp.put("inbox/roster-1.zip", Fixtures.zip(first));
            TestHub.await("the first bundle's verdict", WAIT, () -> sftp.list("outbox").contains("roster-1.zip.ack.json"));
            long students = hub.count("select count(*) from sis_user where role = 'student'");
            long enrolled = hub.count("select count(*) from student_course_enrollment");
            assertEquals(50, students);

            sftp.put("inbox/roster-2.zip", Fixtures.zip(second));
            TestHub.await("the held bundle's acknowledgement", WAIT, () -> sftp.list("outbox").contains("roster-2.zip.ack.json"));
            String ack = new String(sftp.get("outbox/roster-2.zip.ack.json"), StandardCharsets.UTF_8);
            assertTrue(ack.contains("\"status\" : \"held for approval\"") && ack.contains("30.0 % of the source's students"), ack);
            assertEquals(students, hub.count("select count(*) from sis_user where role = 'student'"), "nothing applied");
            assertEquals(enrolled, hub.count("select count(*) from student_course_enrollment"));

            JsonNode holds = ops.get("/api/sis/holds").json().get("holds");
            assertEquals(1, holds.size(), holds::toString);
            long id = holds.get(0).get("delivery").asLong();
            assertEquals(15, holds.get(0).get("impact").get("kinds").get("students").get("removed").asInt());
            assertEquals("DEGRADED", ops.get("/api/health").json().get("status").asText());
            assertTrue(new ApiClient(hub.httpPort).get("/api/sis/holds").status() >= 400, "ops only");

            ApiClient.Response r = ops.post("/api/sis/holds/" + id + "/approve", "{}");
            assertEquals(200, r.status(), r.body());
            assertEquals("accepted", r.json().get("outcomes").get(String.valueOf(id)).asText());
            assertEquals(35, hub.count("select count(*) from sis_user where role = 'student'"));
            TestHub.await("the outcome in the outbox", WAIT, () -> sftp.list("outbox").contains("roster-2.zip.outcome.ack.json"));
            String outcome = new String(sftp.get("outbox/roster-2.zip.outcome.ack.json"), StandardCharsets.UTF_8);
            assertTrue(outcome.contains("\"status\" : \"accepted\"") && outcome.contains("\"decision\" : \"approved\""), outcome);
            assertEquals(400, ops.post("/api/sis/holds/" + id + "/reject", "{}").status(), "decided once");
        }
    }

    @Test
    void halfTheFeedsUsualMatchRateRaisesTheAlarmAndHoldsTheDelivery() throws Exception {
        String[][] roster = {{"2000000001", "Maria", "Alvarez", "2007-03-04", "910301"},
                {"2000000002", "Jamal", "Brooks", "2008-06-07", "910301"},
                {"2000000003", "Lena", "Chen", "2007-09-10", "920301"},
                {"2000000004", "Omar", "Dawson", "2008-01-02", "920301"}};
        try (SftpUpload up = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            for (int day = 1; day <= 4; day++) {
                StringBuilder file = new StringBuilder("\uFEFFcandidateId,orgCandidateId,firstName,lastName,email,birthDate,"
                        + "examName,examCode,examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,"
                        + "percent,testCenterId,testCenterName\r\n");
                for (int i = 0; i < 4; i++) {
                    String[] s = roster[i];
                    boolean unknown = day == 4 && i >= 2;   // the last delivery: two rows nobody on the roster
                    file.append("R").append(day).append(i).append(',').append(unknown ? "" : s[0]).append(',')
                            .append(unknown ? "Xavi" : s[1]).append(',').append(unknown ? "Nadie" + i : s[2]).append(",,")
                            .append(unknown ? "2004-11-1" + i : s[3]).append(",Premiere,CE-420CC,F1,2025-03-0").append(day)
                            .append("T09:00:00-05:00,Pass,800,700,40,50,80,").append(s[4]).append(",High\r\n");
                }
                String name = "certexam_results_2025030" + day + ".csv";
                up.put("inbox/" + name, file.toString().getBytes(StandardCharsets.UTF_8));
                TestHub.await(name + " matched", WAIT, () -> hub.count("select count(*) from delivery_match_rate m join delivery d "
                        + "using (delivery_id) where d.source_name = '" + name + "' and m.district_code = ''") == 1);
            }
        }
        assertEquals(50, hub.count("""
                select m.rate::int from delivery_match_rate m join delivery d using (delivery_id)
                where d.source_name = 'certexam_results_20250304.csv' and m.district_code = ''"""));
        JsonNode alarms = ops.get("/api/guards/alarms").json().get("alarms");
        List<JsonNode> drops = stream(alarms).filter(a -> a.get("kind").asText().equals("match_rate_drop")).toList();
        assertEquals(1, drops.size(), alarms::toString);
        assertTrue(drops.get(0).get("message").asText().contains("50.0 %"), drops.get(0)::toString);
        assertTrue(drops.get(0).get("holding").asBoolean());
        long delivery = drops.get(0).get("delivery").asLong();
        assertEquals("DEGRADED", ops.get("/api/health").json().get("status").asText());
        assertTrue(ops.get("/api/status").json().get("guards").get("open_alarms").asInt() >= 1);
        statusPageShowsTheAlarm();
        // and in the metrics Prometheus scrapes (refreshed at most every 15 s)
        String metrics = "http://127.0.0.1:" + hub.runtime.camel().getPropertiesComponent()
                .resolveProperty("camel.management.port").orElseThrow() + "/observe/metrics";
        TestHub.await("the alarm in the metrics", WAIT, () -> java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(metrics)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body().lines()
                .anyMatch(l -> l.startsWith("hub_guard_alarms_open{") && l.contains("kind=\"match_rate_drop\"") && l.endsWith(" 1.0")));
        // held: its two rows nobody matched are not queued for the districts ...
        String queued = "select count(*) from result_exception e join result r using (result_id) where r.delivery_id = " + delivery;
        assertEquals(0, hub.count(queued));
        hub.runtime.services().exceptionQueue.refresh();
        assertEquals(0, hub.count(queued), "not by a refresh of the whole queue either");
        // ... until operations release it
        ApiClient.Response r = ops.post("/api/guards/alarms/" + drops.get(0).get("id").asLong() + "/clear", "{}");
        assertEquals(200, r.status(), r.body());
        assertEquals(2, hub.count(queued));
    }

    @Test
    void aDistrictDecisionProducesExactlyOneCorrectionLineForItsVendor() throws Exception {
        long result = hub.count("select result_id from result where vendor_candidate_id = 'K1'");
        hub.runtime.services().decisions.decide(new Account(0, "staff910", Role.DISTRICT_STAFF, "910", null), result,
                Decisions.Action.REJECT, null, null, "not ours");
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            TestHub.await("a corrections file", WAIT, () -> sftp.list("outbox").stream().anyMatch(n -> n.startsWith("corrections-")));
            Thread.sleep(3000);   // three more runs of the corrections schedule: nothing is sent twice
            List<String> files = sftp.list("outbox").stream().filter(n -> n.startsWith("corrections-")).toList();
            assertEquals(1, files.size(), files::toString);
            List<String> lines = new String(sftp.get("outbox/" + files.get(0)), StandardCharsets.UTF_8).lines().toList();
            assertEquals(2, lines.size(), lines::toString);
            assertTrue(lines.get(0).startsWith("candidate_id,file,row,outcome,reason_code"), lines.get(0));
            long row = hub.count("select source_row from result where result_id = " + result);
            assertTrue(lines.get(1).startsWith("K1,certexam_results_20250210.csv," + row + ",rejected," + Corrections.NOT_A_STUDENT),
                    lines.get(1));
            assertTrue(!lines.get(1).contains("Tomas") && !lines.get(1).contains("Nadie") && !lines.get(1).contains("2006"),
                    "only what the vendor sent that identifies its own record");
        }
        JsonNode mine = ApiClient.signedIn(hub.httpPort, "vendor-certexam", Fixtures.PASSWORD).get("/api/corrections").json();
        assertEquals(1, mine.get("corrections").size(), mine::toString);
        assertEquals("K1", mine.get("corrections").get(0).get("candidate_id").asText());
        JsonNode other = ApiClient.signedIn(hub.httpPort, "vendor-other", Fixtures.PASSWORD).get("/api/corrections").json();
        assertEquals(0, other.get("corrections").size(), "another vendor sees none of them");
    }

    @Test
    void aLateFeedSendsOneAlertToTheSmtpServer() throws Exception {
        // tradesreg (weekly) has never delivered and was configured long ago: overdue for its cadence
        try (var c = hub.db().getConnection(); var st = c.createStatement()) {
            st.execute("update feed set updated_at = now() - interval '30 days' where feed_code = 'tradesreg'");
        }
        TestHub.await("the late-feed e-mail", WAIT, () -> lateMails().size() == 1);
        Thread.sleep(3000);   // three more checks: the same lateness is not sent again
        List<MimeMessage> mails = lateMails();
        assertEquals(1, mails.size());
        assertEquals("ops@example.test", mails.get(0).getAllRecipients()[0].toString());
        assertTrue(mails.get(0).getContent().toString().contains("feed tradesreg is late: weekly cadence"),
                mails.get(0).getContent().toString());
        assertEquals(1, hub.count("select count(*) from guard_alarm where kind = 'feed_late' and feed_code = 'tradesreg'"));
        // and the webhook got it once too
        List<String> late = posted.stream().filter(p -> p.contains("\"feed_late\"") && p.contains("\"tradesreg\"")).toList();
        assertEquals(1, late.size(), posted::toString);
        assertTrue(late.get(0).contains("is late: weekly cadence"), late.get(0));
    }

    /** The console's System page lists the open alarm (headless Chromium). */
    private void statusPageShowsTheAlarm() throws Exception {
        org.openqa.selenium.WebDriver driver = org.credentialhub.support.Browser.start();
        try {
            var wait = new org.openqa.selenium.support.ui.WebDriverWait(driver, Duration.ofSeconds(30));
            Browser.signIn(driver, wait, hub.httpPort, "ops1", Fixtures.PASSWORD);
            driver.get("http://127.0.0.1:" + hub.httpPort + "/ui/#/status");
            String status = wait.until(org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated(
                    org.openqa.selenium.By.id("guards-status"))).getText();
            assertTrue(status.matches("\\d+ open alarm\\(s\\), \\d+ SIS bundle\\(s\\) held for approval.*") && !status.startsWith("0 "),
                    status);
            String alarms = driver.findElement(org.openqa.selenium.By.id("alarms-table")).getText();
            assertTrue(alarms.contains("match_rate_drop") && alarms.contains("50.0 %"), alarms);
            assertEquals("DEGRADED", driver.findElement(org.openqa.selenium.By.id("system-status")).getText());
            org.credentialhub.support.Browser.screenshot(driver, "guards-status");
        } finally {
            driver.quit();
        }
    }

    private List<MimeMessage> lateMails() {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return m.getSubject().contains("feed_late tradesreg");
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> out = new java.util.ArrayList<>();
        array.forEach(out::add);
        return out.stream();
    }

}
