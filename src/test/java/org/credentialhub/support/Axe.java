package org.credentialhub.support;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * axe-core (Deque's engine, the copy bundled in com.deque.html.axe-core:selenium, a test dependency) injected into
 * the page a browser test shows: {@link #seriousOrCritical} runs every rule axe has for WCAG 2 A/AA and best
 * practice, and returns the violations of impact serious or critical, one line each (rule, impact, help, up to five
 * elements), empty when there are none.
 */
public final class Axe {
    private static String source;

    private Axe() {
    }

    private static synchronized String source() {
        if (source == null) {
            try (InputStream in = Axe.class.getClassLoader().getResourceAsStream("axe.min.js")) {
                if (in == null) {
                    throw new IllegalStateException("axe.min.js is not on the test classpath (com.deque.html.axe-core:selenium)");
                }
                source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return source;
    }

    /** The page's serious and critical violations, as text; empty when there are none. */
    public static String seriousOrCritical(WebDriver driver) {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object';"))) {
            js.executeScript(source());
        }
        Object out = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                  .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                      + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', ')).join('\\n')))
                  .catch(e => done('axe failed: ' + e));""");
        return out == null ? "" : out.toString();
    }
}
