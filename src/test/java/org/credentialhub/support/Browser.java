package org.credentialhub.support;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Real headless Chromium (Debian's chromium and chromium-driver) driven by Selenium. */
public final class Browser {
    private Browser() {
    }

    public static WebDriver start() throws IOException {
        Path profile = Files.createTempDirectory("chromium-profile");
        // the profile (a few MB a browser) goes with the test JVM
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Fixtures.deleteTree(profile);
            } catch (IOException e) {
                // left in the temporary folder
            }
        }));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("hub.test.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("hub.test.chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /**
     * Saves a screenshot under target/screenshots for people to look at; with the system property
     * {@code hub.screenshots.docs} (a folder, e.g. {@code docs/screenshots}) a copy goes there too (the README's).
     */
    public static void screenshot(WebDriver driver, String name) throws IOException {
        Path dir = Path.of("target/screenshots");
        Files.createDirectories(dir);
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        String docs = System.getProperty("hub.screenshots.docs");
        if (docs != null && !docs.isBlank()) {
            Path to = Path.of(docs);
            Files.createDirectories(to);
            Files.copy(shot.toPath(), to.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Signs in on the console at {@code /ui/} of the hub on this port, as a user does, and waits for the signed-in page. */
    public static void signIn(WebDriver driver, WebDriverWait wait, int port, String user, String password) {
        driver.get("http://127.0.0.1:" + port + "/ui/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-username"))).sendKeys(user);
        driver.findElement(By.id("login-password")).sendKeys(password);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("logout")));
    }
}
