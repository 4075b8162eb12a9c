package org.credentialhub.web;

import org.credentialhub.accounts.Role;
import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.pull.ApiPuller;
import org.credentialhub.pull.FixtureApiServer;
import org.credentialhub.runtime.HubServices;
import org.credentialhub.support.ApiClient;
import org.credentialhub.support.Axe;
import org.credentialhub.support.Browser;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.credentialhub.mapping.LayoutFiles.issuedBadge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's daily tasks that came after the first round of issue 15, walked in real headless Chromium against
 * a running hub: bulk accept of clearly-ahead suggestions with a preview, undo of one's own decision and the next
 * exception, taking exceptions ("mine"), the history and the audit page, the state's queue of badges of unknown
 * earners, a delivery's import summary and its rejected rows, the ECharts charts with their tables, the district
 * entries' credential picker and template, and axe-core on every page (0 serious or critical violations).
 * With {@code -Dhub.screenshots.docs=docs/screenshots} it also writes the README's screenshots.
 */
class ConsoleTasksBrowserTest extends ConsoleBrowserCase {
    private static final String HEADER = "\uFEFFcandidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,"
            + "examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n";
    private static final String REST = ",Premiere,CE-420CC,F1,2025-02-%02dT09:00:00-05:00,Pass,800,700,40,50,80,";

    private FixtureApiServer badgeApi;
    private long rejectingDelivery;

    private static String row(String id, String first, String last, String born, int day, String school) {
        return id + ",," + first + "," + last + ",," + born + REST.formatted(day) + school + "\r\n";
    }

    @BeforeAll
    void start() throws Exception {
        // a lower bar than the default 0.80, so that the small roster's reviews fall on both sides of it
        hub = TestHub.start(Map.of("hub.api.delay", "3600000", "hub.exceptions.suggest.min-probability", "0.5"));
        Fixtures.twoDistricts(hub);
        hub.runtime.services().accounts.create("staff920b", Role.DISTRICT_STAFF, "920", null, Fixtures.PASSWORD, "test");
        // near misses of roster students: the matcher asks a person about them, some with one candidate far ahead
        String file = HEADER
                + row("S1", "Maria", "Alvarez", "2007-04-03", 10, "910301,Riverside High")
                + row("S2", "Mariah", "Alvarez", "2007-03-14", 11, "910301,Riverside High")
                + row("S3", "Jamal", "Brooks", "2006-11-23", 12, "910301,Riverside High")
                + row("S4", "J", "Brooks", "", 13, "910301,Riverside High")
                + row("S5", "Lena", "Chen", "2007-10-09", 14, "920301,Pine Ridge High")
                + row("S6", "Omar", "Dawson", "2009-01-02", 15, "920301,Pine Ridge High")
                + row("S7", "Omarr", "Dawsen", "2008-01-12", 16, "920301,Pine Ridge High")
                + row("N1", "Zeb", "Nomatch", "2006-05-05", 17, "920301,Pine Ridge High")
                + row("N2", "Zia", "Nomatchtoo", "2006-06-06", 18, "920301,Pine Ridge High");
        // a file with two rows that cannot be read among good ones
        String bad = HEADER
                + row("B1", "Tomas", "Nadie", "2006-12-30", 17, "910301,Riverside High")
                + "B2,,Ana,Ninguno,,2005-01-15,Premiere,CE-420CC,F1,not-a-date,Pass,800,700,40,50,80,910301,Riverside High\r\n"
                + "B3,,Jo,Nobody,,2006-02-20,Premiere,,F1,2025-02-18T09:00:00-05:00,Maybe,800,700,40,50,80,920301,Pine Ridge High\r\n";
        try (SftpUpload up = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            up.put("inbox/certexam_results_20250301.csv", file.getBytes(StandardCharsets.UTF_8));
            up.put("inbox/certexam_results_20250302.csv", bad.getBytes(StandardCharsets.UTF_8));
        }
        TestHub.await("both files matched and queued", Duration.ofSeconds(90),
                () -> hub.count("select count(*) from result where vendor_candidate_id in ('S1','S2','S3','S4','S5','S6','S7','B1')"
                        + " and match_decision is not null") == 8
                        && hub.count("select count(*) from delivery where source_name = 'certexam_results_20250302.csv'"
                        + " and processed_at is not null") == 1);
        rejectingDelivery = hub.count("select delivery_id from delivery where source_name = 'certexam_results_20250302.csv'");
        hub.runtime.services().exceptionQueue.refresh();

        // an issued badge whose earner no district knows: the state's queue
        badgeApi = FixtureApiServer.start(0).apiToken("tok-123");
        badgeApi.badges(List.of(issuedBadge("ib-5521", "2025-02-01T10:00:00Z", "EARNER-77", "Quinn", "Unmatched", null,
                "IS-19F2C", List.of())));
        HubServices s = hub.runtime.services();
        Map<String, String> overrides = Map.of("hub.api.base-url.issuedbadges", badgeApi.baseUrl(),
                "hub.api.secret.issuedbadges", "tok-123");
        ApiPuller puller = new ApiPuller(s.database.dataSource(), s.feeds, s.intake,
                key -> overrides.containsKey(key) ? Optional.of(overrides.get(key)) : s.settings.get(key),
                s.dataDir.resolve("archive"));
        for (ApiPuller.Page p : puller.pullAll("issuedbadges")) {
            if ("staged".equals(p.status())) {
                s.matcher.matchDelivery("issuedbadges", p.deliveryId());
            }
        }
        s.exceptionQueue.refresh();
        startBrowser();
    }

    @AfterAll
    void stop() throws Exception {
        if (badgeApi != null) {
            badgeApi.close();
        }
    }

    /**
     * The documented rule, written out here on its own: open "two or more candidates" exceptions of the district whose
     * top candidate has a posterior of at least 0.5 (this hub's setting) and a weight at least 5 bits above the
     * runner-up's.
     */
    private Set<Long> clearlyAhead(String district) throws Exception {
        Set<Long> out = new TreeSet<>();
        for (Map<String, Object> r : hub.rows("""
                select e.exception_id, r.match_score,
                       (select score from match_candidate where result_id = r.result_id order by rank limit 1) as top,
                       (select score from match_candidate where result_id = r.result_id order by rank offset 1 limit 1) as second,
                       (select s.district_code from match_candidate mc join student s using (student_id)
                         where mc.result_id = r.result_id order by mc.rank limit 1) as top_district
                from result_exception e join result r using (result_id)
                where e.district_code = '%s' and e.kind = 'ambiguous' and e.status <> 'resolved'
                  and r.match_tier = 'probabilistic'""".formatted(district))) {
            double p = ((Number) r.get("match_score")).doubleValue();
            double top = ((Number) r.get("top")).doubleValue();
            Number second = (Number) r.get("second");
            if (p >= 0.5 && (second == null || top - second.doubleValue() >= 5.0) && district.equals(r.get("top_district"))) {
                out.add(((Number) r.get("exception_id")).longValue());
            }
        }
        return out;
    }

    // ---------- bulk accept of suggestions, with a preview ----------

    @Test
    void staffAcceptTheClearlyAheadSuggestionsInOneActionAfterAPreview() throws Exception {
        Set<Long> expected = clearlyAhead("910");
        long review910 = hub.count("""
                select count(*) from result_exception where district_code = '910' and kind = 'ambiguous' and status <> 'resolved'""");
        assertFalse(expected.isEmpty(), "fixture: a suggestion clearly ahead");
        assertTrue(review910 > expected.size(), "fixture: a review that is not clearly ahead");

        long linksBefore = hub.count("select count(*) from audit_log where action = 'decide-link'");
        signInToQueue("staff910");
        driver.findElement(By.name("suggested")).click();
        driver.findElement(By.cssSelector("#exception-filters button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("suggested=true"));
        wait.until(ExpectedConditions.textToBe(By.id("exception-total"), String.valueOf(expected.size())));
        go("#/exceptions?kind=ambiguous");
        wait.until(ExpectedConditions.textToBe(By.id("exception-total"), String.valueOf(review910)));
        // select everything on the page: the preview links only those clearly ahead and names the others
        driver.findElement(By.id("select-page")).click();
        driver.findElement(By.id("bulk-accept")).click();
        WebElement preview = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("accept-preview-card")));
        Set<Long> shown = driver.findElements(By.cssSelector("#accept-table tbody tr")).stream()
                .map(r -> Long.parseLong(r.findElement(By.cssSelector("td")).getText())).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, shown);
        assertTrue(driver.findElement(By.id("accept-skipped")).getText().startsWith((review910 - expected.size()) + " selected"),
                driver.findElement(By.id("accept-skipped")).getText());
        assertTrue(preview.getText().contains("Match weight"), preview.getText());
        assertEquals("", Axe.seriousOrCritical(driver), "the preview");
        Browser.screenshot(driver, "district-bulk-accept-preview");
        // nothing is decided by a preview
        assertEquals(linksBefore, hub.count("select count(*) from audit_log where action = 'decide-link'"));

        driver.findElement(By.id("accept-confirm")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), expected.size() + " linked to the suggested student"));
        for (long id : expected) {
            Map<String, Object> r = hub.rows("""
                    select e.status, e.resolution, r.student_id,
                           (select student_id from match_candidate where result_id = r.result_id order by rank limit 1) as top
                    from result_exception e join result r using (result_id) where e.exception_id = %d""".formatted(id)).get(0);
            assertEquals("resolved", r.get("status"));
            assertEquals("linked", r.get("resolution"));
            assertEquals(r.get("top"), r.get("student_id"));
        }
        assertEquals(expected.size(), hub.count("""
                select count(*) from audit_log where action = 'decide-link' and username = 'staff910'
                  and after ->> 'note' = 'accepted the suggested candidate'"""));
        assertEquals(review910 - expected.size(), hub.count("""
                select count(*) from result_exception where district_code = '910' and kind = 'ambiguous' and status <> 'resolved'"""));
    }

    // ---------- undo of one's own decision; the next exception opens ----------

    @Test
    void staffUndoTheirOwnDecisionAndNobodyElseCan() throws Exception {
        signInToQueue("staff920");
        String first = queueRows().get(0).getAttribute("data-id");
        String second = queueRows().get(1).getAttribute("data-id");
        queueRows().get(0).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-" + first)));
        driver.findElement(By.id("decision-note")).sendKeys("not ours");
        driver.findElement(By.id("reject")).click();
        // the next exception opens
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Next: exception " + second));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-" + second)));
        String result = hub.rows("select result_id from result_exception where exception_id = " + first).get(0).get("result_id").toString();
        assertEquals("rejected", hub.rows("select match_decision from result where result_id = " + result).get(0).get("match_decision"));

        // someone else of the district cannot undo it
        ApiClient other = ApiClient.signedIn(hub.httpPort, "staff920b", Fixtures.PASSWORD);
        ApiClient.Response refused = other.post("/api/exceptions/" + first + "/reopen", "{}");
        assertEquals(400, refused.status(), refused.body());
        assertTrue(refused.body().contains("only they can undo it"), refused.body());

        go("#/exceptions/" + first + "?status=resolved");
        WebElement undo = wait.until(ExpectedConditions.elementToBeClickable(By.id("undo-decision")));
        assertTrue(driver.findElement(By.id("decision-history")).getText().contains("Rejected by staff920"));
        undo.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "is open again"));
        assertEquals("open", hub.rows("select status from result_exception where exception_id = " + first).get(0).get("status"));
        Map<String, Object> r = hub.rows("select match_decision, student_id from result where result_id = " + result).get(0);
        assertNotEquals("rejected", r.get("match_decision"));
        assertEquals(null, r.get("student_id"));
        assertEquals(0, hub.count("select count(*) from match_crosswalk where decided_by = 'staff920' and decision = 'reject'"));
        WebElement history = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision-history")));
        assertTrue(history.getText().contains("Undone (reopened) by staff920"), history.getText());
        assertTrue(driver.findElements(By.id("undo-decision")).isEmpty(), "an undo is not undone again");
        assertTrue(driver.findElements(By.id("reject")).size() == 1, "the reopened exception can be decided again");

        // a decision older than hub.exceptions.undo-minutes (30) stays
        ApiClient own = ApiClient.signedIn(hub.httpPort, "staff920", Fixtures.PASSWORD);
        assertEquals(200, own.post("/api/exceptions/" + first + "/decision", "{\"action\":\"defer\"}").status());
        try (var c = hub.db().getConnection(); var st = c.createStatement()) {
            // the whole history of the result moves back in time, its order kept
            st.executeUpdate("update audit_log set at = at - interval '31 minutes' where object_type = 'result' and object_id = '"
                    + result + "'");
        }
        ApiClient.Response late = own.post("/api/exceptions/" + first + "/reopen", "{}");
        assertEquals(400, late.status(), late.body());
        assertTrue(late.body().contains("more than 30 minutes ago"), late.body());
        assertEquals("deferred", hub.rows("select status from result_exception where exception_id = " + first).get(0).get("status"));
    }

    // ---------- "mine", the history and the audit page (scoped) ----------

    @Test
    void staffTakeExceptionsSeeTheirsAndTheAuditPageShowsOnlyTheirDistrict() throws Exception {
        signInToQueue("staff910");
        List<WebElement> boxes = rowBoxes();
        boxes.get(0).click();
        boxes.get(1).click();
        List<String> taken = List.of(queueRows().get(0).getAttribute("data-id"), queueRows().get(1).getAttribute("data-id"));
        driver.findElement(By.id("bulk-take")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "2 taken"));
        applyFilter("assignee", "me");
        wait.until(ExpectedConditions.urlContains("assignee=me"));
        wait.until(ExpectedConditions.textToBe(By.id("exception-total"), "2"));
        assertEquals(Set.copyOf(taken), queueRows().stream().map(r -> r.getAttribute("data-id")).collect(Collectors.toSet()));
        queueRows().get(0).click();
        WebElement history = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision-history")));
        assertTrue(history.getText().contains("Taken by staff910"), history.getText());

        driver.findElement(By.cssSelector("#nav a[href='#/audit']")).click();
        wait.until(ExpectedConditions.or(ExpectedConditions.visibilityOfElementLocated(By.id("audit-table")),
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#flash.error"))));
        assertTrue(driver.findElements(By.cssSelector("#flash.error")).isEmpty(), () -> driver.findElement(By.id("flash")).getText());
        WebElement audit = driver.findElement(By.id("audit-table"));
        assertTrue(audit.getText().contains("assigned"), audit.getText());
        Set<String> districts = driver.findElements(By.cssSelector("#audit-table tbody tr td:nth-child(5)")).stream()
                .map(WebElement::getText).collect(Collectors.toSet());
        assertEquals(Set.of("910"), districts, "district staff see their district's audit only");
        // signing in is audited too: the clients sign in first, then the trail is counted
        ApiClient staff = ApiClient.signedIn(hub.httpPort, "staff910", Fixtures.PASSWORD);
        ApiClient ops = ApiClient.signedIn(hub.httpPort, "ops1", Fixtures.PASSWORD);
        long staffTotal = staff.get("/api/audit").json().get("total").asLong();
        long opsTotal = ops.get("/api/audit").json().get("total").asLong();
        assertEquals(hub.count("select count(*) from audit_log where district_code = '910'"), staffTotal);
        assertEquals(hub.count("select count(*) from audit_log"), opsTotal);
        assertTrue(opsTotal > staffTotal, "fixture: entries of other districts");
    }

    // ---------- the state's queue: badges of unknown earners ----------

    @Test
    void opsWorkTheStateQueueWithTheBadgesOwnIdentifiers() throws Exception {
        long stateQueue = hub.count("select count(*) from result_exception where district_code is null and status <> 'resolved'");
        assertTrue(stateQueue >= 1, "fixture: the badge of an unknown earner");
        signIn("ops1");
        driver.findElement(By.cssSelector("#nav a[href='#/state-queue']")).click();
        wait.until(ExpectedConditions.textToBe(By.id("exception-total"), String.valueOf(stateQueue)));
        WebElement badge = queueRows().stream().filter(r -> r.getText().contains("issuedbadges")).findFirst().orElseThrow();
        String text = badge.getText();
        assertTrue(text.contains("record ib-5521"), text);
        // the badge's own identifiers as the vendor sent them: its record id, the e-mail and the name
        assertTrue(text.contains("someone@example.org"), text);
        assertTrue(text.contains("Unmatched, Quinn"), text);
        assertFalse(text.contains("#1"), text);
        assertFalse(text.contains("http"), text);
        assertTrue(driver.findElements(By.cssSelector("#exceptions-table th button[data-sort='district']")).isEmpty());
        badge.click();
        WebElement detail = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".detail dl.facts")));
        assertTrue(detail.getText().contains("record ib-5521"), detail.getText());
        Browser.screenshot(driver, "ops-state-queue");
    }

    // ---------- a delivery's import summary and its rejected rows ----------

    @Test
    void opsSeeADeliverysSummaryAndDownloadItsRejectedRows() throws Exception {
        Map<String, Object> d = hub.rows("select rows_read, rows_accepted, rows_rejected from delivery where delivery_id = "
                + rejectingDelivery).get(0);
        assertTrue(((Number) d.get("rows_rejected")).longValue() >= 2, "fixture: rejected rows " + d);
        signIn("ops1");
        go("#/delivery/" + rejectingDelivery);
        WebElement summary = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("delivery-summary")));
        assertEquals(d.get("rows_accepted").toString(), summary.findElement(By.cssSelector("#sum-accepted .n")).getText());
        assertEquals(d.get("rows_rejected").toString(), summary.findElement(By.cssSelector("#sum-rejected .n")).getText());
        assertEquals(String.valueOf(hub.count("""
                select count(distinct r.result_id) from result_lineage l join result r using (result_id)
                where l.delivery_id = %d and exists (select 1 from result_exception e where e.result_id = r.result_id
                  and e.status <> 'resolved')""".formatted(rejectingDelivery))),
                summary.findElement(By.cssSelector("#sum-review .n")).getText());
        assertEquals(String.valueOf(hub.count("""
                select count(distinct r.result_id) from result_lineage l join result r using (result_id)
                where l.delivery_id = %d and r.match_decision = 'match'""".formatted(rejectingDelivery))),
                summary.findElement(By.cssSelector("#sum-matched .n")).getText());
        String href = driver.findElement(By.id("rejected-csv")).getAttribute("href");
        Browser.screenshot(driver, "ops-delivery-summary");

        ApiClient ops = ApiClient.signedIn(hub.httpPort, "ops1", Fixtures.PASSWORD);
        ApiClient.Response csv = ops.get(href.substring(href.indexOf("/api/")));
        assertEquals(200, csv.status(), csv.body());
        assertTrue(csv.header("Content-Disposition").contains("attachment"), csv.header("Content-Disposition"));
        List<String> lines = csv.body().lines().toList();
        assertEquals("row,field,reason", lines.get(0));
        List<String> expected = new ArrayList<>();
        for (Map<String, Object> r : hub.rows("select row_number, field, reason from delivery_rejection where delivery_id = "
                + rejectingDelivery + " order by row_number, field")) {
            expected.add(r.get("row_number") + "," + r.get("field"));
        }
        assertEquals(expected, lines.subList(1, lines.size()).stream().map(l -> l.split(",")[0] + "," + l.split(",")[1]).toList());
        assertFalse(csv.body().contains("Ninguno") || csv.body().contains("Nobody"), "no student names in the reasons");
        assertEquals(403, ApiClient.signedIn(hub.httpPort, "staff910", Fixtures.PASSWORD).get(href.substring(href.indexOf("/api/"))).status());
    }

    // ---------- charts: ECharts with a table each ----------

    @Test
    void opsSeeChartsDrawnWithTheirTables() throws Exception {
        signIn("ops1");
        go("#/charts");
        for (String id : List.of("chart-match-rate", "chart-exceptions")) {
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#" + id + " canvas")));
        }
        // open exceptions per district: largest first, one row per district (the state's queue as its own)
        List<Long> values = driver.findElements(By.cssSelector("#chart-exceptions-table tbody tr td:nth-child(2)")).stream()
                .map(e -> Long.parseLong((String) js("return arguments[0].textContent;", e))).toList();
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(java.util.Comparator.reverseOrder());
        assertEquals(sorted, values);
        assertEquals(hub.count("select count(distinct coalesce(district_code, 'state')) from result_exception where status <> 'resolved'"),
                values.size());
        assertEquals(hub.count("select count(*) from result_exception where status <> 'resolved'"),
                values.stream().mapToLong(Long::longValue).sum());
        assertTrue(driver.findElement(By.id("chart-exceptions")).getAttribute("aria-label").contains("table below"));
        Browser.screenshot(driver, "ops-charts");
    }

    // ---------- district entries: a credential picker and a template ----------

    @Test
    void districtEntriesOfferACredentialPickerAndATemplate() throws Exception {
        signIn("staff910");
        go("#/entries");
        WebElement picker = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("credential-picker")));
        Set<String> offered = new Select(picker).getOptions().stream().map(o -> o.getAttribute("value"))
                .filter(v -> !v.isEmpty()).collect(Collectors.toSet());
        Set<String> catalog = hub.rows("select distinct credential_code from catalog_credential where delivered_by = 'district'")
                .stream().map(r -> r.get("credential_code").toString()).collect(Collectors.toSet());
        assertFalse(catalog.isEmpty(), "fixture: district-entered credentials in the catalog");
        assertEquals(catalog, offered);
        String href = driver.findElement(By.id("entries-template")).getAttribute("href");
        ApiClient.Response t = ApiClient.signedIn(hub.httpPort, "staff910", Fixtures.PASSWORD).get(href.substring(href.indexOf("/api/")));
        assertEquals(200, t.status());
        assertEquals("district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file",
                t.body().strip());
    }

    // ---------- axe-core on every page; phones ----------

    /**
     * Every page of every role, on a desk (1,400 px) and a phone (390 px): axe-core finds no serious or critical
     * violation, and the page never scrolls sideways (only a table scrolls, in its own box). The one check of both for
     * the whole console (ConsoleBrowserTest had a phone-width check of six of these pages; it went, as a subset).
     */
    @Test
    void everyPageHasNoSeriousOrCriticalAccessibilityViolationsOnADeskAndAPhone() throws Exception {
        List<String> failures = new ArrayList<>();
        // an exception with candidates when there is one: the side-by-side view is checked too
        long exception = hub.count("""
                select exception_id from result_exception where district_code = '920' and status <> 'resolved'
                order by (kind = 'ambiguous') desc, exception_id limit 1""");
        Map<String, List<String>> pages = new java.util.LinkedHashMap<>();
        pages.put("staff920", List.of("#/exceptions", "#/exceptions/" + exception, "#/exceptions?status=resolved", "#/entries", "#/audit"));
        pages.put("ops1", List.of("#/feeds", "#/feed/certexam", "#/delivery/" + rejectingDelivery, "#/quarantine", "#/exceptions",
                "#/state-queue", "#/reports", "#/charts", "#/status", "#/audit", "#/acks"));
        pages.put("vendor-certexam", List.of("#/acks"));
        List<Dimension> sizes = List.of(new Dimension(1400, 1000), new Dimension(390, 844));
        for (Map.Entry<String, List<String>> who : pages.entrySet()) {
            driver.manage().window().setSize(sizes.get(0));
            driver.manage().deleteAllCookies();
            signIn(who.getKey());
            for (String page : who.getValue()) {
                for (Dimension size : sizes) {
                    driver.manage().window().setSize(size);
                    long inner = ((Number) js("return window.innerWidth;")).longValue();
                    // drawn again at this size, through the console's own router, as its links go: the page (and axe,
                    // injected once a sign-in) stays loaded (the test alone: 32.2 s with a reload per page, 29.6 s
                    // without; one sign-in per account instead of one per account and size: 27.7 s)
                    js("""
                            document.getElementById('view').replaceChildren();
                            if (location.hash === arguments[0]) route(); else location.hash = arguments[0];""", page);
                    wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#view h1")));
                    if (page.startsWith("#/exceptions/")) {
                        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-" + exception)));
                    }
                    if (page.equals("#/charts")) {
                        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-exceptions canvas")));
                    }
                    Thread.sleep(200);
                    String v = Axe.seriousOrCritical(driver);
                    if (!v.isEmpty()) {
                        failures.add(who.getKey() + " " + page + " at " + size.width + " px:\n" + v);
                    }
                    long wide = ((Number) js("return document.documentElement.scrollWidth;")).longValue();
                    if (wide > inner) {
                        failures.add(who.getKey() + " " + page + " is " + wide + " px wide in a " + inner + " px window, by "
                                + js("""
                                return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth
                                    && !e.closest('.table-wrap')).map(e => e.tagName + '#' + e.id + '.' + e.className).slice(-3).join(' ');"""));
                    }
                    String name = (size.width < 500 ? "phone-" : "desktop-") + who.getKey().replaceAll("\\d+$", "") + "-"
                            + page.substring(2).replaceAll("[^a-z-]", "");
                    if (SCREENSHOTS.contains(name)) {
                        Browser.screenshot(driver, name);
                    }
                }
            }
        }
        assertEquals("", String.join("\n", failures));
    }

    /** The pages whose screenshots the README shows (desktop and phone). */
    private static final Set<String> SCREENSHOTS = Set.of("desktop-staff-exceptions", "desktop-ops-feeds", "desktop-ops-charts",
            "phone-staff-exceptions", "phone-ops-feeds", "desktop-ops-delivery", "phone-staff-entries", "desktop-staff-audit");
}
