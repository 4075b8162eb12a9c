package org.credentialhub.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Role;
import org.credentialhub.support.CsvOut;
import org.credentialhub.exceptions.Decisions;
import org.credentialhub.exceptions.QueueView;
import org.credentialhub.roster.RosterSearch;
import org.credentialhub.support.Hmac;

import javax.sql.DataSource;

import static org.credentialhub.web.Web.param;
import static org.credentialhub.web.Web.parseInt;
import static org.credentialhub.web.Web.parseLong;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The district exception queue. A district account sees, counts and changes only its own district's
 * exceptions and searches only its own district's roster; ops see every district and the state's
 * queue (exceptions no district could be told for).
 */
public final class ExceptionsApi {
    private static final Role[] DECIDERS = {Role.OPS, Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF};

    private final DataSource dataSource;
    private final QueueView queue;
    private final Decisions decisions;
    private final Hmac hmac;
    private final org.credentialhub.exceptions.Assignments assignments;
    private final int undoMinutes;

    public ExceptionsApi(DataSource dataSource, Decisions decisions, Hmac hmac) {
        this(dataSource, decisions, hmac, QueueView.Suggest.defaults(), 30);
    }

    /**
     * @param suggest     when a top candidate is clearly ahead (hub.exceptions.suggest.*)
     * @param undoMinutes how long one's own decision can be undone (hub.exceptions.undo-minutes)
     */
    public ExceptionsApi(DataSource dataSource, Decisions decisions, Hmac hmac, QueueView.Suggest suggest, int undoMinutes) {
        this.dataSource = dataSource;
        this.queue = new QueueView(dataSource, suggest);
        this.decisions = decisions;
        this.hmac = hmac;
        this.assignments = new org.credentialhub.exceptions.Assignments(dataSource);
        this.undoMinutes = undoMinutes;
    }

    /** The caller's scope and the request's filters. */
    private static QueueView.Query query(Exchange ex, Account a) {
        Integer minAge = null;
        String age = param(ex, "minAgeDays");
        if (age != null) {
            try {
                minAge = Integer.parseInt(age);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("minAgeDays is a whole number");
            }
        }
        String assignee = param(ex, "assignee");
        if (assignee != null && !assignee.equals("me") && !assignee.equals("none")) {
            throw ApiException.badRequest("assignee is me or none");
        }
        return new QueueView.Query(a, a.isOps() ? param(ex, "district") : null, param(ex, "status"),
                param(ex, "kind"), param(ex, "feed"), param(ex, "credential"), param(ex, "school"), minAge,
                assignee, "true".equals(param(ex, "suggested")));
    }

    /** GET /api/exceptions: counts by kind and a page of exceptions matching the filters. */
    public void list(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        QueueView.Query q = query(ex, a);
        Map<String, Object> page = queue.page(q, parseInt(param(ex, "offset"), 0), param(ex, "sort"), param(ex, "dir"));
        page.put("suggest", Map.of("minProbability", queue.suggest().minProbability(),
                "minMarginBits", queue.suggest().minMarginBits()));
        Web.json(ex, page);
    }

    /** GET /api/exceptions/{id}: what the vendor sent, and the candidate students with scores and reasons. */
    public void detail(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        long id = parseLong(ex.getIn().getHeader("id", String.class));
        Map<String, Object> out = queue.detail(id, a);
        if (out == null) {
            throw ApiException.notFound();
        }
        out.put("undo_minutes", undoMinutes);
        try {
            for (Object o : (List<?>) out.get("candidates")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> cand = (Map<String, Object>) o;
                cand.put("reasons", Web.JSON.readTree(String.valueOf(cand.get("reasons"))));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Web.json(ex, out);
    }

    /** POST /api/exceptions/{id}/decision {action: link|reject|defer, studentId | stateId, note}. */
    public void decide(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        long id = parseLong(ex.getIn().getHeader("id", String.class));
        JsonNode body = Web.body(ex);
        Web.json(ex, decideOne(a, id, body));
    }

    private Map<String, Object> decideOne(Account a, long exceptionId, JsonNode body) throws SQLException {
        Long resultId = queue.resultOf(exceptionId, a);
        if (resultId == null) {
            throw ApiException.notFound();
        }
        Decisions.Action action;
        try {
            action = Decisions.Action.valueOf(body.path("action").asText("").toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("action is link, reject or defer");
        }
        Long studentId = body.hasNonNull("studentId") ? body.get("studentId").asLong() : null;
        String stateId = body.hasNonNull("stateId") ? body.get("stateId").asText() : null;
        try {
            // the version the page showed (items[].version): a decision is bound to it
            Integer version = body.hasNonNull("version") ? body.get("version").asInt() : null;
            return decisions.decide(a, resultId, action, studentId, stateId, body.path("note").asText(null), version);
        } catch (Decisions.DecisionException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** POST /api/exceptions/bulk {ids: [...], action, studentId?, note?}: the same decision on many alike. */
    public void bulk(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        JsonNode body = Web.body(ex);
        if (!body.path("ids").isArray() || body.path("ids").isEmpty() || body.path("ids").size() > 1000) {
            throw ApiException.badRequest("ids is a list of 1 to 1000 exception ids");
        }
        if ("link".equalsIgnoreCase(body.path("action").asText())) {
            throw ApiException.badRequest("bulk actions are reject and defer; link one at a time");
        }
        List<Object> done = new ArrayList<>();
        List<Object> failed = new ArrayList<>();
        for (JsonNode id : body.get("ids")) {
            try {
                done.add(decideOne(a, id.asLong(), body));
            } catch (ApiException e) {
                failed.add(Map.of("id", id.asLong(), "error", e.getMessage()));
            }
        }
        Web.json(ex, Map.of("decided", done, "failed", failed));
    }

    /** The ids of a request body ({@code ids}: 1 to 1000 exception ids). */
    private static List<Long> ids(JsonNode body) {
        if (!body.path("ids").isArray() || body.path("ids").isEmpty() || body.path("ids").size() > 1000) {
            throw ApiException.badRequest("ids is a list of 1 to 1000 exception ids");
        }
        List<Long> ids = new ArrayList<>();
        for (JsonNode id : body.get("ids")) {
            if (!id.canConvertToLong()) {
                throw ApiException.badRequest("ids is a list of 1 to 1000 exception ids");
            }
            ids.add(id.asLong());
        }
        return ids;
    }

    /**
     * POST /api/exceptions/accept-suggestions {ids, preview, note?}: of the selected exceptions, those whose top
     * candidate is clearly ahead ({@link QueueView.Suggest}). With {@code preview: true} it only lists them (and the
     * others as skipped); else it links each to its top candidate, bound to the version shown, and says which failed.
     */
    public void acceptSuggestions(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        JsonNode body = Web.body(ex);
        List<Long> ids = ids(body);
        List<Map<String, Object>> clear = queue.suggestions(ids, a);
        java.util.Set<Long> eligible = new java.util.HashSet<>();
        clear.forEach(s -> eligible.add(((Number) s.get("id")).longValue()));
        List<Long> skipped = ids.stream().filter(i -> !eligible.contains(i)).toList();
        if (body.path("preview").asBoolean(false)) {
            Web.json(ex, Map.of("suggestions", clear, "skipped", skipped));
            return;
        }
        String note = body.path("note").asText("").isBlank() ? "accepted the suggested candidate"
                : "accepted the suggested candidate: " + body.path("note").asText();
        List<Object> done = new ArrayList<>();
        List<Object> failed = new ArrayList<>();
        for (Map<String, Object> s : clear) {
            long result = ((Number) s.get("result")).longValue();
            try {
                done.add(decisions.decide(a, result, Decisions.Action.LINK, ((Number) s.get("student_id")).longValue(),
                        null, note, ((Number) s.get("version")).intValue()));
            } catch (Decisions.DecisionException e) {
                failed.add(Map.of("id", s.get("id"), "error", e.getMessage()));
            }
        }
        Web.json(ex, Map.of("decided", done, "failed", failed, "skipped", skipped));
    }

    /** POST /api/exceptions/{id}/reopen: undoes the caller's own recent decision on the exception's result. */
    public void reopen(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        long id = parseLong(ex.getIn().getHeader("id", String.class));
        Long resultId = queue.resultOf(id, a);
        if (resultId == null) {
            throw ApiException.notFound();
        }
        try {
            Web.json(ex, decisions.reopen(a, resultId, undoMinutes));
        } catch (Decisions.DecisionException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** POST /api/exceptions/assign {ids, take}: the caller takes the exceptions (take true) or gives them back. */
    public void assign(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        JsonNode body = Web.body(ex);
        List<Long> ids = ids(body);
        Web.json(ex, Map.of("changed", assignments.assign(a, ids, body.path("take").asBoolean(true))));
    }

    /** GET /api/audit?user=&action=&offset=: the audit trail, newest first; district accounts their district's. */
    public void audit(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        Web.json(ex, org.credentialhub.accounts.Audit.page(dataSource, a, param(ex, "user"), param(ex, "action"),
                parseInt(param(ex, "offset"), 0)));
    }

    /** GET /api/roster/search?q=: students of the caller's district by name or state ID (ops: all). */
    public void searchRoster(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        String q = param(ex, "q");
        if (q == null || q.length() < 2) {
            throw ApiException.badRequest("q needs at least 2 characters");
        }
        String byId = q.replaceAll("[\\s.-]", "").matches("\\d{6,}") ? hmac.stateId(q) : null;
        Web.json(ex, Map.of("students", RosterSearch.search(dataSource, a, byId, q)));
    }

    /** GET /api/exceptions.csv: the filtered queue as CSV, spreadsheet formulas escaped. */
    public void exportCsv(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        CsvOut sb = new CsvOut().row("exception_id", "kind", "status", "district", "feed", "source", "row", "exam_code",
                "credential", "attempted_on", "passed", "first_name", "last_name", "birth_date", "school_name");
        for (Map<String, Object> r : queue.export(query(ex, a))) {
            sb.row(r.values());
        }
        Web.csv(ex, sb.toString(), "exceptions.csv");
    }

}
