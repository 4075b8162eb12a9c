package org.credentialhub.district;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.credentialhub.acknowledge.Acknowledgements;
import org.credentialhub.intake.DeliveryFlow;
import org.credentialhub.intake.Intake;
import org.credentialhub.mapping.CanonicalResult;
import org.credentialhub.mapping.RowRejection;
import org.credentialhub.matching.DeliveryMatcher;
import org.credentialhub.support.SchoolYears;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Results that districts enter themselves, for credentials no vendor delivers (catalog
 * {@code delivered_by = district}): a CSV upload or a single entry, each row with an evidence file (the
 * certificate as PDF, PNG or JPEG, typed by its first bytes, parsed with PDFBox or ImageIO, and bounded in size). Rows go through the same
 * intake path as vendor files (mapping {@code mappings/district.yaml}, COPY, upsert by attempt key,
 * students matched) but stay {@code pending}, out of every count, until a district administrator
 * validates them. No HTTP endpoint here: the web layer (with accounts and roles) calls this service.
 */
public final class DistrictEntries {
    private static final Logger LOG = LoggerFactory.getLogger(DistrictEntries.class);
    public static final List<String> COLUMNS = List.of("district_code", "state_id", "first_name", "last_name",
            "birth_date", "credential_code", "earned_on", "score", "evidence_file");

    private final DataSource dataSource;
    private final Intake intake;
    private final DeliveryFlow flow;
    private final DeliveryMatcher matcher;
    private final SchoolYears schoolYears;
    private final String feed;
    private final Path archiveDir;
    private final int maxEvidenceBytes;
    private final long maxEvidencePixels;
    private final Acknowledgements acknowledgements;

    /** An evidence file as uploaded: its name (as the CSV names it) and its bytes. */
    public record Evidence(String fileName, byte[] content) {
    }

    /** One result entered by hand. */
    public record Entry(String districtCode, String stateId, String firstName, String lastName, LocalDate birthDate,
                        String credentialCode, LocalDate earnedOn, BigDecimal score) {
    }

    /** A pending entry as an administrator reviews it (no student identifiers beyond the district's own). */
    public record Pending(long resultId, String districtCode, String credentialCode, LocalDate earnedOn, String source,
                          int row, String evidenceFile, String mediaType, int evidenceBytes, String enteredBy,
                          Long studentId, String matchDecision) {
    }

    public DistrictEntries(DataSource dataSource, Intake intake, DeliveryFlow flow, DeliveryMatcher matcher,
                           SchoolYears schoolYears, String feed, Path archiveDir, int maxEvidenceBytes, long maxEvidencePixels) {
        this.maxEvidencePixels = maxEvidencePixels;
        this.dataSource = dataSource;
        this.intake = intake;
        this.flow = flow;
        this.matcher = matcher;
        this.schoolYears = schoolYears;
        this.feed = feed;
        this.archiveDir = archiveDir;
        this.maxEvidenceBytes = maxEvidenceBytes;
        this.acknowledgements = new Acknowledgements(dataSource);
    }

    /** Images beyond this many pixels are refused before they are decoded (a small PNG can claim a huge canvas). */
    public static final long MAX_PIXELS = 50_000_000L;

    /**
     * Whether the evidence really is what its first bytes say: parsed with a kept library (PDFBox for PDF: a
     * document with at least one page; ImageIO for PNG and JPEG: an image of at most {@link #MAX_PIXELS} that
     * decodes). Returns null when it is, else the reason (without the content).
     */
    public static String unreadable(byte[] b, String type) {
        return unreadable(b, type, MAX_PIXELS);
    }

    /** As {@link #unreadable(byte[], String)}, with images refused beyond {@code maxPixels}. */
    public static String unreadable(byte[] b, String type, long maxPixels) {
        try {
            if ("application/pdf".equals(type)) {
                try (org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(b)) {
                    if (doc.getNumberOfPages() < 1) {
                        return "the PDF has no pages";
                    }
                    doc.getPage(0).getMediaBox();
                }
                return null;
            }
            String format = "image/png".equals(type) ? "png" : "jpeg";
            try (javax.imageio.stream.ImageInputStream in = javax.imageio.ImageIO.createImageInputStream(
                    new java.io.ByteArrayInputStream(b))) {
                java.util.Iterator<javax.imageio.ImageReader> readers = javax.imageio.ImageIO.getImageReadersByFormatName(format);
                if (!readers.hasNext()) {
                    return "no reader for " + format;
                }
                javax.imageio.ImageReader reader = readers.next();
                try {
                    reader.setInput(in, true, true);
                    long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                    if (pixels <= 0 || pixels > maxPixels) {
                        return "the image is larger than " + maxPixels + " pixels";
                    }
                    reader.read(0);
                } finally {
                    reader.dispose();
                }
            }
            return null;
        } catch (java.io.IOException | RuntimeException e) {
            return "does not parse";
        }
    }

    /** The media type of a PDF, PNG or JPEG file by its first bytes, or null when it is none of them. */
    public static String mediaType(byte[] b) {
        if (b.length >= 5 && b[0] == '%' && b[1] == 'P' && b[2] == 'D' && b[3] == 'F' && b[4] == '-') {
            return "application/pdf";
        }
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return "image/jpeg";
        }
        return null;
    }

    /**
     * Takes an uploaded CSV (columns exactly {@link #COLUMNS}) with the evidence files it names. Returns
     * the acknowledgement: status, counts and, per rejected row, row number, field and reason.
     */
    public Map<String, Object> upload(String fileName, byte[] csv, List<Evidence> evidence, String enteredBy)
            throws IOException, SQLException {
        return upload(fileName, csv, evidence, enteredBy, null);
    }

    /**
     * As {@link #upload(String, byte[], List, String)}, for a caller limited to one district (null: any,
     * for ops): a row whose staged district is another is rejected (field district_code), and before anything is
     * published the staged rows are checked once more, so no reading of the file can place an entry elsewhere.
     */
    public Map<String, Object> upload(String fileName, byte[] csv, List<Evidence> evidence, String enteredBy,
                                      String district) throws IOException, SQLException {
        Intake.StageOutcome outcome = stage(fileName, csv, evidence, enteredBy, district);
        if (outcome.quarantineReason() == null) {
            finish(outcome.deliveryId());
        }
        LOG.info("District entry {}: delivery {}: {} row(s) accepted, {} rejected", Path.of(fileName).getFileName(),
                outcome.deliveryId(), outcome.rowsAccepted(), outcome.rowsRejected());
        return acknowledgements.forDelivery(outcome.deliveryId());
    }

    /**
     * The upload's first step, in one transaction: the rows staged, matched (each district's within its own students:
     * DeliveryMatcher.matchStagedEntries) and published (pending) with their decisions, their evidence stored, and
     * the delivery leased to this node until {@link #finish} has processed it. A node that stops in between leaves
     * the delivery to {@link #resume}.
     */
    Intake.StageOutcome stage(String fileName, byte[] csv, List<Evidence> evidence, String enteredBy, String district)
            throws IOException, SQLException {
        if (enteredBy == null || enteredBy.isBlank()) {
            throw new IllegalArgumentException("who enters the results must be known");
        }
        String name = Path.of(fileName).getFileName().toString();
        Map<String, String> problems = new HashMap<>();
        Map<String, Evidence> usable = new LinkedHashMap<>();
        Map<String, String> types = new HashMap<>();
        for (Evidence e : evidence) {
            String n = evidenceKey(e.fileName());
            String type = mediaType(e.content());
            String why;
            if (e.content().length > maxEvidenceBytes) {
                problems.put(n, "the evidence file is larger than " + maxEvidenceBytes + " bytes");
            } else if (e.content().length == 0) {
                problems.put(n, "the evidence file is empty");
            } else if (type == null) {
                problems.put(n, "the evidence file is not a PDF, PNG or JPEG");
            } else if ((why = unreadable(e.content(), type, maxEvidencePixels)) != null) {
                problems.put(n, "the evidence file is not a readable " + (type.equals("application/pdf") ? "PDF"
                        : type.equals("image/png") ? "PNG" : "JPEG") + " (" + why + ")");
            } else {
                usable.put(n, e);
                types.put(n, type);
            }
        }
        Set<String> districtCredentials = districtCredentials();
        String sha = org.credentialhub.support.Sha256.hex(csv);
        Path dir = archiveDir.resolve(feed);
        org.credentialhub.support.PrivateFiles.folder(dir);
        Path file = dir.resolve(sha);
        org.credentialhub.support.PrivateFiles.write(file, csv);
        return intake.stage(feed, name, sha, file, new Intake.Hooks() {
            @Override
            public List<RowRejection> check(CanonicalResult r) {
                List<RowRejection> out = new ArrayList<>();
                if (district != null && !district.equals(r.districtCode() == null ? null : r.districtCode().trim())) {
                    out.add(new RowRejection(r.row(), "district_code", "must be your district, " + district));
                }
                String year = schoolYears.of(r.attemptedOn());
                if (!districtCredentials.contains(year + "|" + r.credentialCode())) {
                    out.add(new RowRejection(r.row(), "credential_code",
                            "not a district-entered credential of the catalog for " + year));
                }
                if (r.attemptedOn().isAfter(LocalDate.now())) {
                    out.add(new RowRejection(r.row(), "earned_on", "is in the future"));
                }
                String ev = evidenceKey(r.evidenceFile());
                if (problems.containsKey(ev)) {
                    out.add(new RowRejection(r.row(), "evidence_file", problems.get(ev)));
                } else if (!usable.containsKey(ev)) {
                    out.add(new RowRejection(r.row(), "evidence_file", "no evidence file of that name was uploaded"));
                }
                return out;
            }

            @Override
            public void afterPublish(Connection c, long deliveryId) throws SQLException {
                if (district != null) {
                    refuseOtherDistricts(c, district);
                }
                store(c, deliveryId, usable, types, enteredBy);
                flow.lease(c, deliveryId);
            }
        });
    }

    /**
     * The upload's second step: the delivery processed (its lease let go). The match step finds nothing left to decide
     * of entries matched as they were staged; it decides those of a delivery staged undecided (by an earlier version
     * of the hub). A fault leaves the delivery to {@link #resume}, which tries again.
     */
    private void finish(long deliveryId) throws SQLException {
        try {
            matcher.matchDelivery(feed, deliveryId);
            flow.processed(deliveryId);
        } catch (SQLException | RuntimeException e) {
            flow.failed(feed, deliveryId, "match", e);
            throw e;
        }
    }

    /**
     * Recovery (route district-entries-recovery, at start-up and every recovery period): each upload staged by a
     * node that stopped before matching it (its lease let go at that node's restart, or run out) is matched and
     * processed, as the upload would have done. Returns how many were.
     */
    public int resume() throws SQLException {
        int resumed = 0;
        for (long id : flow.unfinishedStaged(feed)) {
            if (flow.claim(id)) {
                LOG.info("District entries: delivery {} was staged by an upload that did not finish; matching it", id);
                try {
                    finish(id);
                    resumed++;
                } catch (SQLException | RuntimeException e) {
                    // recorded on the delivery by finish; the next recovery tries it again
                }
            }
        }
        return resumed;
    }

    /** One result entered through the API, with its evidence file: a one-row upload. */
    public Map<String, Object> enter(Entry e, Evidence evidence, String enteredBy) throws IOException, SQLException {
        StringWriter out = new StringWriter();
        String evidenceName = Path.of(evidence.fileName()).getFileName().toString();
        try (CSVPrinter p = new CSVPrinter(out, CSVFormat.RFC4180.builder().setRecordSeparator("\n").get())) {
            p.printRecord(COLUMNS);
            p.printRecord(e.districtCode(), e.stateId(), e.firstName(), e.lastName(),
                    e.birthDate() == null ? "" : e.birthDate().toString(), e.credentialCode(),
                    e.earnedOn() == null ? "" : e.earnedOn().toString(),
                    e.score() == null ? "" : e.score().toPlainString(), evidenceName);
        }
        String name = "entry-" + LocalDate.now() + "-" + UUID.randomUUID().toString().substring(0, 8) + ".csv";
        return upload(name, out.toString().getBytes(StandardCharsets.UTF_8),
                List.of(new Evidence(evidenceName, evidence.content())), enteredBy);
    }

    private void store(Connection c, long deliveryId, Map<String, Evidence> usable, Map<String, String> types,
                       String enteredBy) throws SQLException {
        // each staged row's evidence name, normalized once (as evidenceKey does), not once per joined pair
        Set<String> named = new java.util.HashSet<>();
        try (Statement st = c.createStatement()) {
            st.execute("""
                    create temp table stage_evidence on commit drop as
                    select attempt_key, source_row, district_code, ordinal,
                           regexp_replace(replace(evidence_file, '\\', '/'), '^(\\./|/)+', '') as evidence_key
                    from stage_result""");
            try (ResultSet rs = st.executeQuery("select distinct evidence_key from stage_evidence")) {
                while (rs.next()) {
                    named.add(rs.getString(1));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into district_evidence (delivery_id, file_name, media_type, size_bytes, sha256, content)
                values (?, ?, ?, ?, ?, ?)""")) {
            for (Evidence e : usable.values()) {
                String n = evidenceKey(e.fileName());
                if (!named.contains(n)) {
                    continue;
                }
                ps.setLong(1, deliveryId);
                ps.setString(2, n);
                ps.setString(3, types.get(n));
                ps.setInt(4, e.content().length);
                ps.setString(5, org.credentialhub.support.Sha256.hex(e.content()));
                ps.setBytes(6, e.content());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into district_entry (result_id, delivery_id, source_row, district_code, evidence_id, entered_by)
                select distinct on (r.result_id) r.result_id, ?, s.source_row, s.district_code, e.evidence_id, ?
                from stage_evidence s
                join result r on r.feed_code = ? and r.attempt_key = s.attempt_key
                join district_evidence e on e.delivery_id = ? and e.file_name = s.evidence_key
                order by r.result_id, s.ordinal desc
                on conflict (result_id) do update set
                    delivery_id = excluded.delivery_id, source_row = excluded.source_row,
                    district_code = excluded.district_code, evidence_id = excluded.evidence_id,
                    entered_by = excluded.entered_by, entered_at = now(), decision = 'pending',
                    validated_by = null, validated_at = null, decision_reason = null""")) {
            ps.setLong(1, deliveryId);
            ps.setString(2, enteredBy);
            ps.setString(3, feed);
            ps.setLong(4, deliveryId);
            ps.executeUpdate();
        }
    }

    /** Fails (and so rolls the delivery back) when a staged row belongs to a district other than the caller's. */
    private static void refuseOtherDistricts(Connection c, String district) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select count(*) from stage_result where district_code is distinct from ?")) {
            ps.setString(1, district);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    LOG.warn("District entry refused: {} staged row(s) outside the caller's district {}", rs.getLong(1), district);
                    throw new SecurityException("a staged row belongs to another district than " + district);
                }
            }
        }
    }

    /** An evidence file's name as entries refer to it: its path in the upload, with forward slashes. */
    static String evidenceKey(String name) {
        return name == null ? "" : name.replace('\\', '/').replaceAll("^(\\./|/)+", "");
    }

    /** The credentials districts enter themselves (the catalog's, per school year, newest year first, by name). */
    public List<Map<String, Object>> credentials() throws SQLException {
        return org.credentialhub.store.Rows.list(dataSource, """
                select school_year, credential_code as code, credential_name as name from catalog_credential
                where delivered_by = 'district' order by school_year desc, credential_name, credential_code""", List.of());
    }

    private Set<String> districtCredentials() throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select school_year, credential_code from catalog_credential where delivered_by = 'district'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2));
            }
        }
        return out;
    }

    /** The entries waiting for a district administrator (all districts when districtCode is null). */
    public List<Pending> pending(String districtCode) throws SQLException {
        return pending(districtCode, null);
    }

    /** One pending entry of the district (any district when null), if there is one. */
    public java.util.Optional<Pending> pendingEntry(String districtCode, long resultId) throws SQLException {
        return pending(districtCode, resultId).stream().findFirst();
    }

    private List<Pending> pending(String districtCode, Long resultId) throws SQLException {
        List<Pending> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select r.result_id, e.district_code, r.credential_code, r.attempted_on, d.source_name, e.source_row,
                            v.file_name, v.media_type, v.size_bytes, e.entered_by, r.student_id, r.match_decision
                     from district_entry e
                     join result r using (result_id)
                     join delivery d on d.delivery_id = e.delivery_id
                     join district_evidence v on v.evidence_id = e.evidence_id
                     where e.decision = 'pending' and (?::text is null or e.district_code = ?)
                       and (?::bigint is null or e.result_id = ?)
                     order by e.entered_at, r.result_id""")) {
            ps.setString(1, districtCode);
            ps.setString(2, districtCode);
            ps.setObject(3, resultId, java.sql.Types.BIGINT);
            ps.setObject(4, resultId, java.sql.Types.BIGINT);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Pending(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getObject(4, LocalDate.class), rs.getString(5), rs.getInt(6), rs.getString(7),
                            rs.getString(8), rs.getInt(9), rs.getString(10), (Long) rs.getObject(11), rs.getString(12)));
                }
            }
        }
        return out;
    }

    /** The evidence file of an entry: name, media type, bytes. */
    public Evidence evidence(long resultId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select v.file_name, v.content from district_entry e
                     join district_evidence v on v.evidence_id = e.evidence_id where e.result_id = ?""")) {
            ps.setLong(1, resultId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no district entry " + resultId);
                }
                return new Evidence(rs.getString(1), rs.getBytes(2));
            }
        }
    }

    /** A district administrator accepts the entry: it counts from the next reporting load. */
    public void validate(long resultId, String administrator) throws SQLException {
        decide(List.of(resultId), administrator, "validated", "active", null);
    }

    /** A district administrator validates several entries at once (all or none: each must be pending). */
    public void validateAll(List<Long> resultIds, String administrator) throws SQLException {
        decide(resultIds, administrator, "validated", "active", null);
    }

    /** A district administrator refuses the entry (the reason goes back to whoever entered it). */
    public void reject(long resultId, String administrator, String reason) throws SQLException {
        decide(List.of(resultId), administrator, "rejected", "rejected", reason);
    }

    private void decide(List<Long> resultIds, String administrator, String decision, String status, String reason)
            throws SQLException {
        if (administrator == null || administrator.isBlank()) {
            throw new IllegalArgumentException("the deciding administrator must be known");
        }
        if (resultIds.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement e = c.prepareStatement("""
                         update district_entry set decision = ?, validated_by = ?, validated_at = now(), decision_reason = ?
                         where result_id = any (?) and decision = 'pending'""");
                 PreparedStatement r = c.prepareStatement("""
                         update result set status = ?, updated_at = now() where result_id = any (?) and status = 'pending'""")) {
                java.sql.Array ids = c.createArrayOf("bigint", resultIds.toArray());
                e.setString(1, decision);
                e.setString(2, administrator);
                e.setString(3, reason);
                e.setArray(4, ids);
                r.setString(1, status);
                r.setArray(2, ids);
                int n = resultIds.size();
                if (e.executeUpdate() != n || r.executeUpdate() != n) {
                    c.rollback();
                    throw new IllegalStateException(n == 1 ? "result " + resultIds.get(0) + " is not a pending district entry"
                            : "not every one of the " + n + " results is a pending district entry; none was " + decision);
                }
                c.commit();
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            }
        }
        if (resultIds.size() == 1) {
            LOG.info("District entry {} {} by an administrator", resultIds.get(0), decision);
        } else {
            LOG.info("{} district entries {} by an administrator", resultIds.size(), decision);
        }
    }

}
