package org.credentialhub.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Audit;
import org.credentialhub.accounts.Role;
import org.credentialhub.district.DistrictEntries;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Results that districts enter for credentials with no vendor feed, with their evidence: a CSV upload
 * or a single entry (district staff and administrators, their own district only; ops any), pending
 * until a district administrator of that district validates or rejects each one. Files travel as
 * base64 in JSON (the HTTP body limit, camel.server.max-body-size, fits one evidence file of the documented
 * 10 MB); evidence is typed by its first bytes, parsed (PDFBox, ImageIO) and bounded in size.
 */
public final class DistrictEntriesApi {
    private static final Role[] DISTRICT = {Role.OPS, Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF};

    private final DataSource dataSource;
    private final DistrictEntries entries;
    private final org.credentialhub.exceptions.ExceptionQueue queue;

    public DistrictEntriesApi(DataSource dataSource, DistrictEntries entries,
                              org.credentialhub.exceptions.ExceptionQueue queue) {
        this.dataSource = dataSource;
        this.entries = entries;
        this.queue = queue;
    }

    /** Opens the pending_entry exceptions of a delivery's entries, for the district's queue. */
    private Map<String, Object> queued(Map<String, Object> ack) throws SQLException {
        if (ack.get("delivery") instanceof Number n) {
            queue.refreshDelivery(n.longValue());
        }
        return ack;
    }

    private static Map<String, Object> json(DistrictEntries.Pending p) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("result", p.resultId());
        m.put("district", p.districtCode());
        m.put("credential", p.credentialCode());
        m.put("earned_on", p.earnedOn() == null ? null : p.earnedOn().toString());
        m.put("source", p.source());
        m.put("row", p.row());
        m.put("evidence_file", p.evidenceFile());
        m.put("media_type", p.mediaType());
        m.put("evidence_bytes", p.evidenceBytes());
        m.put("entered_by", p.enteredBy());
        m.put("matched", p.studentId() != null);
        m.put("match_decision", p.matchDecision());
        return m;
    }

    private static byte[] base64(JsonNode node, String what) {
        try {
            return Base64.getDecoder().decode(node.asText(""));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(what + " is not base64");
        }
    }

    /**
     * POST /api/district-entries/upload {fileName, csv (base64), evidence: [{fileName, content (base64)}]}:
     * the CSV columns are district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,
     * score,evidence_file. Returns the acknowledgement (accepted, rejected rows with row, field, reason).
     */
    public void upload(Exchange ex) throws SQLException, IOException {
        Account a = Web.caller(ex, DISTRICT);
        JsonNode body = Web.body(ex);
        byte[] csv = base64(body.path("csv"), "csv");
        refuseDuplicateHeaders(csv);
        if (!a.isOps()) {
            try (CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                    .setDuplicateHeaderMode(org.apache.commons.csv.DuplicateHeaderMode.DISALLOW).get()
                    .parse(new StringReader(new String(csv, StandardCharsets.UTF_8)))) {
                for (CSVRecord r : p) {
                    if (!p.getHeaderMap().containsKey("district_code") || !a.districtCode().equals(r.get("district_code").trim())) {
                        throw ApiException.badRequest("row " + (r.getRecordNumber() + 1)
                                + ": district_code must be your district, " + a.districtCode());
                    }
                }
            } catch (java.io.UncheckedIOException e) {
                throw ApiException.badRequest("the CSV cannot be read");
            }
        }
        List<DistrictEntries.Evidence> evidence = new ArrayList<>();
        for (JsonNode e : body.path("evidence")) {
            evidence.add(new DistrictEntries.Evidence(e.path("fileName").asText(), base64(e.path("content"), "evidence")));
        }
        String name = body.path("fileName").asText("entries.csv");
        // the district of every staged row is checked again against the caller's (ops: any)
        Web.json(ex, 201, queued(entries.upload(name, csv, evidence, a.username(), a.isOps() ? null : a.districtCode())));
    }

    /**
     * Refuses a CSV whose header names a column twice (compared as the mapping readers compare them: trimmed,
     * case-insensitive, without a byte-order mark): one reader may take the first such column and another the
     * last, so the district this API checks would not be the district that is staged.
     */
    static void refuseDuplicateHeaders(byte[] csv) {
        try (CSVParser p = CSVFormat.RFC4180.parse(new StringReader(new String(csv, StandardCharsets.UTF_8)))) {
            java.util.Iterator<CSVRecord> it = p.iterator();
            if (!it.hasNext()) {
                return;
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String h : it.next()) {
                String key = h.replace("\uFEFF", "").trim().toLowerCase(java.util.Locale.ROOT);
                if (!key.isEmpty() && !seen.add(key)) {
                    throw ApiException.badRequest("the CSV header names the column " + key
                            + " more than once; name each column once");
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw ApiException.badRequest("the CSV cannot be read");
        }
    }

    /**
     * POST /api/district-entries {stateId, firstName, lastName, birthDate, credentialCode, earnedOn, score,
     * evidence: {fileName, content (base64)}, districtCode (ops only)}: one result.
     */
    public void enter(Exchange ex) throws SQLException, IOException {
        Account a = Web.caller(ex, DISTRICT);
        JsonNode b = Web.body(ex);
        String district = a.isOps() ? b.path("districtCode").asText(null) : a.districtCode();
        if (district == null || district.isBlank()) {
            throw ApiException.badRequest("districtCode is required");
        }
        LocalDate birth;
        LocalDate earned;
        try {
            birth = b.hasNonNull("birthDate") ? LocalDate.parse(b.get("birthDate").asText()) : null;
            earned = LocalDate.parse(b.path("earnedOn").asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.badRequest("birthDate and earnedOn are dates like 2025-03-14");
        }
        BigDecimal score = b.hasNonNull("score") ? new BigDecimal(b.get("score").asText()) : null;
        JsonNode ev = b.path("evidence");
        Map<String, Object> ack = entries.enter(new DistrictEntries.Entry(district, b.path("stateId").asText(null),
                        b.path("firstName").asText(null), b.path("lastName").asText(null), birth,
                        b.path("credentialCode").asText(null), earned, score),
                new DistrictEntries.Evidence(ev.path("fileName").asText("evidence"), base64(ev.path("content"), "evidence")),
                a.username());
        Web.json(ex, 201, queued(ack));
    }

    /** GET /api/district-entries/pending: the caller's district's entries awaiting validation (ops: all). */
    public void pending(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DISTRICT);
        List<DistrictEntries.Pending> list = entries.pending(a.isOps() ? null : a.districtCode());
        Web.json(ex, Map.of("pending", list.stream().map(DistrictEntriesApi::json).toList()));
    }

    /** GET /api/district-entries/credentials: the credentials a district may enter, for the picker. */
    public void credentials(Exchange ex) throws SQLException {
        Web.caller(ex, DISTRICT);
        Web.json(ex, Map.of("credentials", entries.credentials()));
    }

    /** GET /api/district-entries/template.csv: the upload's header row, to fill in. */
    public void template(Exchange ex) {
        Web.caller(ex, DISTRICT);
        Web.csv(ex, new org.credentialhub.support.CsvOut().row(DistrictEntries.COLUMNS).toString(),
                "district-entries-template.csv");
    }

    private DistrictEntries.Pending own(Account a, long resultId) throws SQLException {
        return entries.pendingEntry(a.isOps() ? null : a.districtCode(), resultId).orElseThrow(ApiException::notFound);
    }

    /** GET /api/district-entries/{id}/evidence: the evidence file, for its district (and ops). */
    public void evidence(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DISTRICT);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        DistrictEntries.Pending p = own(a, id);
        DistrictEntries.Evidence e = entries.evidence(p.resultId());
        Web.clearHeaders(ex);
        ex.getMessage().setBody(e.content());
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, p.mediaType());
        ex.getMessage().setHeader("Content-Disposition", "attachment; filename=\"evidence\"");
        ex.getMessage().setHeader("X-Content-Type-Options", "nosniff");
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
    }

    /** POST /api/district-entries/{id}/validate and /reject {reason}: a district administrator of that district, or ops. */
    public void validate(Exchange ex) throws SQLException {
        decide(ex, true);
    }

    public void reject(Exchange ex) throws SQLException {
        decide(ex, false);
    }

    private void decide(Exchange ex, boolean valid) throws SQLException {
        Account a = Web.caller(ex, Role.OPS, Role.DISTRICT_ADMIN);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        DistrictEntries.Pending p = own(a, id);
        String reason = null;
        if (!valid) {
            reason = Web.body(ex).path("reason").asText("");
            if (reason.isBlank()) {
                throw ApiException.badRequest("a rejection gives its reason");
            }
            entries.reject(p.resultId(), a.username(), reason);
        } else {
            entries.validate(p.resultId(), a.username());
        }
        try (Connection c = dataSource.getConnection()) {
            try (java.sql.PreparedStatement ps = c.prepareStatement("""
                    update result_exception set status = 'resolved', resolution = ?, resolved_at = now(),
                           resolved_by = ?, updated_at = now()
                    where result_id = ? and kind = 'pending_entry' and status <> 'resolved'""")) {
                ps.setString(1, valid ? "validated" : "rejected");
                ps.setString(2, a.username());
                ps.setLong(3, p.resultId());
                ps.executeUpdate();
            }
            Audit.record(c, a, valid ? "validate-entry" : "reject-entry", "result", String.valueOf(p.resultId()),
                    p.districtCode(), Map.of("decision", "pending"), Map.of("decision", valid ? "validated" : "rejected"));
        }
        Web.json(ex, Map.of("result", p.resultId(), "decision", valid ? "validated" : "rejected"));
    }
}
