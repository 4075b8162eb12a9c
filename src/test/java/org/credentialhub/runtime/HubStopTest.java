package org.credentialhub.runtime;

import org.apache.camel.component.seda.SedaEndpoint;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hub stops without waiting on its idle queues. Camel stops a route's queue (seda) consumer once its current wait
 * for a message ends, one route after the other, and waited up to its default second for each: every stop of a hub
 * (each {@code ./hub} command, each hub of the test suite) took 4-6 s, of which the feeds' finishing queues 3-5 s.
 */
class HubStopTest {

    @Test
    void noQueueWaitsLongerThanATenthOfASecondBeforeLookingWhetherItIsStopped() throws Exception {
        // measured: a hub's stop 0.9-1.0 s, against 4.5-6.4 s with a second's wait per queue (not asserted here: a
        // stop's time is the machine's as much as the hub's; ./hub bench ingest prints it: "then ... s to stop the hub")
        try (TestHub hub = TestHub.start(Map.of())) {
            List<SedaEndpoint> queues = hub.runtime.camel().getEndpoints().stream()
                    .filter(SedaEndpoint.class::isInstance).map(SedaEndpoint.class::cast).toList();
            assertFalse(queues.isEmpty(), "the hub has queues (a feed's finishing, the SIS hold outcomes)");
            for (SedaEndpoint q : queues) {
                assertTrue(q.getPollTimeout() <= 100, q.getEndpointUri() + " waits " + q.getPollTimeout()
                        + " ms for a message before it looks whether it is being stopped");
            }
        }
    }
}
