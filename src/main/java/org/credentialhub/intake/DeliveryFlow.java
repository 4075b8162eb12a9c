package org.credentialhub.intake;

import org.apache.camel.Exchange;
import org.credentialhub.store.Deliveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The steps of a delivery taken from an inbox (routes/delivery.yaml): received, staged, matched,
 * acknowledged, each recorded in the transaction of its effect (store/Deliveries). A node holds a lease on
 * the delivery it works on; a delivery that is not acknowledged and that no live lease holds is resumed by
 * the recovery route, from its archived file, so a crash at any moment ends as if it had not happened.
 */
public final class DeliveryFlow {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryFlow.class);
    /** Header: what is left to do (stage, match, acknowledge, none). */
    public static final String STEP = "hubStep";
    /** Header: the delivery {@link #receive} made and leased to this exchange, for {@link #claim}. */
    static final String LEASED = "hubLeasedDelivery";
    /** Separates the pickup folder's reference from the vendor's file name in a taken file's name. */
    public static final char PICKUP_MARK = '~';

    private final DataSource dataSource;
    private final java.util.Map<String, org.credentialhub.feeds.FeedConfig> feeds;
    private final String owner;
    private final int leaseSeconds;
    private final int maxAttempts;

    public DeliveryFlow(DataSource dataSource, java.util.Map<String, org.credentialhub.feeds.FeedConfig> feeds, String owner,
                        int leaseSeconds, int maxAttempts) throws SQLException {
        this.dataSource = dataSource;
        this.feeds = feeds;
        this.owner = owner;
        this.leaseSeconds = leaseSeconds;
        this.maxAttempts = maxAttempts;
        int released = Deliveries.releaseAll(dataSource, owner);
        if (released > 0) {
            LOG.info("Released {} unfinished delivery lease(s) this node held before it stopped; they are resumed", released);
        }
    }

    /**
     * After {@code intake.fingerprint}: records the taken file as a delivery. The file was moved out of the inbox
     * to {@code .taken/<pickup>~<name>}: the vendor's name is restored, and the pickup reference makes a file
     * found there again after a crash resume its delivery.
     */
    public void receive(Exchange exchange) throws SQLException, java.io.IOException {
        String feed = exchange.getIn().getHeader(Intake.FEED, String.class);
        Taken taken = Taken.of(exchange);
        String pickup = taken.pickupRef();
        String name = taken.name();
        String sha = exchange.getIn().getHeader(Intake.SHA256, String.class);
        long size = Files.size(Path.of(exchange.getIn().getHeader(Intake.ARCHIVED, String.class)));
        Deliveries.Received received = Deliveries.receive(dataSource, feed, name, sha, size, pickup, holder(exchange),
                leaseSeconds);
        Deliveries.Step step = received.step();
        String include = feeds.containsKey(feed) && feeds.get(feed).sftp() != null ? feeds.get(feed).sftp().include() : null;
        if ("received".equals(step.status()) && include != null && !name.matches(include)) {
            Deliveries.quarantine(dataSource, step.id(), "the file name does not match the names this feed takes ("
                    + include + "); nothing of it was read");
            try (Connection c = dataSource.getConnection()) {
                step = Deliveries.step(c, step.id());
            }
            LOG.warn("Feed {}: {} does not match the feed's file names; quarantined as delivery {}", feed, name, step.id());
        }
        exchange.getIn().setHeader(Intake.DELIVERY_ID, step.id());
        exchange.getIn().setHeader(Intake.STATUS, step.status());
        exchange.getIn().setHeader(STEP, step.next());
        if (received.leased()) {
            exchange.getIn().setHeader(LEASED, step.id());
        }
        if ("duplicate".equals(step.status())) {
            LOG.info("Feed {}: {} has the content of an earlier delivery of the feed; skipped as delivery {}", feed,
                    name, step.id());
        }
    }

    /**
     * Re-processing (ops console): the archived content of a quarantined delivery becomes a new delivery,
     * received, which then goes through the same steps as a file taken from an inbox (and is resumed like one).
     */
    public void reprocess(Exchange exchange) throws SQLException, java.io.IOException {
        String feed = exchange.getIn().getHeader(Intake.FEED, String.class);
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        String sha = exchange.getIn().getHeader(Intake.SHA256, String.class);
        long size = Files.size(Path.of(exchange.getIn().getHeader(Intake.ARCHIVED, String.class)));
        long id;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            id = Deliveries.insert(c, feed, name, sha, size, "received", null);
            Deliveries.setPickup(c, id, "reprocess-" + java.util.UUID.randomUUID());
            c.commit();
        }
        Deliveries.claim(dataSource, id, holder(exchange), leaseSeconds);
        exchange.getIn().setHeader(Intake.DELIVERY_ID, id);
        exchange.getIn().setHeader(Intake.STATUS, "received");
    }

    /**
     * A file taken from an inbox: the pickup reference and the vendor's own file name, from the name it was
     * moved to ({@code <pickup>~<name>}); a name without the mark is the vendor's name, with no pickup.
     */
    public record Taken(String pickupRef, String name) {
        /** Reads the exchange's file name and puts the vendor's own name back in {@code CamelFileNameOnly}. */
        public static Taken of(Exchange exchange) {
            String taken = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
            int mark = taken.indexOf(PICKUP_MARK);
            Taken t = mark > 0 ? new Taken(taken.substring(0, mark), taken.substring(mark + 1)) : new Taken(null, taken);
            exchange.getIn().setHeader(Exchange.FILE_NAME_ONLY, t.name());
            return t;
        }
    }

    /**
     * Takes the lease on the exchange's delivery and sets what is left to do ({@link #STEP}: {@code none} when
     * another node holds it or it is finished), with the headers the steps read.
     */
    public void claim(Exchange exchange) throws SQLException {
        long id = exchange.getIn().getHeader(Intake.DELIVERY_ID, Long.class);
        if (Long.valueOf(id).equals(exchange.getIn().getHeader(LEASED, Long.class))) {
            // made and leased to this exchange by receive, in the transaction its headers were read in: the lease is
            // this work's and the headers are the delivery's state (a claim and a read again were two round trips
            // more on a feed's intake thread, a file's chain)
            exchange.getIn().removeHeader(LEASED);
            return;
        }
        if (!Deliveries.claim(dataSource, id, holder(exchange), leaseSeconds)) {
            exchange.getIn().setHeader(STEP, "none");
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            Deliveries.Step step = Deliveries.step(c, id);
            exchange.getIn().setHeader(Intake.FEED, step.feed());
            exchange.getIn().setHeader(Intake.STATUS, step.status());
            exchange.getIn().setHeader(Intake.SHA256, step.sha256());
            exchange.getIn().setHeader(Exchange.FILE_NAME_ONLY, step.sourceName());
            exchange.getIn().setHeader(STEP, step.next());
        }
    }

    /** Who works on a delivery: this node, and the exchange (a lease is one piece of work's, not the node's). */
    private String holder(Exchange exchange) {
        return owner + "/" + exchange.getExchangeId();
    }

    /** Sets {@link #STEP} from the delivery's state after a step. */
    public void next(Exchange exchange) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Deliveries.Step step = Deliveries.step(c, exchange.getIn().getHeader(Intake.DELIVERY_ID, Long.class));
            exchange.getIn().setHeader(Intake.STATUS, step.status());
            exchange.getIn().setHeader(STEP, step.next());
        }
    }

    /**
     * The fault clause's step for a fault of the data: a delivery not yet staged is quarantined with the kind of
     * fault (its acknowledgement follows); one that is staged keeps what it applied, records the fault and is
     * tried again by recovery. Nothing of the fault's own text is kept: it may quote the data.
     */
    public void fail(Exchange exchange) throws SQLException {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Long id = exchange.getIn().getHeader(Intake.DELIVERY_ID, Long.class);
        String feed = exchange.getIn().getHeader(Intake.FEED, String.class);
        String reason = Faults.describe(t);
        if (id == null) {
            LOG.error("Feed {}: a taken file failed before it was recorded ({}); it stays in the pickup folder and is "
                    + "taken again at the next start", feed, t == null ? "?" : t.getClass().getName());
            exchange.getIn().setHeader(STEP, "none");
            return;
        }
        String step = exchange.getIn().getHeader(STEP, "stage", String.class);
        if ("stage".equals(step)) {
            Deliveries.quarantine(dataSource, id, reason + "; nothing of it was applied");
            LOG.warn("Feed {}: delivery {} quarantined: {} ({})", feed, id, reason, t == null ? "?" : t.getClass().getName());
            next(exchange);
        } else {
            Deliveries.failedStep(dataSource, id, reason);
            LOG.error("Feed {}: delivery {} failed in step {} ({}); recovery tries it again", feed, id, step,
                    t == null ? "?" : t.getClass().getName());
            exchange.getIn().setHeader(STEP, "none");
        }
    }

    /** The acknowledgement is in the vendor's outbox: the delivery is done. */
    public void acknowledged(Exchange exchange) throws SQLException {
        Deliveries.acknowledged(dataSource, exchange.getIn().getHeader(Intake.DELIVERY_ID, Long.class));
    }

    /**
     * Leases a delivery staged outside an inbox (a district upload) to this node, in the staging transaction: until
     * {@link #processed} or {@link #failed}, recovery leaves it to the work that staged it.
     */
    public void lease(Connection c, long deliveryId) throws SQLException {
        Deliveries.lease(c, deliveryId, owner + "/staged-" + deliveryId, leaseSeconds);
    }

    /** Recovery's lease on a delivery staged outside an inbox: false when live work holds it or it is finished. */
    public boolean claim(long deliveryId) throws SQLException {
        return Deliveries.claim(dataSource, deliveryId, owner + "/recovery-" + java.util.UUID.randomUUID(), leaseSeconds);
    }

    /** A delivery staged outside an inbox is processed: done, its lease let go. */
    public void processed(long deliveryId) throws SQLException {
        Deliveries.processedAndReleased(dataSource, deliveryId);
    }

    /**
     * A step after staging failed on a delivery staged outside an inbox: the attempt recorded (without the fault's
     * text: it may quote the data) and the lease let go, so recovery tries it again.
     */
    public void failed(String feed, long deliveryId, String step, Throwable t) throws SQLException {
        Deliveries.failedStep(dataSource, deliveryId, Faults.describe(t));
        LOG.error("Feed {}: delivery {} failed in step {} ({}); recovery tries it again", feed, deliveryId, step,
                t.getClass().getName());
    }

    /** A feed's deliveries staged outside an inbox that did not finish, that no live lease holds, oldest first. */
    public List<Long> unfinishedStaged(String feed) throws SQLException {
        return Deliveries.unfinishedStaged(dataSource, feed, maxAttempts);
    }

    /** Deliveries to resume (the recovery route's body). */
    public List<Long> unfinished() throws SQLException {
        List<Long> ids = Deliveries.unfinished(dataSource, maxAttempts);
        if (!ids.isEmpty()) {
            LOG.info("Resuming {} unfinished deliver{}", ids.size(), ids.size() == 1 ? "y" : "ies");
        }
        return ids;
    }
}
