package org.credentialhub.web;

import org.credentialhub.support.Browser;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * What the console's browser tests share: the class's hub (started by the test class) and one headless Chromium
 * for all its tests, signed out and back at the desktop size after each; signing in with the fixtures' password,
 * going to a page of the console, scripts in the page and the rows of the exception queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConsoleBrowserCase {
    TestHub hub;
    WebDriver driver;
    WebDriverWait wait;

    /** Starts the browser and its wait (20 s; the console redraws, so a stale element is looked up again). */
    void startBrowser() throws IOException {
        driver = Browser.start();
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class);
    }

    /** After the test class's own clean-up: the browser, then the hub. */
    @AfterAll
    void stopBrowserAndHub() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        hub.close();
    }

    @AfterEach
    void signOut() {
        driver.manage().deleteAllCookies();
        driver.manage().window().setSize(new Dimension(1400, 1000));
    }

    void signIn(String user) {
        Browser.signIn(driver, wait, hub.httpPort, user, Fixtures.PASSWORD);
    }

    /** Signs in and waits for the exception queue, the first page of district staff. */
    void signInToQueue(String user) {
        signIn(user);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("exceptions-table")));
    }

    /**
     * Chooses a value in the queue's filters and applies it, then waits until the queue is drawn again: the page
     * replaces its whole view (the form too), so anything read before that is the unfiltered list (two suite runs
     * read its rows or its form as they went, StaleElementReferenceException, once when those rows happened to match).
     */
    void applyFilter(String field, String value) {
        WebElement before = driver.findElement(By.id("exception-filters"));
        new Select(before.findElement(By.name(field))).selectByValue(value);
        before.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.stalenessOf(before));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("exception-filters")));
    }

    void go(String hash) {
        driver.get("http://127.0.0.1:" + hub.httpPort + "/ui/" + hash);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    List<WebElement> queueRows() {
        return driver.findElements(By.cssSelector("#exceptions-table tbody tr"));
    }

    /** The queue rows' select boxes, for bulk actions. */
    List<WebElement> rowBoxes() {
        return driver.findElements(By.cssSelector("#exceptions-table input.select-row"));
    }
}
