package org.credentialhub.web;

import org.apache.camel.Exchange;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Role;
import org.credentialhub.sis.SisHolds;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operational guards in the console API (docs/guards.md), ops only: SIS bundles held for approval
 * ({@code GET /api/sis/holds}, {@code GET /api/sis/holds/{id}}, {@code POST /api/sis/holds/{id}/approve|reject}).
 */
public final class GuardsApi {
    private final SisHolds holds;
    private final org.credentialhub.guards.Alarms alarms;
    private final org.credentialhub.guards.Corrections corrections;
    private final org.credentialhub.exceptions.ExceptionQueue queue;

    public GuardsApi(SisHolds holds, org.credentialhub.guards.Alarms alarms, org.credentialhub.guards.Corrections corrections,
                     org.credentialhub.exceptions.ExceptionQueue queue) {
        this.holds = holds;
        this.alarms = alarms;
        this.corrections = corrections;
        this.queue = queue;
    }

    /** GET /api/guards/alarms: open alarms (match rate, late feeds), newest first. */
    public void alarms(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        Web.json(ex, Map.of("alarms", alarms.open()));
    }

    /**
     * POST /api/guards/alarms/{id}/clear: ops saw the alarm; one that held its delivery releases it (its exceptions
     * are queued now).
     */
    public void clearAlarm(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, Role.OPS);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        Long released;
        try {
            released = alarms.clear(id, a.username());
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound();
        }
        if (released != null) {
            queue.refreshDelivery(released);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("alarm", id);
        out.put("cleared", true);
        out.put("delivery", released);
        Web.json(ex, out);
    }

    /**
     * GET /api/corrections: a vendor's corrections (its own candidate ids, files and rows with the districts'
     * outcomes), for a feed whose agreement has them sent; ops see every feed's.
     */
    public void corrections(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, Role.VENDOR, Role.OPS);
        Web.json(ex, Map.of("corrections", corrections.of(a.isOps() ? null : a.feedCode() == null ? "-" : a.feedCode())));
    }

    /** GET /api/sis/holds: held bundles not decided (with what each would do), then the last decided ones. */
    public void holds(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        Web.json(ex, Map.of("holds", holds.list()));
    }

    /** GET /api/sis/holds/{id}. */
    public void hold(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        Map<String, Object> h = holds.get(Web.parseLong(ex.getIn().getHeader("id", String.class)));
        if (h == null) {
            throw ApiException.notFound();
        }
        Web.json(ex, h);
    }

    /** POST /api/sis/holds/{id}/approve: the bundle is applied as it is; the bundles that waited are taken up. */
    public void approve(Exchange ex) throws SQLException {
        decide(ex, true);
    }

    /** POST /api/sis/holds/{id}/reject: nothing of the bundle is applied; the bundles that waited are taken up. */
    public void reject(Exchange ex) throws SQLException {
        decide(ex, false);
    }

    private void decide(Exchange ex, boolean approve) throws SQLException {
        Account a = Web.caller(ex, Role.OPS);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        Map<Long, String> outcomes;
        try {
            outcomes = holds.decide(id, approve, a);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("delivery", id);
        out.put("decision", approve ? "approved" : "rejected");
        Map<String, String> each = new LinkedHashMap<>();
        outcomes.forEach((k, v) -> each.put(String.valueOf(k), v));
        out.put("outcomes", each);
        Web.json(ex, out);
    }
}
