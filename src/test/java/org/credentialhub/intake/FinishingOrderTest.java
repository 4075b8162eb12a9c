package org.credentialhub.intake;

import org.credentialhub.store.Deliveries;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A delivery killed in its finishing is resumed at the step its recorded state gives ({@link Deliveries.Step#next}):
 * once it is marked processed ({@code intake.complete}), that is the acknowledgement, so every effect of the
 * finishing that the resumed delivery would not redo comes before it. The crash drill (`CrashDrillTest`, killed at
 * 22.4 s of the run) ended with a delivery's unknown-exam-code exception missing: the exception queue was refreshed
 * after the delivery was marked processed, and a kill between the two lost it.
 */
class FinishingOrderTest {

    @Test
    void aDeliverysExceptionsAreQueuedBeforeItIsMarkedProcessed() throws Exception {
        String routes = Files.readString(Path.of("routes/delivery.yaml"));
        int from = routes.indexOf("id: delivery-finishing");
        int to = routes.indexOf("- route:", from);
        String finishing = routes.substring(from, to < 0 ? routes.length() : to);
        int queued = finishing.indexOf("method: refreshDelivery");
        int processed = finishing.indexOf("method: complete");
        assertTrue(queued > 0 && processed > 0, finishing);
        assertTrue(queued < processed, "the exception queue is refreshed after the delivery is marked processed:\n"
                + finishing);
        // what a delivery killed after each is resumed at
        assertEquals("match", new Deliveries.Step(1, "certexam", "accepted", false, false, "a.csv", "x").next());
        assertEquals("acknowledge", new Deliveries.Step(1, "certexam", "accepted", true, false, "a.csv", "x").next());
    }
}
