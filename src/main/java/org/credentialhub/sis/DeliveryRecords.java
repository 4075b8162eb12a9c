package org.credentialhub.sis;

import org.credentialhub.store.CopyWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the books of the bundles a SIS delivers: each is a {@code delivery} of its feed (processing, then
 * accepted, refused, held or a duplicate), with its verdict and its problems ({@code delivery_problem}),
 * committed with the import's transaction.
 */
final class DeliveryRecords {
    /** The import's log: its verdicts are logged as {@link OneRosterImport}'s. */
    private static final Logger LOG = LoggerFactory.getLogger(OneRosterImport.class);

    private DeliveryRecords() {
    }

    /**
     * The delivery a bundle is imported as, being processed: a new one, or a held one taken up again
     * ({@code held}, its row reused).
     */
    static long processing(Connection c, Long held, String feed, String sourceName, String sha, long size,
                           String pickupRef) throws SQLException {
        if (held != null) {
            org.credentialhub.store.Deliveries.setStatus(c, held, "processing", null);
            return held;
        }
        long deliveryId = org.credentialhub.store.Deliveries.insert(c, feed, sourceName, sha, size, "processing", null);
        org.credentialhub.store.Deliveries.setPickup(c, deliveryId, pickupRef);
        return deliveryId;
    }

    /** Records the published bundle as accepted, with its warnings, and commits the import. */
    static Verdict accepted(Connection c, String feed, String sourceName, long deliveryId, String version,
                            Map<String, Long> rows, Problems problems) throws SQLException {
        long total = rows.values().stream().mapToLong(Long::longValue).sum();
        finishDelivery(c, deliveryId, "accepted", total, total, 0, summary(problems, true));
        Verdicts.record(c, deliveryId, version, rows);
        recordProblems(c, deliveryId, problems);
        c.commit();
        LOG.info("SIS {}: {} accepted as delivery {} (OneRoster {}, {} rows, {} warning(s))", feed, sourceName,
                deliveryId, version, total, problems.count());
        return new Verdict(deliveryId, true, version, rows, List.copyOf(problems.list()), problems.count(), null, null);
    }

    /**
     * Records the bundle as held (a new delivery, or the held one taken up again), with a copy of it under
     * {@code holdDir} that a decision takes up later; nothing of it is applied.
     */
    static Verdict hold(Connection c, Long held, String feed, String sourceName, String sha, long size, String pickupRef,
                        Path bundle, Path holdDir, Long waitsFor, Map<String, Object> impact, String reason)
            throws SQLException {
        long id;
        if (held == null) {
            id = org.credentialhub.store.Deliveries.insert(c, feed, sourceName, sha, size, "held", "held for approval: " + reason);
            org.credentialhub.store.Deliveries.setPickup(c, id, pickupRef);
        } else {
            id = held;
            org.credentialhub.store.Deliveries.setStatus(c, id, "held", "held for approval: " + reason);
        }
        SisHolds.record(c, id, feed, held == null ? SisHolds.keep(holdDir, id, bundle) : bundle, reason, impact, waitsFor);
        c.commit();
        LOG.warn("SIS {}: {} held for approval as delivery {}: {}", feed, sourceName, id, reason);
        Map<String, Object> hold = new LinkedHashMap<>();
        hold.put("reason", reason);
        if (waitsFor != null) {
            hold.put("waits_for", waitsFor);
        }
        if (impact != null) {
            hold.put("impact", impact);
        }
        return new Verdict(id, false, null, Map.of(), List.of(), 0, null, hold);
    }

    /** A held bundle taken up again that is now refused (a stored class or resource it relied on is gone). */
    static Verdict refusedHeld(Connection c, long id, String version, Map<String, Long> rows, Problems problems)
            throws SQLException {
        Verdicts.record(c, id, version, rows);
        long total = rows.values().stream().mapToLong(Long::longValue).sum();
        finishDelivery(c, id, "quarantined", total, 0, total, summary(problems, false));
        recordProblems(c, id, problems);
        c.commit();
        return new Verdict(id, false, version, rows, List.copyOf(problems.list()), problems.count(), null, null);
    }

    static Verdict refused(Connection c, String feed, String sourceName, String sha, long size, String version,
                           Map<String, Long> rows, Problems problems, String pickupRef) throws SQLException {
        long id = org.credentialhub.store.Deliveries.insert(c, feed, sourceName, sha, size, "quarantined", summary(problems, false));
        org.credentialhub.store.Deliveries.setPickup(c, id, pickupRef);
        Verdicts.record(c, id, version, rows);
        long total = rows.values().stream().mapToLong(Long::longValue).sum();
        finishDelivery(c, id, "quarantined", total, 0, total, summary(problems, false));
        recordProblems(c, id, problems);
        c.commit();
        LOG.warn("SIS {}: {} refused as delivery {}: {}", feed, sourceName, id, summary(problems, false));
        return new Verdict(id, false, version, rows, List.copyOf(problems.list()), problems.count(), null, null);
    }

    /**
     * The source's last accepted delivery if its content is this bundle's: importing the bundle again
     * could change nothing. (The same content as an older bundle, with other bundles accepted since, is a
     * change back and is imported.)
     */
    static Long lastAcceptedWithContent(Connection c, String feed, String fingerprint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select delivery_id, content_sha256 from delivery
                where feed_code = ? and status = 'accepted' order by delivery_id desc limit 1""")) {
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && fingerprint.equals(rs.getString(2)) ? rs.getLong(1) : null;
            }
        }
    }

    static Verdict duplicate(Connection c, String feed, String sourceName, String fingerprint, long size,
                             long earlier, String pickupRef) throws SQLException {
        long id = org.credentialhub.store.Deliveries.insertDuplicate(c, feed, sourceName, fingerprint, size, earlier);
        org.credentialhub.store.Deliveries.setPickup(c, id, pickupRef);
        c.commit();
        LOG.info("SIS {}: {} has the content of delivery {}, the source's last accepted bundle; skipped as delivery {}",
                feed, sourceName, earlier, id);
        return Verdict.duplicate(id, earlier);
    }

    private static String summary(Problems problems, boolean accepted) {
        long errors = problems.errorCount();
        long warnings = problems.count() - errors;
        if (accepted) {
            return warnings == 0 ? null : warnings + " warning(s)";
        }
        String first = problems.list().stream().filter(Problem::isError).findFirst().map(Problem::toString).orElse("");
        return "refused: " + errors + " error(s), " + warnings + " warning(s); first " + first;
    }

    /** Makes the SIS source a feed of kind sis, if it is not one. */
    static void ensureFeed(Connection c, String feed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into feed (feed_code, kind, layout, description) values (?, 'sis', 'oneroster', 'SIS enrollments (OneRoster CSV)')
                on conflict (feed_code) do nothing""")) {
            ps.setString(1, feed);
            ps.executeUpdate();
        }
    }

    private static void finishDelivery(Connection c, long id, String status, long read, long accepted, long rejected,
                                       String reason) throws SQLException {
        org.credentialhub.store.Deliveries.finish(c, id, status, read, accepted, rejected, reason);
    }

    private static void recordProblems(Connection c, long deliveryId, Problems problems) throws SQLException {
        try (CopyWriter copy = new CopyWriter(c, "delivery_problem", "delivery_id", "seq", "severity", "file", "line",
                "field", "message")) {
            int seq = 0;
            for (Problem p : problems.list()) {
                copy.value(deliveryId).value(++seq).value(p.isError() ? "error" : "warning").value(p.file())
                        .value(p.line()).value(p.field()).value(p.message()).endRow();
            }
            if (problems.count() > problems.list().size()) {
                copy.value(deliveryId).value(++seq).value(problems.hasErrors() ? "error" : "warning").value(null).value(0)
                        .value(null).value((problems.count() - problems.list().size()) + " more problem(s) not listed")
                        .endRow();
            }
            copy.finish();
        }
    }}
