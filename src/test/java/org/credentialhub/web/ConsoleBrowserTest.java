package org.credentialhub.web;

import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.support.ApiClient;
import org.credentialhub.support.Browser;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console as district staff and operations use it all day (issue 15), in real headless Chromium against a
 * running hub: filters, paging and sorting of the exception queue, side-by-side review and keyboard decisions,
 * bulk actions, resolved exceptions, quarantine, feed states, reports (pages on a phone: ConsoleTasksBrowserTest's
 * walk of every page).
 */
class ConsoleBrowserTest extends ConsoleBrowserCase {
    private static final String HEADER = "\uFEFFcandidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,"
            + "examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n";
    /** District 920's queue gets this many more exceptions, so that it is longer than a page. */
    private static final int MORE_920 = 105;

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(Map.of());
        Fixtures.twoDistricts(hub);
        StringBuilder file = new StringBuilder(HEADER);
        for (int i = 1; i <= MORE_920; i++) {
            file.append("P").append(i).append(",,Zed").append((char) ('a' + i % 26)).append(",Nomatch").append(i)
                    .append(",,2006-0").append(1 + i % 9).append("-1").append(i % 9)
                    .append(",Premiere,CE-420CC,F1,2025-02-07T09:00:00-05:00,Pass,800,700,40,50,80,920301,Pine Ridge High\r\n");
        }
        // a roster student of 910 (Jamal Brooks, 2008-06-07) by name and school, but born another day: for review
        file.append("R1,,Jamal,Brooks,,2006-11-23,Premiere,CE-420CC,F1,2025-02-08T09:00:00-05:00,Pass,800,700,40,50,80,910301,Riverside High\r\n");
        try (SftpUpload up = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            up.put("inbox/certexam_results_20250301.csv", file.toString().getBytes(StandardCharsets.UTF_8));
        }
        TestHub.await("the second file's exceptions", Duration.ofSeconds(90),
                () -> hub.count("select count(*) from result_exception where district_code = '920'") >= MORE_920 + 1
                        && hub.count("select count(*) from result where vendor_candidate_id = 'R1'") == 1);
        startBrowser();
    }

    /** Signs in and opens the detail of the exception of the result with this vendor candidate ID; returns its ID. */
    private long openExceptionAs(String user, String candidate) throws Exception {
        long exception = hub.count("""
                select e.exception_id from result_exception e join result r using (result_id) where r.vendor_candidate_id = '%s'"""
                .formatted(candidate));
        signIn(user);
        openException(exception);
        return exception;
    }

    /** Opens the exception's detail from its row in the queue. */
    private void openException(long exception) {
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#exceptions-table tr[data-id='" + exception + "']"))).click();
    }

    private long open920() throws Exception {
        return hub.count("select count(*) from result_exception where district_code = '920' and status in ('open', 'deferred')");
    }

    // ---------- Broken 1: filters and the reports' Show button ----------

    @Test
    void staffFilterTheQueueByKindAndSeeResolvedExceptions() throws Exception {
        signInToQueue("staff920");
        applyFilter("kind", "no_match");
        wait.until(ExpectedConditions.urlContains("kind=no_match"));
        String rows = "return [...document.querySelectorAll('#exceptions-table tbody tr')].map(r => r.textContent);";
        List<?> texts = (List<?>) js(rows);
        assertFalse(texts.isEmpty());
        for (Object t : texts) {
            assertTrue(String.valueOf(t).contains("No match"), String.valueOf(t));
        }

        applyFilter("status", "resolved");
        wait.until(ExpectedConditions.urlContains("status=resolved"));
        wait.until(ExpectedConditions.textToBe(By.id("exception-total"), String.valueOf(hub.count("""
                select count(*) from result_exception where district_code = '920' and status = 'resolved' and kind = 'no_match'"""))));
        assertEquals("resolved", js("return document.querySelector('#exception-filters [name=status]').value;"));
        assertFalse(driver.findElement(By.id("view")).getText().contains("Nothing here"));
    }

    @Test
    void opsChangeTheReportAndSeeThePublicView() throws Exception {
        TestHub.await("a reporting load that counted a year", Duration.ofSeconds(60),
                () -> hub.count("select count(*) from rpt.fact_earned") > 0 || hub.count("select count(*) from rpt.fact_potential") > 0);
        signIn("ops1");
        go("#/reports");
        WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("report-form")));
        new Select(form.findElement(By.name("table"))).selectByValue("individual-to-combined");
        WebElement pub = form.findElement(By.name("pub"));
        if (!pub.isSelected()) {
            pub.click();
        }
        form.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#view h2"), "public: small cells suppressed"));
        WebElement h2 = driver.findElement(By.cssSelector("#view h2"));
        assertTrue(h2.getText().startsWith("Individual credentials and the combined credentials"), h2.getText());
        // Broken 5: a report without a chart shows no literal "null" above its table
        String text = driver.findElement(By.id("view")).getText();
        assertFalse(text.contains("null"), text);
        assertTrue(driver.findElements(By.id("report-chart")).isEmpty());
    }

    // ---------- Broken 2: paging, totals, sorting, the detail where one looks ----------

    @Test
    void theQueuePagesWithTotalsAndTheDetailOpensAtTheTop() throws Exception {
        long total = open920();
        assertTrue(total > 100, "fixture: more than a page");
        signIn("staff920");
        WebElement range = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("exception-range")));
        assertEquals("Showing 1–100 of " + total, range.getText());
        assertEquals(100, queueRows().size());

        // the last row of the page: its detail opens near the top of the page, not below 100 rows
        WebElement last = queueRows().get(99);
        String lastId = last.getAttribute("data-id");
        last.click();
        WebElement detail = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-" + lastId)));
        long top = ((Number) js("return arguments[0].getBoundingClientRect().top + window.scrollY;", detail)).longValue();
        assertTrue(top < 900, "the detail starts " + top + " px down the page");

        driver.findElement(By.cssSelector(".pager a.next")).click();
        wait.until(ExpectedConditions.textToBe(By.id("exception-range"), "Showing 101–" + total + " of " + total));
        assertEquals(total - 100, queueRows().size());
        assertFalse(queueRows().stream().anyMatch(r -> r.getAttribute("data-id").equals(lastId)), "the next page starts after the last row");
    }

    @Test
    void staffSortTheQueueByAColumn() throws Exception {
        signInToQueue("staff920");
        driver.findElement(By.cssSelector("#exceptions-table th button[data-sort='name']")).click();
        wait.until(ExpectedConditions.urlContains("sort=name"));
        wait.until(d -> "ascending".equals(d.findElement(By.cssSelector("#exceptions-table th[aria-sort]")).getAttribute("aria-sort")));
        String expected = hub.rows("""
                select i.last_name from result_exception e join result_identity i using (result_id)
                where e.district_code = '920' and e.status in ('open', 'deferred')
                order by lower(i.last_name || ' ' || i.first_name) desc nulls last, e.created_at, e.exception_id limit 1""")
                .get(0).get("last_name").toString();
        driver.findElement(By.cssSelector("#exceptions-table th button[data-sort='name']")).click();
        wait.until(ExpectedConditions.urlContains("dir=desc"));
        wait.until(d -> queueRows().get(0).getText().contains(expected));
    }

    // ---------- Broken 3: bulk actions' messages stay, their failures are told ----------

    @Test
    void bulkDeferSaysWhatItDidAfterTheListReloads() throws Exception {
        signInToQueue("staff920");
        List<WebElement> boxes = rowBoxes();
        boxes.get(0).click();
        boxes.get(1).click();
        String first = queueRows().get(0).getAttribute("data-id");
        driver.findElement(By.id("bulk-defer")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#exceptions-table tr[data-id='" + first + "']"), "deferred"));
        WebElement flash = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("flash")));
        assertTrue(flash.getText().startsWith("2 deferred"), flash.getText());

        // one of the selected was decided elsewhere meanwhile: the page says which one was not decided
        boxes = rowBoxes();
        boxes.get(2).click();
        String gone = queueRows().get(2).getAttribute("data-id");
        ApiClient other = ApiClient.signedIn(hub.httpPort, "staff920", Fixtures.PASSWORD);
        assertEquals(200, other.post("/api/exceptions/" + gone + "/decision", "{\"action\":\"reject\"}").status());
        driver.findElement(By.id("bulk-reject")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "not decided"));
        flash = driver.findElement(By.id("flash"));
        assertTrue(flash.getAttribute("class").contains("error"), flash.getAttribute("class"));
        assertTrue(flash.getText().contains("exception " + gone), flash.getText());
    }

    // ---------- Broken 6 and 7: the note is kept; a resolved exception shows its decision ----------

    @Test
    void aLinkKeepsItsNoteAndTheResolvedExceptionShowsTheDecision() throws Exception {
        long exception = openExceptionAs("staff910", "K2");
        // roster search understands "First Last"
        WebElement search = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#roster-search input[name=q]")));
        search.sendKeys("Jamal Brooks");
        driver.findElement(By.cssSelector("#roster-search button")).click();
        WebElement link = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#roster-table .link-student")));
        driver.findElement(By.id("decision-note")).sendKeys("confirmed with the school counsellor");
        link.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Decision saved for exception " + exception));

        go("#/exceptions?status=resolved");
        openException(exception);
        WebElement decision = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision")));
        assertTrue(decision.getText().contains("Linked by staff910"), decision.getText());
        assertTrue(decision.getText().contains("confirmed with the school counsellor"), decision.getText());
        WebElement panel = driver.findElement(By.id("detail-" + exception));
        assertTrue(panel.findElements(By.id("reject")).isEmpty(), "a resolved exception offers no decision");
        assertTrue(panel.findElements(By.id("defer")).isEmpty());
        assertTrue(panel.findElements(By.cssSelector(".link-student")).isEmpty());
    }

    @Test
    void rosterSearchUnderstandsLastCommaFirst() throws Exception {
        ApiClient staff = ApiClient.signedIn(hub.httpPort, "staff910", Fixtures.PASSWORD);
        for (String q : List.of("Alvarez, Maria", "Maria Alvarez", "alvarez", "Alv, Ma")) {
            ApiClient.Response r = staff.get("/api/roster/search?q=" + java.net.URLEncoder.encode(q, StandardCharsets.UTF_8).replace("+", "%20"));
            assertEquals(200, r.status(), q + ": " + r.body());
            var students = r.json().get("students");
            assertEquals(1, students.size(), q);
            assertEquals("Alvarez", students.get(0).get("last_name").asText(), q);
        }
        var none = staff.get("/api/roster/search?q=Maria%20Brooks").json();
        assertEquals(0, none.get("students").size(), "both names must fit");
    }

    // ---------- clerical review: side by side, keyboard, next exception ----------

    @Test
    void reviewSideBySideAndDecideByKeyboard() throws Exception {
        long review = openExceptionAs("staff910", "R1");
        WebElement compare = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("compare-table")));
        String text = compare.getText();
        assertTrue(text.contains("Match weight"), text);
        assertFalse(text.contains("Score"), text);
        WebElement born = compare.findElement(By.xpath(".//tr[th[normalize-space()='Birth date']]/td[2]"));
        assertTrue(born.getAttribute("class").contains("differs"), born.getAttribute("class"));
        WebElement school = compare.findElement(By.xpath(".//tr[th[normalize-space()='School']]/td[2]"));
        assertTrue(school.getAttribute("class").contains("same"), school.getAttribute("class"));
        assertTrue(text.contains("same school"), text);
        assertTrue(text.contains("birth date"), text);
        Browser.screenshot(driver, "district-review-side-by-side");

        // "1" links to candidate 1; the next exception opens
        String name = driver.findElement(By.cssSelector("#compare-table thead")).getText();
        assertTrue(name.contains("Candidate 1"), name);
        new Actions(driver).sendKeys("1").perform();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Decision saved for exception " + review));
        assertEquals("match", hub.rows("select match_decision from result where vendor_candidate_id = 'R1'").get(0).get("match_decision"));
        assertEquals("Brooks", hub.rows("""
                select s.last_name from result r join student s using (student_id) where r.vendor_candidate_id = 'R1'""")
                .get(0).get("last_name"));
    }

    @Test
    void keysMoveThroughTheQueueAndDeferOpensTheNext() throws Exception {
        signInToQueue("staff920");
        String first = queueRows().get(0).getAttribute("data-id");
        String second = queueRows().get(1).getAttribute("data-id");
        new Actions(driver).sendKeys("j").perform();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-" + first)));
        new Actions(driver).sendKeys("j").perform();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-" + second)));
        new Actions(driver).sendKeys("k").perform();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-" + first)));
        new Actions(driver).sendKeys("d").perform();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Decision saved for exception " + first));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-" + second)));
        assertEquals("deferred", hub.rows("select status from result_exception where exception_id = " + first).get(0).get("status"));
        // typing in a field is typing, not a shortcut
        String before = hub.rows("select status from result_exception where exception_id = " + second).toString();
        driver.findElement(By.id("decision-note")).sendKeys("r");
        Thread.sleep(1000);
        assertEquals(before, hub.rows("select status from result_exception where exception_id = " + second).toString());
    }

    // ---------- Broken 4: quarantine, re-process, corrected file ----------

    @Test
    void reprocessThatQuarantinesAgainSaysSoAndACorrectedFileIsTaken(@TempDir Path tmp) throws Exception {
        try (SftpUpload up = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            // not the vendor's layout: nothing of it can be read
            up.put("inbox/certexam_results_20250303.csv", "id;name;exam\r\nK9;Ana Ninguno;CE-420CC\r\n".getBytes(StandardCharsets.UTF_8));
        }
        TestHub.await("the unreadable file quarantined", Duration.ofSeconds(40),
                () -> hub.count("select count(*) from delivery where source_name = 'certexam_results_20250303.csv' and status = 'quarantined'") == 1);
        long quarantined = hub.count("select delivery_id from delivery where source_name = 'certexam_results_20250303.csv'");
        signIn("ops1");
        go("#/quarantine");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#quarantine-table tr[data-delivery='" + quarantined + "']")));
        row.findElement(By.cssSelector("button.reprocess")).click();
        WebElement flash = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("flash")));
        wait.until(d -> d.findElement(By.id("flash")).getText().contains("quarantined again"));
        flash = driver.findElement(By.id("flash"));
        assertTrue(flash.getAttribute("class").contains("error"), "a re-quarantine is no success: " + flash.getAttribute("class"));
        row = driver.findElement(By.cssSelector("#quarantine-table tr[data-delivery='" + quarantined + "']"));
        assertTrue(row.findElements(By.cssSelector("button.reprocess")).isEmpty(), "re-processed once, the button is gone");
        assertTrue(row.getText().contains("re-processed as delivery"), row.getText());
        assertEquals(2, hub.count("select count(*) from delivery where source_name = 'certexam_results_20250303.csv'"));

        // the corrected file, under a name the feed takes, goes to the inbox and becomes a delivery
        long again = hub.count("select max(delivery_id) from delivery where source_name = 'certexam_results_20250303.csv'");
        ApiClient ops = ApiClient.signedIn(hub.httpPort, "ops1", Fixtures.PASSWORD);
        String one = java.util.Base64.getEncoder().encodeToString("x".getBytes(StandardCharsets.UTF_8));
        for (String refused : List.of("../certexam/inbox/certexam_results_1.csv", ".certexam_results_1.csv", "results.csv")) {
            ApiClient.Response r = ops.post("/api/deliveries/" + again + "/corrected",
                    "{\"fileName\":\"" + refused + "\",\"content\":\"" + one + "\"}");
            assertEquals(400, r.status(), refused + ": " + r.body());
        }
        Path fixed = tmp.resolve("certexam_results_20250304.csv");
        Files.writeString(fixed, HEADER
                + "K9,2000000002,Jamal,Brooks,,2008-06-07,Premiere,CE-420CC,F1,2025-03-04T09:00:00-05:00,Pass,800,700,40,50,80,910301,Riverside High\r\n");
        WebElement form = driver.findElement(By.cssSelector("form.corrected[data-delivery='" + again + "']"));
        form.findElement(By.cssSelector("input[type=file]")).sendKeys(fixed.toString());
        form.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "is in the certexam inbox"));
        TestHub.await("the corrected file accepted", Duration.ofSeconds(40),
                () -> hub.count("select count(*) from delivery where source_name = 'certexam_results_20250304.csv' and status = 'accepted'") == 1);
        assertEquals(1, hub.count("select count(*) from audit_log where action = 'upload-corrected' and object_id = '" + again + "'"));
        assertTrue(driver.findElement(By.cssSelector("#quarantine-table tr[data-delivery='" + again + "']")).getText()
                .contains("corrected file certexam_results_20250304.csv sent"));
    }

    // ---------- Broken 8: feeds that never delivered or are not pulled are not "on time" ----------

    @Test
    void feedsThatNeverDeliveredOrAreNotPulledSaySo() throws Exception {
        signIn("ops1");
        go("#/feeds");
        WebElement badges = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#feeds-table tr[data-feed='badges']")));
        assertTrue(badges.getText().contains("not pulled (no secret)"), badges.getText());
        WebElement trades = driver.findElement(By.cssSelector("#feeds-table tr[data-feed='tradesreg']"));
        assertTrue(trades.getText().contains("never delivered"), trades.getText());
        assertFalse(trades.getText().contains("on time"), trades.getText());
        WebElement certexam = driver.findElement(By.cssSelector("#feeds-table tr[data-feed='certexam']"));
        assertTrue(certexam.getText().contains("on time"), certexam.getText());

        // the columns sort in the page: by feed twice, the last feed comes first
        String lastFeed = hub.rows("select feed_code from feed order by feed_code desc limit 1").get(0).get("feed_code").toString();
        driver.findElement(By.cssSelector("#feeds-table th button[data-sort='0']")).click();
        driver.findElement(By.cssSelector("#feeds-table th button[data-sort='0']")).click();
        wait.until(d -> "descending".equals(d.findElement(By.cssSelector("#feeds-table th[aria-sort]")).getAttribute("aria-sort")));
        assertEquals(lastFeed, driver.findElement(By.cssSelector("#feeds-table tbody tr")).getAttribute("data-feed"));
    }

    // ---------- the keyboard and screen readers ----------

    @Test
    void aSkipLinkAndLabelledCheckboxes() throws Exception {
        signInToQueue("staff920");
        String hash = (String) js("return location.hash;");
        go(hash);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("exceptions-table")));
        // the first element in the tab order is the skip link, shown when it has the focus
        assertEquals("skip-link", js("""
                return [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
                  .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0)[0].id;"""));
        WebElement skip = driver.findElement(By.id("skip-link"));
        js("arguments[0].focus();", skip);
        long top = ((Number) js("return arguments[0].getBoundingClientRect().top;", skip)).longValue();
        assertTrue(top >= 0, "the focused skip link is on screen: " + top);
        skip.sendKeys(Keys.ENTER);
        wait.until(d -> "main".equals(d.switchTo().activeElement().getAttribute("id")));
        assertEquals(hash, js("return location.hash;"), "the skip link leaves the page where it is");

        Set<String> names = new HashSet<>();
        List<WebElement> boxes = driver.findElements(By.cssSelector("#view input[type=checkbox]"));
        assertTrue(boxes.size() > 2);
        for (WebElement box : boxes) {
            String name = (String) js("""
                    const b = arguments[0];
                    return b.getAttribute('aria-label') || (b.closest('label') ? b.closest('label').textContent.trim() : '');""", box);
            assertFalse(name.isBlank(), "a checkbox without a name");
            assertTrue(names.add(name), "two checkboxes named " + name);
        }
    }
}
