package org.credentialhub.sis;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Audit;
import org.credentialhub.store.Rows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * SIS bundles held for approval (docs/guards.md, guard 1): what operations see of them, their decision
 * (approve: the bundle is applied as it is; reject: nothing of it ever is), and the bundles of the same
 * source that waited behind them, taken up in order once it is decided. Each decision's outcome is sent to
 * the SIS once, as {@code <bundle>.outcome.ack.json} ({@link #outcomes}, {@link #sent}; routes/intake-sis.yaml).
 */
public final class SisHolds {
    private static final Logger LOG = LoggerFactory.getLogger(SisHolds.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final DataSource dataSource;
    private final OneRosterImport importer;
    private final Path verdicts;

    /** @param verdicts where outcomes go for a feed without an SFTP outbox (the folder bundles' verdicts) */
    public SisHolds(DataSource dataSource, OneRosterImport importer, Path verdicts) {
        this.dataSource = dataSource;
        this.importer = importer;
        this.verdicts = verdicts;
    }

    // ------------------------------------------------------------------ recorded by the import

    /** The source's oldest bundle that is held and not decided (a later bundle waits for it), or null. */
    static Long pending(Connection c, String feed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select min(delivery_id) from sis_hold where feed_code = ? and decision is null and outcome is null""")) {
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                return rs.wasNull() ? null : id;
            }
        }
    }

    /** Copies the bundle (zip or folder) to {@code holdDir/<delivery>[.zip]}, where a decision takes it up. */
    static Path keep(Path holdDir, long deliveryId, Path bundle) {
        if (holdDir == null) {
            throw new IllegalStateException("no folder for held SIS bundles is configured");
        }
        try {
            org.credentialhub.support.PrivateFiles.folder(holdDir);
            if (Files.isDirectory(bundle)) {
                Path target = holdDir.resolve(String.valueOf(deliveryId));
                Files.createDirectories(target);
                try (Stream<Path> files = Files.list(bundle)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(f, target.resolve(f.getFileName().toString()),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                return target;
            }
            Path target = holdDir.resolve(deliveryId + ".zip");
            Files.copy(bundle, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("the held bundle could not be kept", e);
        }
    }

    static void record(Connection c, long deliveryId, String feed, Path bundle, String reason, Map<String, Object> impact,
                       Long waitsFor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into sis_hold (delivery_id, feed_code, bundle_path, reason, impact, waits_for)
                values (?, ?, ?, ?, ?::jsonb, ?)
                on conflict (delivery_id) do update set reason = excluded.reason, impact = excluded.impact,
                    waits_for = excluded.waits_for, held_at = now()""")) {
            ps.setLong(1, deliveryId);
            ps.setString(2, feed);
            ps.setString(3, bundle.toAbsolutePath().toString());
            ps.setString(4, reason);
            ps.setString(5, impact == null ? null : JSON.writeValueAsString(impact));
            ps.setObject(6, waitsFor);
            ps.executeUpdate();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A held delivery's hold as its verdict carries it (reason, waits_for, impact). */
    static Map<String, Object> holdOf(Connection c, long deliveryId) throws SQLException {
        List<Map<String, Object>> rows = Rows.list(c, """
                select reason, waits_for, impact::text as impact from sis_hold where delivery_id = ?""", List.of(deliveryId));
        Map<String, Object> hold = new LinkedHashMap<>();
        if (!rows.isEmpty()) {
            Map<String, Object> r = rows.get(0);
            hold.put("reason", r.get("reason"));
            if (r.get("waits_for") != null) {
                hold.put("waits_for", r.get("waits_for"));
            }
            if (r.get("impact") != null) {
                hold.put("impact", parse((String) r.get("impact")));
            }
        }
        return hold;
    }

    private static Object parse(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Object>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ what operations see and decide

    /** Held bundles not yet decided (oldest first), then the last 50 decided ones. */
    public List<Map<String, Object>> list() throws SQLException {
        List<Map<String, Object>> out = Rows.list(dataSource, """
                (select h.delivery_id as delivery, h.feed_code as feed, d.source_name as bundle, h.reason, h.waits_for,
                        h.held_at::text as held_at, h.decision, h.decided_by, h.decided_at::text as decided_at, h.outcome,
                        h.impact::text as impact
                 from sis_hold h join delivery d using (delivery_id)
                 where h.decision is null and h.outcome is null order by h.delivery_id)
                union all
                (select h.delivery_id, h.feed_code, d.source_name, h.reason, h.waits_for, h.held_at::text, h.decision,
                        h.decided_by, h.decided_at::text, h.outcome, h.impact::text
                 from sis_hold h join delivery d using (delivery_id)
                 where h.decision is not null or h.outcome is not null order by h.delivery_id desc limit 50)""", List.of());
        for (Map<String, Object> m : out) {
            Object impact = m.remove("impact");
            m.put("impact", impact == null ? null : parse((String) impact));
        }
        return out;
    }

    /** One hold, or null. */
    public Map<String, Object> get(long deliveryId) throws SQLException {
        return list().stream().filter(m -> ((Number) m.get("delivery")).longValue() == deliveryId).findFirst()
                .orElseGet(() -> {
                    try {
                        List<Map<String, Object>> one = Rows.list(dataSource, """
                                select delivery_id as delivery, feed_code as feed, reason, decision, outcome
                                from sis_hold where delivery_id = ?""", List.of(deliveryId));
                        return one.isEmpty() ? null : one.get(0);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    /**
     * Approves (applies the bundle as it is, the guard not asked again) or rejects (nothing of it applied; the
     * delivery becomes {@code rejected}) a held bundle, then takes up the bundles of its source that waited
     * for it, in order (each may be held in turn). Returns the outcome per delivery.
     *
     * @throws IllegalArgumentException when the delivery is not a held bundle waiting for a decision
     */
    public Map<Long, String> decide(long deliveryId, boolean approve, Account who) throws SQLException {
        String feed;
        String source;
        Path bundle;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<Map<String, Object>> rows = Rows.list(c, """
                    select h.feed_code, d.source_name, h.bundle_path, h.decision, h.outcome, h.waits_for, h.reason
                    from sis_hold h join delivery d using (delivery_id) where h.delivery_id = ? for update of h""",
                    List.of(deliveryId));
            if (rows.isEmpty()) {
                c.rollback();
                throw new IllegalArgumentException("delivery " + deliveryId + " is not a held SIS bundle");
            }
            Map<String, Object> h = rows.get(0);
            if (h.get("decision") != null || h.get("outcome") != null) {
                c.rollback();
                throw new IllegalArgumentException("delivery " + deliveryId + " was decided already ("
                        + (h.get("decision") == null ? h.get("outcome") : h.get("decision")) + ")");
            }
            if (h.get("waits_for") != null) {
                c.rollback();
                throw new IllegalArgumentException("delivery " + deliveryId + " waits for delivery " + h.get("waits_for")
                        + ", held before it: decide that one first");
            }
            feed = (String) h.get("feed_code");
            source = (String) h.get("source_name");
            bundle = Path.of((String) h.get("bundle_path"));
            try (PreparedStatement ps = c.prepareStatement("""
                    update sis_hold set decision = ?, decided_by = ?, decided_at = now() where delivery_id = ?""")) {
                ps.setString(1, approve ? "approved" : "rejected");
                ps.setString(2, who == null ? "system" : who.username());
                ps.setLong(3, deliveryId);
                ps.executeUpdate();
            }
            Audit.record(c, who, approve ? "sis-hold-approve" : "sis-hold-reject", "delivery", String.valueOf(deliveryId),
                    null, Map.of("status", "held", "reason", h.get("reason")), null);
            if (!approve) {
                org.credentialhub.store.Deliveries.rejectHeld(c, deliveryId);
                outcome(c, deliveryId, "rejected");
            }
            c.commit();
        }
        Map<Long, String> outcomes = new LinkedHashMap<>();
        if (approve) {
            Verdict v;
            try {
                v = importer.importBundle(feed, bundle, source, null, deliveryId, true);
            } catch (SQLException | RuntimeException e) {
                // not applied (the database failed): the bundle stays held, to be approved again
                try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                        "update sis_hold set decision = null, decided_by = null, decided_at = null where delivery_id = ?")) {
                    ps.setLong(1, deliveryId);
                    ps.executeUpdate();
                }
                throw e;
            }
            setOutcome(deliveryId, v.status());
            outcomes.put(deliveryId, v.status());
        } else {
            outcomes.put(deliveryId, "rejected");
        }
        forget(bundle);
        LOG.info("SIS {}: held delivery {} {} by {}: {}", feed, deliveryId, approve ? "approved" : "rejected",
                who == null ? "system" : who.username(), outcomes.get(deliveryId));
        takeUpWaiting(feed, outcomes);
        return outcomes;
    }

    /** The bundles that waited for a decision, in order, until one is held in turn (the rest wait for it). */
    private void takeUpWaiting(String feed, Map<Long, String> outcomes) throws SQLException {
        while (true) {
            List<Map<String, Object>> next = Rows.list(dataSource, """
                    select h.delivery_id, d.source_name, h.bundle_path from sis_hold h join delivery d using (delivery_id)
                    where h.feed_code = ? and h.decision is null and h.outcome is null and h.waits_for is not null
                    order by h.delivery_id limit 1""", List.of(feed));
            if (next.isEmpty()) {
                return;
            }
            long id = ((Number) next.get(0).get("delivery_id")).longValue();
            Path bundle = Path.of((String) next.get(0).get("bundle_path"));
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("update sis_hold set waits_for = null where delivery_id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            Verdict v = importer.importBundle(feed, bundle, (String) next.get(0).get("source_name"), null, id, false);
            outcomes.put(id, v.status());
            if (v.held()) {
                try (Connection c = dataSource.getConnection();
                     PreparedStatement ps = c.prepareStatement("""
                             update sis_hold set waits_for = ? where feed_code = ? and decision is null and outcome is null
                               and waits_for is not null and delivery_id > ?""")) {
                    ps.setLong(1, id);
                    ps.setString(2, feed);
                    ps.setLong(3, id);
                    ps.executeUpdate();
                }
                return;
            }
            setOutcome(id, v.status());
            forget(bundle);
        }
    }

    private void setOutcome(long deliveryId, String status) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            outcome(c, deliveryId, status);
        }
    }

    private static void outcome(Connection c, long deliveryId, String status) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update sis_hold set outcome = ? where delivery_id = ?")) {
            ps.setString(1, status);
            ps.setLong(2, deliveryId);
            ps.executeUpdate();
        }
    }

    private static void forget(Path bundle) {
        try {
            if (Files.isDirectory(bundle)) {
                org.credentialhub.support.PrivateFiles.deleteTree(bundle);
            } else {
                Files.deleteIfExists(bundle);
            }
        } catch (IOException e) {
            LOG.warn("A held bundle's copy could not be removed: {}", e.getClass().getSimpleName());
        }
    }

    // ------------------------------------------------------------------ outcomes back to the SIS

    /**
     * The outcomes not yet sent, each as the SIS reads it: {@code feed}, {@code name}
     * ({@code <bundle>.outcome.ack.json}, or {@code <bundle>.<delivery>.outcome.ack.json} when the source sent that
     * name before), {@code delivery}, {@code status} and {@code body} (the JSON bytes).
     */
    public List<Map<String, Object>> outcomes() throws SQLException, IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (Map<String, Object> h : Rows.list(c, """
                    select h.delivery_id, h.feed_code, d.source_name, d.status, d.reason, h.decision, h.decided_by,
                           h.decided_at::text as decided_at, h.outcome
                    from sis_hold h join delivery d using (delivery_id)
                    where h.outcome is not null and h.outcome_sent_at is null order by h.delivery_id""", List.of())) {
                long id = ((Number) h.get("delivery_id")).longValue();
                Map<String, Object> ack = new LinkedHashMap<>();
                ack.put("bundle", h.get("source_name"));
                ack.put("feed", h.get("feed_code"));
                ack.put("delivery", id);
                ack.put("held", true);
                ack.put("decision", h.get("decision") == null ? "taken up after the bundle held before it was decided"
                        : h.get("decision"));
                if (h.get("decided_at") != null) {
                    ack.put("decided_at", h.get("decided_at"));
                }
                String status = (String) h.get("status");
                ack.put("status", "accepted".equals(status) ? "accepted" : "duplicate".equals(status) ? "duplicate"
                        : "rejected".equals(status) ? "rejected" : "held".equals(status) ? "held for approval" : "refused");
                if (h.get("reason") != null) {
                    ack.put("reason", h.get("reason"));
                }
                if (!"accepted".equals(status)) {
                    ack.put("errors", Rows.list(c, """
                            select file, line, field as column, message from delivery_problem
                            where delivery_id = ? and severity = 'error' order by seq limit 100""", List.of(id)));
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("feed", h.get("feed_code"));
                m.put("delivery", id);
                m.put("status", status);
                m.put("name", outcomeName(c, id, (String) h.get("feed_code"), (String) h.get("source_name")));
                m.put("body", PRETTY.writeValueAsBytes(ack));
                out.add(m);
            }
        }
        return out;
    }

    private static String outcomeName(Connection c, long id, String feed, String source) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select exists (select 1 from delivery where feed_code = ? and source_name = ? and delivery_id < ?)""")) {
            ps.setString(1, feed);
            ps.setString(2, source);
            ps.setLong(3, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1) ? source + "." + id + ".outcome.ack.json" : source + ".outcome.ack.json";
            }
        }
    }

    /**
     * The outcomes not yet sent as the route sends them (routes/intake-sis.yaml): each also says where it goes,
     * {@code outbox} (the feed's SFTP outbox route) or {@code verdicts} (a folder, for a feed without one).
     */
    public void outcomesToSend(org.apache.camel.Exchange exchange) throws SQLException, IOException {
        List<Map<String, Object>> out = outcomes();
        for (Map<String, Object> m : out) {
            boolean outbox = exchange.getContext().getRoute("outbox-" + m.get("feed")) != null;
            m.put("outbox", outbox);
            m.put("verdicts", verdicts == null ? "" : verdicts.toString());
        }
        exchange.getIn().setBody(out);
    }

    /** The route's step once an outcome is written: header {@code hubDeliveryId}. */
    public void outcomeSent(org.apache.camel.Exchange exchange) throws SQLException {
        sent(exchange.getIn().getHeader("hubDeliveryId", Long.class));
    }

    /** The outcome of a held delivery is in the SIS's outbox: it is not sent again. */
    public void sent(long deliveryId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "update sis_hold set outcome_sent_at = now() where delivery_id = ? and outcome_sent_at is null")) {
            ps.setLong(1, deliveryId);
            ps.executeUpdate();
        }
    }

    /** Holds not decided, for health and metrics. */
    public static long undecided(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select count(*) from sis_hold where decision is null and outcome is null");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
