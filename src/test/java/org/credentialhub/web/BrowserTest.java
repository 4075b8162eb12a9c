package org.credentialhub.web;

import org.credentialhub.support.Browser;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The web pages in real headless Chromium against a running hub. */
class BrowserTest extends ConsoleBrowserCase {

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(Map.of());
        Fixtures.twoDistricts(hub);
        driver = Browser.start();
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    /** Signs in at the hub's root page, with any password, and does not wait for the result. */
    private void signIn(String user, String password) {
        driver.get("http://127.0.0.1:" + hub.httpPort + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-username"))).sendKeys(user);
        driver.findElement(By.id("login-password")).sendKeys(password);
        driver.findElement(By.id("login-submit")).click();
    }

    @Test
    void wrongPasswordIsRefusedWithAMessage() throws Exception {
        signIn("staff910", "not-the-password");
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
        wait.until(d -> !error.getText().isBlank());
        assertEquals("wrong user name or password", error.getText());
    }

    @Test
    void districtStaffLinksAnExceptionToAStudentAndItReachesTheReport() throws Exception {
        long exception = hub.count("""
                select e.exception_id from result_exception e join result r using (result_id)
                where r.vendor_candidate_id = 'K1'""");
        signIn("staff910", Fixtures.PASSWORD);
        wait.until(ExpectedConditions.textToBe(By.id("exception-total"), "2"));
        List<WebElement> rows = driver.findElements(By.cssSelector("#exceptions-table tbody tr"));
        assertEquals(2, rows.size());
        for (WebElement row : rows) {
            assertTrue(row.getText().contains("910"), row.getText());
        }
        Browser.screenshot(driver, "district-queue");

        driver.findElement(By.cssSelector("#exceptions-table tr[data-id='" + exception + "']")).click();
        WebElement search = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#roster-search input")));
        search.sendKeys("Alvarez");
        driver.findElement(By.cssSelector("#roster-search button")).click();
        WebElement link = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#roster-table .link-student")));
        Browser.screenshot(driver, "district-exception-detail");
        link.click();

        wait.until(ExpectedConditions.textToBe(By.id("exception-total"), "1"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Decision saved"));
        assertEquals(0, driver.findElements(By.cssSelector("#exceptions-table tr[data-id='" + exception + "']")).size());
        Browser.screenshot(driver, "district-queue-after-link");

        // linked to the student the district chose, remembered, audited
        assertEquals("Alvarez", hub.rows("""
                select s.last_name from result r join student s using (student_id)
                where r.vendor_candidate_id = 'K1' and r.match_tier = 'district'""").get(0).get("last_name"));
        assertEquals(1, hub.count("select count(*) from match_crosswalk where candidate_key = 'K1' and decision = 'link'"));
        assertEquals(1, hub.count("select count(*) from audit_log where action = 'decide-link' and username = 'staff910'"));

        // and the next scheduled reporting load counts it for the district
        long after = hub.count("select coalesce(max(load_id), 0) from rpt.load_run");
        TestHub.await("a reporting load after the decision", Duration.ofSeconds(30), () ->
                hub.count("select count(*) from rpt.load_run where status = 'succeeded' and load_id > " + after) > 0);
        assertEquals(1, hub.count("""
                select earned from rpt.earned_by_district_credential
                where district_code = '910' and credential_code = 'NC-745D94'"""));
    }

    @Test
    void opsSeesALateFeedOnTheDashboard() throws Exception {
        // the feed is daily; its last delivery was three days ago
        try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("update delivery set received_at = now() - interval '3 days' where feed_code = 'certexam'");
        }
        signIn("ops1", Fixtures.PASSWORD);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("feeds-table")));
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#feeds-table tr[data-feed='certexam']")));
        assertTrue(row.getAttribute("class").contains("late"), row.getAttribute("class"));
        assertTrue(row.getText().contains("LATE"), row.getText());
        Browser.screenshot(driver, "ops-feeds-late");

        driver.get("http://127.0.0.1:" + hub.httpPort + "/ui/#/charts");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("chart-exceptions")));
        Browser.screenshot(driver, "ops-charts");
    }
}
