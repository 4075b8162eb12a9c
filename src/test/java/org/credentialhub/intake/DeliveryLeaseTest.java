package org.credentialhub.intake;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.credentialhub.store.Database;
import org.credentialhub.store.Deliveries;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file taken from an inbox is recorded and leased to the work that took it in one transaction (its state read
 * there too), and that work's claim before staging is the lease it already holds: no claim and no read again. A
 * delivery found again by its pickup (a file left in the pickup folder by a stopped node) is not leased by the
 * receipt and is claimed as before.
 */
class DeliveryLeaseTest {
    private static String lease(Database db, long id) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select claimed_by || ' ' || claimed_until from delivery where delivery_id = " + id)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Exchange taken(DefaultCamelContext camel, Path archived, String takenName) {
        Exchange e = new DefaultExchange(camel);
        e.getIn().setHeader(Intake.FEED, "certexam");
        e.getIn().setHeader(Intake.SHA256, "5ha");
        e.getIn().setHeader(Intake.ARCHIVED, archived.toString());
        e.getIn().setHeader(Exchange.FILE_NAME_ONLY, takenName);
        return e;
    }

    @Test
    void theWorkThatTookAFileHoldsItsLeaseWithoutClaimingItAgain() throws Exception {
        Path data = Files.createTempDirectory("hub-lease");
        try (Database db = SharedPostgres.open(data, 2); DefaultCamelContext camel = new DefaultCamelContext()) {
            Path archived = Files.writeString(data.resolve("file.csv"), "a,b\n1,2\n");
            DeliveryFlow flow = new DeliveryFlow(db.dataSource(), Map.of(), "node-a", 600, 5);

            // a new file: recorded, leased to this exchange, its state read in the receipt's transaction
            Exchange first = taken(camel, archived, "boot_ID-1~certexam_results_20250601.csv");
            flow.receive(first);
            long id = first.getIn().getHeader(Intake.DELIVERY_ID, Long.class);
            assertEquals("stage", first.getIn().getHeader(DeliveryFlow.STEP));
            assertEquals("received", first.getIn().getHeader(Intake.STATUS));
            String leased = lease(db, id);
            assertTrue(leased.startsWith("node-a/" + first.getExchangeId() + " "), leased);
            Thread.sleep(20);
            flow.claim(first);
            assertEquals("stage", first.getIn().getHeader(DeliveryFlow.STEP));
            assertEquals(leased, lease(db, id), "the lease is the one the receipt took: not claimed again");
            assertNull(first.getIn().getHeader(DeliveryFlow.LEASED));

            // the same pickup found again (a stopped node's file in the pickup folder): not leased by the receipt,
            // claimed by the work that found it
            Exchange again = taken(camel, archived, "boot_ID-1~certexam_results_20250601.csv");
            flow.receive(again);
            assertEquals(id, again.getIn().getHeader(Intake.DELIVERY_ID, Long.class));
            assertNull(again.getIn().getHeader(DeliveryFlow.LEASED));
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.execute("update delivery set claimed_until = now() - interval '1 second' where delivery_id = " + id);
            }
            flow.claim(again);
            assertEquals("stage", again.getIn().getHeader(DeliveryFlow.STEP));
            assertTrue(lease(db, id).startsWith("node-a/" + again.getExchangeId() + " "), lease(db, id));

            // the receipt's flag: a new delivery with a holder is leased; one found by its pickup, or without a
            // holder, is not
            Deliveries.Received found = Deliveries.receive(db.dataSource(), "certexam", "certexam_results_20250601.csv",
                    "5ha", 8, "boot_ID-1", "node-b/x", 600);
            assertFalse(found.leased());
            assertEquals(id, found.step().id());
            Deliveries.Received duplicate = Deliveries.receive(db.dataSource(), "certexam", "certexam_results_20250602.csv",
                    "5ha", 8, "boot_ID-2", "node-b/y", 600);
            assertTrue(duplicate.leased());
            assertEquals("duplicate", duplicate.step().status());
        } finally {
            org.credentialhub.support.Fixtures.deleteTree(data);
        }
    }
}
