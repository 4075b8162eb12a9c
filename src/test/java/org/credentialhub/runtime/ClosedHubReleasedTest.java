package org.credentialhub.runtime;

import org.apache.camel.CamelContext;
import org.credentialhub.support.Collected;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.Map;


/**
 * A closed hub leaves nothing behind in the JVM that started it: {@code ./hub bench} runs several hubs one after another
 * in one 1-GB heap, and at full scale the earlier hubs' rosters (472 MB) were still reachable when matching built its
 * index, which then ran out of memory. Three holders were found (a heap dump's paths from the GC roots): Camel Main's
 * JVM shutdown hook, and two static singletons of Camel's ({@code CamelStatics}).
 */
class ClosedHubReleasedTest {

    @Test
    void aClosedHubsCamelContextCanBeCollected() throws Exception {
        WeakReference<CamelContext> camel = startAndClose();
        Collected.assertCollected(camel, "a closed hub's CamelContext is still reachable");
    }

    private static WeakReference<CamelContext> startAndClose() throws Exception {
        try (TestHub hub = TestHub.start(Map.of())) {
            return new WeakReference<>(hub.runtime.camel());
        }
    }
}
