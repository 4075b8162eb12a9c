package org.credentialhub.mapping;

import org.credentialhub.support.Fixtures;
import org.credentialhub.support.SharedPostgres;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.SheetVisibility;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.credentialhub.acknowledge.Acknowledgements;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.feeds.FeedsFile;
import org.credentialhub.intake.Intake;
import org.credentialhub.store.Database;
import org.credentialhub.support.Hmac;
import org.credentialhub.support.SchoolYears;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input catalogue: one table of cases across every layout in mappings/ (CSV, TSV, pipe with a
 * trailer, fixed-width, xlsx, the two JSON API pages, district entry). Each case is a file of ten rows
 * whose fifth row (or the file as a whole) is bad in one way; it goes through {@link Intake#stage} on one
 * real embedded PostgreSQL, and the case states the exact outcome: the row rejected with its field, the
 * file quarantined, or the file accepted (the bad value blanked by the mapping's {@code invalid: blank},
 * or passed over with a warning). Every message names the file, the row, the field and the reason, and
 * never the bad value nor the student's names; the good rows around the bad one are staged exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCatalogTest {
    static final Mappings MAPPINGS = Mappings.load(Path.of("mappings"));
    private static final Hmac HMAC = new Hmac("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Data rows per file, and the (1-based) data row that is bad. */
    static final int ROWS = 10;
    static final int BAD = 5;
    private static final String FUTURE = LocalDate.now().plusDays(40).toString();

    private Path dir;
    private Database db;
    private Intake intake;
    private Acknowledgements acks;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("bad-input");
        db = SharedPostgres.open(dir, 4);
        Map<String, FeedConfig> feeds = new HashMap<>();
        FeedsFile.load(Path.of("config/feeds.yaml")).feeds().forEach(f -> feeds.put(f.code(), f));
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "insert into feed (feed_code, kind, layout, description) values (?, ?, ?, ?)")) {
            for (FeedConfig f : feeds.values()) {
                ps.setString(1, f.code());
                ps.setString(2, f.kind());
                ps.setString(3, f.layoutName());
                ps.setString(4, f.description());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        intake = new Intake(db.dataSource(), feeds, MAPPINGS, HMAC, new SchoolYears(7), dir.resolve("archive"));
        acks = new Acknowledgements(db.dataSource());
    }

    @AfterAll
    void stop() throws Exception {
        Fixtures.closeAll(db);
        Fixtures.deleteTree(dir);
    }

    // ---------------------------------------------------------------- outcomes

    sealed interface Expect permits Rejected, Quarantined, Accepted {
    }

    /** The bad row is rejected naming this field (the source column, or * for the whole row); the other nine staged. */
    record Rejected(String field, String reason) implements Expect {
    }

    /** The whole file is quarantined with a reason holding this text; nothing of it staged. */
    record Quarantined(String reason) implements Expect {
    }

    /**
     * Every row counted in {@code rows} is staged; {@code blanked} names a canonical column of {@code result}
     * that is null on the bad row (the mapping blanks invalid values), {@code warning} a reader warning.
     */
    record Accepted(int rows, String blanked, String warning) implements Expect {
    }

    static Rejected rejected(String field, String reason) {
        return new Rejected(field, reason);
    }

    static Quarantined quarantined(String reason) {
        return new Quarantined(reason);
    }

    static Accepted blanked(String column) {
        return new Accepted(ROWS, column, null);
    }

    /** A case: its layout, the file (built from the case's number, which keeps its attempts apart), the outcome. */
    record Case(String name, Layout layout, IntFunction<byte[]> file, Expect expect, List<String> secrets) {
        @Override
        public String toString() {
            return layout.feed + ": " + name;
        }
    }

    // ---------------------------------------------------------------- layouts

    /** A layout's good rows and how a list of rows becomes a file. */
    abstract static class Layout {
        final String feed;
        final List<String> columns;
        final List<String> personal;

        Layout(String feed, List<String> columns, List<String> personal) {
            this.feed = feed;
            this.columns = columns;
            this.personal = personal;
        }

        abstract String fileName(int c);

        abstract Map<String, String> good(int c, int i);

        abstract byte[] render(int c, List<Map<String, String>> rows);

        /** The hub's row number of data row {@code k} (1-based). */
        abstract int row(int k);

        boolean json() {
            return false;
        }

        List<Map<String, String>> rows(int c) {
            List<Map<String, String>> out = new ArrayList<>();
            for (int i = 1; i <= ROWS; i++) {
                out.add(good(c, i));
            }
            return out;
        }

        /** The file with data row {@link #BAD}'s values changed. */
        byte[] with(int c, Map<String, String> bad) {
            List<Map<String, String>> rows = rows(c);
            rows.get(BAD - 1).putAll(bad);
            return render(c, rows);
        }

        /** Personal values of the bad row, which no message may repeat. */
        List<String> secrets(int c) {
            Map<String, String> r = good(c, BAD);
            return personal.stream().map(r::get).filter(v -> v != null && v.length() >= 4).toList();
        }
    }

    static String letters(int c, int i) {
        return "" + (char) ('a' + c % 26) + (char) ('a' + c / 26 % 26) + (char) ('a' + i);
    }

    static String stateId(int c, int i) {
        return String.format("1%05d%04d", c, i);
    }

    /** A delimited file: header, rows, optional trailer; quoted fields when the layout quotes. */
    abstract static class Delimited extends Layout {
        final String sep;
        final String eol;
        final Charset charset;
        final boolean bom;
        final boolean quotes;
        final String trailer;

        Delimited(String feed, List<String> columns, List<String> personal, String sep, String eol, Charset charset,
                  boolean bom, boolean quotes, String trailer) {
            super(feed, columns, personal);
            this.sep = sep;
            this.eol = eol;
            this.charset = charset;
            this.bom = bom;
            this.quotes = quotes;
            this.trailer = trailer;
        }

        String text(List<String> header, List<Map<String, String>> rows) {
            StringBuilder sb = new StringBuilder(bom ? "\uFEFF" : "");
            sb.append(String.join(sep, header)).append(eol);
            for (Map<String, String> r : rows) {
                List<String> cells = new ArrayList<>();
                for (String col : header) {
                    String v = r.getOrDefault(col, "");
                    cells.add(quotes && (v.contains(sep) || v.contains("\"") || v.contains("\n") || v.contains("\r"))
                            ? "\"" + v.replace("\"", "\"\"") + "\"" : v);
                }
                if (r.containsKey("+extra")) {
                    cells.add(r.get("+extra"));
                }
                sb.append(String.join(sep, cells)).append(eol);
            }
            if (trailer != null) {
                sb.append(trailer).append(sep).append(rows.size()).append(eol);
            }
            return sb.toString();
        }

        @Override
        byte[] render(int c, List<Map<String, String>> rows) {
            return text(columns, rows).getBytes(charset);
        }

        @Override
        int row(int k) {
            return k + 1;
        }
    }

    static final Layout CERTEXAM = new Delimited("certexam", List.of("candidateId", "orgCandidateId", "firstName",
            "lastName", "email", "birthDate", "examName", "examCode", "examFormId", "deliveryDateTime", "passFail",
            "reportedScore", "cutScore", "rawScore", "maxRawScore", "percent", "testCenterId", "testCenterName"),
            List.of("orgCandidateId", "firstName", "lastName", "email", "candidateId"), ",", "\r\n",
            StandardCharsets.UTF_8, true, true, null) {
        @Override
        String fileName(int c) {
            return "certexam_results_2025" + String.format("%04d", c) + ".csv";
        }

        @Override
        Map<String, String> good(int c, int i) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("candidateId", "CX" + c + "Q" + i);
            r.put("orgCandidateId", stateId(c, i));
            r.put("firstName", "Quenby" + letters(c, i));
            r.put("lastName", "Marrowfield" + letters(c, i));
            r.put("email", "qm" + letters(c, i) + "@example.org");
            r.put("birthDate", "2007-05-01");
            r.put("examName", "Excel Associate");
            r.put("examCode", "CE-420CC");
            r.put("examFormId", "F1");
            r.put("deliveryDateTime", "2025-03-14T09:12:00-04:00");
            r.put("passFail", "Pass");
            r.put("reportedScore", "812");
            r.put("cutScore", "700");
            r.put("rawScore", "40");
            r.put("maxRawScore", "50");
            r.put("percent", "81");
            r.put("testCenterId", "TC1");
            r.put("testCenterName", "Riverside High, East");
            return r;
        }
    };

    static final Layout TRADESREG = new Delimited("tradesreg", List.of("CardNumber", "AlternateID", "LastName",
            "FirstName", "MI", "DOB", "ModuleID", "ModuleTitle", "CompletionDate", "WrittenScore", "PerformanceProfile",
            "InstructorName", "TrainingSponsorCode", "TrainingLocation"),
            List.of("AlternateID", "LastName", "FirstName", "CardNumber"), "\t", "\n", StandardCharsets.UTF_8,
            false, false, null) {
        @Override
        String fileName(int c) {
            return "tradesreg_modules_2025-" + String.format("%02d-%02d", 1 + c / 28 % 12, 1 + c % 28) + ".tsv";
        }

        @Override
        Map<String, String> good(int c, int i) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("CardNumber", "NC" + c + "Q" + i);
            r.put("AlternateID", stateId(c, i));
            r.put("LastName", "Pennywhistle" + letters(c, i));
            r.put("FirstName", "Oriel" + letters(c, i));
            r.put("MI", "");
            r.put("DOB", "05/01/2007");
            r.put("ModuleID", "00101-NC");
            r.put("ModuleTitle", "Basic Safety");
            r.put("CompletionDate", "03/14/2025");
            r.put("WrittenScore", "88");
            r.put("PerformanceProfile", "Y");
            r.put("InstructorName", "J. Teacher");
            r.put("TrainingSponsorCode", "SP01");
            r.put("TrainingLocation", "Riverside High");
            return r;
        }
    };

    static final Layout FOODSAFE = new Delimited("foodsafe", List.of("ExamID", "LastName", "FirstName", "BirthDate",
            "SchoolName", "SchoolCity", "ExamType", "Score", "Result", "ExamDate", "CertificateNumber", "ExpirationDate"),
            List.of("LastName", "FirstName", "ExamID"), "|", "\r\n", Charset.forName("windows-1252"), false, false, "TRL") {
        @Override
        String fileName(int c) {
            return "FOODSAFE_EXPORT_" + String.format("%06d", c) + ".txt";
        }

        @Override
        Map<String, String> good(int c, int i) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("ExamID", "E" + c + "Q" + i);
            r.put("LastName", "Brindlecombe" + letters(c, i));
            r.put("FirstName", "Sorrel" + letters(c, i));
            r.put("BirthDate", "20070501");
            r.put("SchoolName", "Riverside High");
            r.put("SchoolCity", "Raleigh");
            r.put("ExamType", "FO-9513E");
            r.put("Score", "88");
            r.put("Result", "P");
            r.put("ExamDate", "20250314");
            r.put("CertificateNumber", "CERT-" + c + "-" + i);
            r.put("ExpirationDate", "20300314");
            return r;
        }
    };

    static final Layout DISTRICT = new Delimited("district", List.of("district_code", "state_id", "first_name",
            "last_name", "birth_date", "credential_code", "earned_on", "score", "evidence_file"),
            List.of("state_id", "first_name", "last_name"), ",", "\n", StandardCharsets.UTF_8, false, true, null) {
        @Override
        String fileName(int c) {
            return "district_entries_" + c + ".csv";
        }

        @Override
        Map<String, String> good(int c, int i) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("district_code", "910");
            r.put("state_id", stateId(c, i));
            r.put("first_name", "Tamsin" + letters(c, i));
            r.put("last_name", "Hollowell" + letters(c, i));
            r.put("birth_date", "2007-05-01");
            r.put("credential_code", "CRED-DISTRICT-1");
            r.put("earned_on", "2025-03-14");
            r.put("score", "90");
            r.put("evidence_file", "evidence-" + c + "-" + i + ".pdf");
            return r;
        }
    };

    /** creditawards: an institution's postsecondary credit awards, CSV, UTF-8, CRLF. */
    static final Layout CREDITAWARDS = new Delimited("creditawards", List.of("AwardID", "Institution", "Program",
            "CollegeStudentID", "StateStudentID", "FirstName", "LastName", "BirthDate", "CredentialCode", "CreditHours",
            "AwardDate"), List.of("CollegeStudentID", "StateStudentID", "FirstName", "LastName"), ",", "\r\n",
            StandardCharsets.UTF_8, false, true, null) {
        @Override
        String fileName(int c) {
            return "credit_awards_2025" + String.format("%04d", c % 10000) + ".csv";
        }

        @Override
        Map<String, String> good(int c, int i) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("AwardID", "AW-" + c + "-" + i);
            r.put("Institution", "Wake Technical Community College");
            r.put("Program", "Information Technology");
            r.put("CollegeStudentID", "0" + c + "77" + i);
            r.put("StateStudentID", stateId(c, i));
            r.put("FirstName", "Marlowe" + letters(c, i));
            r.put("LastName", "Ashbury" + letters(c, i));
            r.put("BirthDate", "2007-05-01");
            r.put("CredentialCode", "CRED-AWARD-1");
            r.put("CreditHours", "3");
            r.put("AwardDate", "2025-08-20");
            return r;
        }
    };

    /** workskills: H header, D details at fixed positions, T trailer with the detail count. */
    static final Layout WORKSKILLS = new Layout("workskills", List.of("stateId", "lastName", "firstName", "birthDate",
            "districtCode", "schoolCode", "testCode", "testDate", "scaleScore", "cutScore", "passFlag"),
            List.of("stateId", "lastName", "firstName")) {
        final int[] widths = {10, 25, 15, 8, 6, 6, 8, 8, 3, 3, 1};

        @Override
        String fileName(int c) {
            return "WS2025" + String.format("%04d", c) + ".DAT";
        }

        @Override
        Map<String, String> good(int c, int i) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("stateId", stateId(c, i));
            r.put("lastName", "Fairweather" + letters(c, i));
            r.put("firstName", "Linnet" + letters(c, i));
            r.put("birthDate", "20070501");
            r.put("districtCode", "910");
            r.put("schoolCode", "910301");
            r.put("testCode", "WO-25219");
            r.put("testDate", "20250314");
            r.put("scaleScore", "085");
            r.put("cutScore", "070");
            r.put("passFlag", "Y");
            return r;
        }

        @Override
        byte[] render(int c, List<Map<String, String>> rows) {
            return text(rows).getBytes(StandardCharsets.ISO_8859_1);
        }

        String text(List<Map<String, String>> rows) {
            StringBuilder sb = new StringBuilder("H20250318WORKSKILLS\r\n");
            for (Map<String, String> r : rows) {
                sb.append('D');
                for (int j = 0; j < columns.size(); j++) {
                    sb.append(String.format("%-" + widths[j] + "s", r.get(columns.get(j))));
                }
                sb.append(r.getOrDefault("+extra", "")).append("\r\n");
            }
            sb.append("T").append(String.format("%09d", rows.size())).append("\r\n");
            return sb.toString();
        }

        @Override
        int row(int k) {
            return k + 1;
        }
    };

    /** skillsxlsx: title in row 1, header in row 3, data from row 4, every cell text; extra sheets as asked. */
    static final class Workbook extends Layout {
        Workbook() {
            super("skillsxlsx", List.of("Student ID", "Student Name", "Grade", "Exam", "Exam Code", "Date Taken",
                    "Score", "Passed", "School"), List.of("Student ID", "Student Name"));
        }

        @Override
        String fileName(int c) {
            return "skills_D" + c + "_20250318.xlsx";
        }

        @Override
        Map<String, String> good(int c, int i) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("Student ID", stateId(c, i));
            r.put("Student Name", "Ravensworth" + letters(c, i) + ", Ione" + letters(c, i));
            r.put("Grade", "11");
            r.put("Exam", "Welding I");
            r.put("Exam Code", "SK-0046E");
            r.put("Date Taken", "2025-03-14");
            r.put("Score", "88");
            r.put("Passed", "true");
            r.put("School", "Riverside High");
            return r;
        }

        @Override
        byte[] render(int c, List<Map<String, String>> rows) {
            return workbook(columns, Map.of("Riverside High", rows), Set.of());
        }

        static byte[] workbook(List<String> header, Map<String, List<Map<String, String>>> sheets, Set<String> hidden) {
            try (XSSFWorkbook wb = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
                for (Map.Entry<String, List<Map<String, String>>> e : new java.util.TreeMap<>(sheets).entrySet()) {
                    Sheet sheet = wb.createSheet(e.getKey());
                    sheet.createRow(0).createCell(0).setCellValue("End-of-program exam results");
                    Row h = sheet.createRow(2);
                    for (int i = 0; i < header.size(); i++) {
                        h.createCell(i).setCellValue(header.get(i));
                    }
                    int r = 3;
                    for (Map<String, String> d : e.getValue()) {
                        Row row = sheet.createRow(r++);
                        for (int i = 0; i < header.size(); i++) {
                            String v = d.get(header.get(i));
                            if (v != null && !v.isEmpty()) {
                                row.createCell(i).setCellValue(v);
                            }
                        }
                        if (d.containsKey("+extra")) {
                            row.createCell(header.size() + 1).setCellValue(d.get("+extra"));
                        }
                    }
                    if (hidden.contains(e.getKey())) {
                        wb.setSheetVisibility(wb.getSheetIndex(sheet), SheetVisibility.HIDDEN);
                    }
                }
                wb.write(out);
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        int row(int k) {
            return k + 3;
        }
    }

    static final Workbook SKILLSXLSX = new Workbook();

    /** A JSON page: the records at {@code records}, each written by {@link #record}; every non-ASCII character escaped. */
    abstract static class Page extends Layout {
        final String records;

        Page(String feed, String records, List<String> columns, List<String> personal) {
            super(feed, columns, personal);
            this.records = records;
        }

        abstract String record(Map<String, String> r);

        @Override
        byte[] render(int c, List<Map<String, String>> rows) {
            return ("{\"" + records + "\": [\n" + rows.stream().map(this::record).collect(Collectors.joining(",\n"))
                    + "\n], \"metadata\": {}}").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        int row(int k) {
            return k;
        }

        @Override
        boolean json() {
            return true;
        }

        static String q(String v) {
            if (v == null) {
                return "null";
            }
            StringBuilder sb = new StringBuilder("\"");
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                if (ch == '"' || ch == '\\') {
                    sb.append('\\').append(ch);
                } else if (ch < 0x20 || ch > 0x7E) {
                    sb.append(String.format("\\u%04x", (int) ch));
                } else {
                    sb.append(ch);
                }
            }
            return sb.append('"').toString();
        }
    }

    static final Layout BADGES = new Page("badges", "credential", List.of("id", "studentId", "email", "humanCode",
            "achievementName", "validFrom"), List.of("studentId", "email")) {
        @Override
        String fileName(int c) {
            return "badges page " + c;
        }

        @Override
        Map<String, String> good(int c, int i) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("id", "urn:uuid:badge-" + c + "-" + i);
            r.put("studentId", stateId(c, i));
            r.put("email", "wyn" + letters(c, i) + "@example.org");
            r.put("humanCode", "OB-WELD-1");
            r.put("achievementName", "Welding Safety");
            r.put("validFrom", "2025-03-14T10:00:00Z");
            return r;
        }

        @Override
        String record(Map<String, String> r) {
            return """
                    {"id": %s, "type": ["VerifiableCredential", "OpenBadgeCredential"], "validFrom": %s,
                     "credentialSubject": {"identifier": [
                        {"identityType": "studentId", "hashed": false, "identityHash": %s},
                        {"identityType": "emailAddress", "hashed": false, "identityHash": %s}],
                      "achievement": {"humanCode": %s, "name": %s}}}""".formatted(q(r.get("id")), q(r.get("validFrom")),
                    q(r.get("studentId")), q(r.get("email")), q(r.get("humanCode")), q(r.get("achievementName")));
        }
    };

    static final Layout ISSUEDBADGES = new Page("issuedbadges", "data", List.of("id", "state", "issued_at",
            "issued_to_first_name", "issued_to_last_name", "recipient_email", "issuer_earner_id", "templateId",
            "templateName"), List.of("issued_to_first_name", "issued_to_last_name", "recipient_email", "issuer_earner_id")) {
        @Override
        String fileName(int c) {
            return "issuedbadges page " + c;
        }

        @Override
        Map<String, String> good(int c, int i) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("id", "ib-" + c + "-" + i);
            r.put("state", "accepted");
            r.put("issued_at", "2025-03-14T10:00:00Z");
            r.put("issued_to_first_name", "Perpetua" + letters(c, i));
            r.put("issued_to_last_name", "Thistlewood" + letters(c, i));
            r.put("recipient_email", "pt" + letters(c, i) + "@example.org");
            r.put("issuer_earner_id", stateId(c, i));
            r.put("templateId", "TPL-77");
            r.put("templateName", "Forklift Safety");
            return r;
        }

        @Override
        String record(Map<String, String> r) {
            return ("{\"id\": %s, \"state\": %s, \"issued_at\": %s, \"issued_to_first_name\": %s, \"issued_to_last_name\": %s,"
                    + " \"recipient_email\": %s, \"issuer_earner_id\": %s, \"badge_template\": {\"id\": %s, \"name\": %s}}")
                    .formatted(q(r.get("id")), q(r.get("state")), q(r.get("issued_at")), q(r.get("issued_to_first_name")),
                            q(r.get("issued_to_last_name")), q(r.get("recipient_email")), q(r.get("issuer_earner_id")),
                            q(r.get("templateId")), q(r.get("templateName")));
        }
    };

    static final List<Layout> LAYOUTS = List.of(CERTEXAM, TRADESREG, FOODSAFE, DISTRICT, CREDITAWARDS, WORKSKILLS,
            SKILLSXLSX, BADGES, ISSUEDBADGES);

    // ---------------------------------------------------------------- the catalogue

    static final String NUL = "\u0000";
    static final String LONG = "Ab".repeat(150);

    private static Case row(Layout l, String what, String column, String value, Expect expect) {
        List<String> secrets = new ArrayList<>();
        if (value.length() >= 4 && !value.equals(LONG)) {
            secrets.add(value);
        }
        return new Case(what, l, c -> {
            Map<String, String> bad = new HashMap<>();
            bad.put(column, value.replace("{good}", l.good(c, BAD).getOrDefault(column, "")));
            return l.with(c, bad);
        }, expect, secrets);
    }

    private static Case file(Layout l, String what, IntFunction<byte[]> file, Expect expect) {
        return new Case(what, l, file, expect, List.of());
    }

    /** The file's text with the bad row's line changed (text layouts). */
    private static IntFunction<byte[]> edited(Layout l, UnaryOperator<String> edit) {
        return c -> {
            byte[] good = l.render(c, l.rows(c));
            Charset cs = l instanceof Delimited d ? d.charset : StandardCharsets.ISO_8859_1;
            return edit.apply(new String(good, cs)).getBytes(cs);
        };
    }

    /** Replaces the first occurrence of the bad row's value of {@code column} in the rendered file with raw bytes. */
    private static IntFunction<byte[]> rawBytes(Layout l, String column, byte[] replacement) {
        return c -> {
            byte[] good = l.render(c, l.rows(c));
            byte[] find = l.good(c, BAD).get(column).getBytes(StandardCharsets.US_ASCII);
            int at = indexOf(good, find);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(good, 0, at);
            out.writeBytes(replacement);
            out.write(good, at + find.length, good.length - at - find.length);
            return out.toByteArray();
        };
    }

    private static int indexOf(byte[] in, byte[] find) {
        outer:
        for (int i = 0; i + find.length <= in.length; i++) {
            for (int j = 0; j < find.length; j++) {
                if (in[i + j] != find[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        String nul = "holds a NUL character";
        String tooLong = "characters long; at most 255";
        String range = "out of range";
        String future = "dated in the future";

        // certexam: CSV, UTF-8 with BOM, quoted
        all.add(row(CERTEXAM, "NUL in a last name", "lastName", "Pe" + NUL + "na", rejected("lastName", nul)));
        all.add(row(CERTEXAM, "NUL in the candidate id (attempt key)", "candidateId", "C" + NUL + "77", rejected("candidateId", nul)));
        all.add(row(CERTEXAM, "score 1e200000", "reportedScore", "1e200000", rejected("reportedScore", range)));
        all.add(row(CERTEXAM, "score NaN", "reportedScore", "NaN", rejected("reportedScore", "not a finite number")));
        all.add(row(CERTEXAM, "score Infinity", "reportedScore", "Infinity", rejected("reportedScore", "not a finite number")));
        all.add(row(CERTEXAM, "score with 16 integer digits", "reportedScore", "1234567890123456", rejected("reportedScore", "digits before")));
        all.add(row(CERTEXAM, "score with 21 decimals", "reportedScore", "81.123456789012345678901", rejected("reportedScore", "digits after")));
        all.add(row(CERTEXAM, "score not a number", "reportedScore", "eight", rejected("reportedScore", "not a number")));
        String emoji = "\uD83D\uDE00".repeat(250);   // 250 characters, 1000 bytes of UTF-8
        all.add(file(CERTEXAM, "attempt key over 2000 bytes", c -> CERTEXAM.with(c, Map.of("candidateId", emoji, "examCode", emoji)),
                rejected("attempt-key", "the attempt key is 2027 bytes long; at most 2000")));
        all.add(row(CERTEXAM, "300-character first name", "firstName", LONG, rejected("firstName", tooLong)));
        all.add(row(CERTEXAM, "attempt dated in the future", "deliveryDateTime", FUTURE + "T09:00:00-04:00", rejected("deliveryDateTime", future)));
        all.add(row(CERTEXAM, "attempt in year 10000", "deliveryDateTime", "+10000-03-14T09:12:00-04:00", rejected("deliveryDateTime", range)));
        all.add(row(CERTEXAM, "attempt in year 0001", "deliveryDateTime", "0001-03-14T09:12:00-04:00", rejected("deliveryDateTime", range)));
        all.add(row(CERTEXAM, "birth date in 1850", "birthDate", "1850-01-01", rejected("birthDate", range)));
        all.add(row(CERTEXAM, "birth date in the future", "birthDate", FUTURE, rejected("birthDate", future)));
        all.add(row(CERTEXAM, "birth date February 30", "birthDate", "2007-02-30", rejected("birthDate", "not a valid date")));
        all.add(row(CERTEXAM, "exam code missing", "examCode", "", rejected("examCode", "required value is missing")));
        all.add(row(CERTEXAM, "pass/fail unknown", "passFail", "Maybe", rejected("passFail", "not one of")));
        all.add(row(CERTEXAM, "a field too many", "+extra", "surplus", rejected("*", "the row has 19 fields")));
        all.add(row(CERTEXAM, "quoted line break in a name", "testCenterName", "Riverside\r\nHigh", new Accepted(ROWS, null, null)));
        all.add(file(CERTEXAM, "header names a column twice", edited(CERTEXAM, t -> t.replaceFirst("examFormId", "examCode")),
                quarantined("names column 'examCode' twice")));
        all.add(file(CERTEXAM, "invalid UTF-8 byte in row 6", rawBytes(CERTEXAM, "lastName", new byte[]{'P', 'e', (byte) 0xC3, 'n'}),
                quarantined("row 6 holds a byte sequence that does not decode")));
        all.add(file(CERTEXAM, "unbalanced quote in row 6", edited(CERTEXAM, t -> t.replaceFirst("\\r\\n(CX\\d+Q5,)", "\r\n\"$1")),
                quarantined("at row 6")));
        all.add(file(CERTEXAM, "cut short mid-record", edited(CERTEXAM, t -> t.substring(0, t.length() - 2)), quarantined("cut short")));

        // tradesreg: TSV, no quoting; the score blanks when invalid
        all.add(row(TRADESREG, "NUL in a first name", "FirstName", "O" + NUL + "riel", rejected("FirstName", nul)));
        all.add(row(TRADESREG, "NUL in the card number (attempt key)", "CardNumber", "NC" + NUL + "1", rejected("CardNumber", nul)));
        all.add(row(TRADESREG, "score 1e200000 is blanked", "WrittenScore", "1e200000", blanked("score")));
        all.add(row(TRADESREG, "score NaN is blanked", "WrittenScore", "NaN", blanked("score")));
        all.add(row(TRADESREG, "300-character module title", "ModuleTitle", LONG, rejected("ModuleTitle", tooLong)));
        all.add(row(TRADESREG, "completion dated in the future", "CompletionDate",
                LocalDate.parse(FUTURE).format(java.time.format.DateTimeFormatter.ofPattern("MM/dd/yyyy")), rejected("CompletionDate", future)));
        all.add(row(TRADESREG, "completion in year 0999", "CompletionDate", "03/14/0999", rejected("CompletionDate", range)));
        all.add(row(TRADESREG, "module id missing", "ModuleID", "", rejected("ModuleID", "required value is missing")));
        all.add(row(TRADESREG, "a field too many", "+extra", "surplus", rejected("*", "the row has 15 fields")));
        all.add(row(TRADESREG, "a quote in a name is data", "LastName", "O\"Neil{good}", new Accepted(ROWS, null, null)));
        all.add(file(TRADESREG, "header names a column twice", edited(TRADESREG, s -> s.replaceFirst("\\tMI\\t", "\tDOB\t")),
                quarantined("names column 'DOB' twice")));
        all.add(file(TRADESREG, "invalid UTF-8 byte in row 6", rawBytes(TRADESREG, "LastName", new byte[]{'P', (byte) 0xFF}),
                quarantined("row 6 holds a byte sequence that does not decode")));

        // foodsafe: pipe, Windows-1252, trailer
        all.add(row(FOODSAFE, "NUL in a last name", "LastName", "Pe" + NUL + "na", rejected("LastName", nul)));
        all.add(row(FOODSAFE, "score 1e200000", "Score", "1e200000", rejected("Score", range)));
        all.add(row(FOODSAFE, "score -Infinity", "Score", "-Infinity", rejected("Score", "not a finite number")));
        all.add(row(FOODSAFE, "300-character school name", "SchoolName", LONG, rejected("SchoolName", tooLong)));
        all.add(row(FOODSAFE, "exam dated in the future", "ExamDate", FUTURE.replace("-", ""), rejected("ExamDate", future)));
        all.add(row(FOODSAFE, "exam in year 1800", "ExamDate", "18000314", rejected("ExamDate", range)));
        all.add(row(FOODSAFE, "birth date 00000000", "BirthDate", "00000000", rejected("BirthDate", "not a valid date")));
        all.add(row(FOODSAFE, "result X", "Result", "X", rejected("Result", "not one of")));
        all.add(file(FOODSAFE, "header names a column twice", edited(FOODSAFE, s -> s.replaceFirst("\\|SchoolCity\\|", "|SchoolName|")),
                quarantined("names column 'SchoolName' twice")));
        all.add(file(FOODSAFE, "byte undefined in Windows-1252 in row 6", rawBytes(FOODSAFE, "LastName", new byte[]{'P', (byte) 0x81}),
                quarantined("row 6 holds a byte sequence that does not decode")));
        all.add(file(FOODSAFE, "trailer counts one row too many", edited(FOODSAFE, s -> s.replace("TRL|10", "TRL|11")),
                quarantined("the trailer counts 11")));

        // district entry
        // creditawards: CSV, UTF-8; the award's institution, program and hours are required
        all.add(row(CREDITAWARDS, "NUL in the institution (attempt key)", "Institution", "Wa" + NUL + "ke", rejected("Institution", nul)));
        all.add(row(CREDITAWARDS, "program missing", "Program", "", rejected("Program", "required value is missing")));
        all.add(row(CREDITAWARDS, "credit hours missing", "CreditHours", "", rejected("CreditHours", "required value is missing")));
        all.add(row(CREDITAWARDS, "credit hours not a number", "CreditHours", "three", rejected("CreditHours", "not a number")));
        all.add(row(CREDITAWARDS, "credit hours 1e200000", "CreditHours", "1e200000", rejected("CreditHours", range)));
        all.add(row(CREDITAWARDS, "credential code missing", "CredentialCode", "", rejected("CredentialCode", "required value is missing")));
        all.add(row(CREDITAWARDS, "awarded in the future", "AwardDate", FUTURE, rejected("AwardDate", future)));
        all.add(row(CREDITAWARDS, "birth date February 30", "BirthDate", "2007-02-30", rejected("BirthDate", "not a valid date")));
        all.add(row(CREDITAWARDS, "a field too many", "+extra", "surplus", rejected("*", "the row has 12 fields")));
        all.add(file(CREDITAWARDS, "cut short mid-record", edited(CREDITAWARDS, t -> t.substring(0, t.length() - 2)),
                quarantined("cut short")));

        all.add(row(DISTRICT, "NUL in a first name", "first_name", "Ta" + NUL + "m", rejected("first_name", nul)));
        all.add(row(DISTRICT, "NUL in the evidence file name", "evidence_file", "ev" + NUL + ".pdf", rejected("evidence_file", nul)));
        all.add(row(DISTRICT, "score 1e200000", "score", "1e200000", rejected("score", range)));
        all.add(row(DISTRICT, "score Infinity", "score", "Infinity", rejected("score", "not a finite number")));
        all.add(row(DISTRICT, "earned in the future", "earned_on", FUTURE, rejected("earned_on", future)));
        all.add(row(DISTRICT, "birth date in year 0000", "birth_date", "0000-01-01", rejected("birth_date", range)));
        all.add(row(DISTRICT, "state id not 10 digits", "state_id", "12345", rejected("state_id", "does not match")));
        all.add(row(DISTRICT, "300-character evidence file name", "evidence_file", LONG, rejected("evidence_file", tooLong)));
        all.add(file(DISTRICT, "header names a column twice", edited(DISTRICT, s -> s.replaceFirst(",score,", ",earned_on,")),
                quarantined("names column 'earned_on' twice")));
        all.add(file(DISTRICT, "invalid UTF-8 byte in row 6", rawBytes(DISTRICT, "first_name", new byte[]{(byte) 0xE2, (byte) 0x28, (byte) 0xA1}),
                quarantined("row 6 holds a byte sequence that does not decode")));

        // workskills: fixed width, US-ASCII
        all.add(row(WORKSKILLS, "NUL in a last name", "lastName", "Fa" + NUL + "ir", rejected("lastName", nul)));
        all.add(row(WORKSKILLS, "test dated in the future", "testDate", FUTURE.replace("-", ""), rejected("testDate", future)));
        all.add(row(WORKSKILLS, "test in year 0100", "testDate", "01000314", rejected("testDate", range)));
        all.add(row(WORKSKILLS, "birth date in the future", "birthDate", FUTURE.replace("-", ""), rejected("birthDate", future)));
        all.add(row(WORKSKILLS, "pass flag blank", "passFlag", " ", rejected("passFlag", "required value is missing")));
        all.add(row(WORKSKILLS, "score NaN is blanked", "scaleScore", "NaN", blanked("score")));
        all.add(row(WORKSKILLS, "line longer than the layout", "+extra", "EXTRA", rejected("*", "the layout ends at column 94")));
        all.add(row(WORKSKILLS, "spaces past the layout are padding", "+extra", "      ", new Accepted(ROWS, null, null)));
        all.add(row(WORKSKILLS, "state id blank", "stateId", "", new Accepted(ROWS, "state_id_hash", null)));
        all.add(file(WORKSKILLS, "non-ASCII byte in line 6", rawBytes(WORKSKILLS, "lastName", new byte[]{'F', (byte) 0xE9}),
                quarantined("line 6 holds a byte sequence that does not decode")));
        all.add(file(WORKSKILLS, "record type Z in line 6", edited(WORKSKILLS, s -> s.replaceFirst("((?:\\r\\n[^\\r]*){4}\\r\\n)D", "$1Z")),
                rejected("*", "unknown record type")));
        all.add(file(WORKSKILLS, "short line 6", edited(WORKSKILLS, s -> s.replaceFirst("((?:\\r\\n[^\\r]*){4}\\r\\n)(D.{30})[^\\r]*", "$1$2")),
                rejected("*", "the layout needs at least")));

        // skillsxlsx: workbook; the score blanks when invalid
        // a control character in a cell is written _xHHHH_ in the sheet's XML (ECMA-376)
        all.add(row(SKILLSXLSX, "NUL in a student name (_x0000_)", "Student Name", "Raven_x0000_s, Io", rejected("Student Name", nul)));
        all.add(row(SKILLSXLSX, "unpaired surrogate in a school (_xD800_)", "School", "River_xD800_side",
                rejected("School", "unpaired UTF-16 surrogate")));
        all.add(row(SKILLSXLSX, "score 1e200000 is blanked", "Score", "1e200000", blanked("score")));
        all.add(row(SKILLSXLSX, "score Infinity is blanked", "Score", "Infinity", blanked("score")));
        all.add(row(SKILLSXLSX, "date taken in the future", "Date Taken", FUTURE, rejected("Date Taken", future)));
        all.add(row(SKILLSXLSX, "date taken in year 9999", "Date Taken", "9999-12-31", rejected("Date Taken", range)));
        all.add(row(SKILLSXLSX, "300-character exam name", "Exam", LONG, rejected("Exam", tooLong)));
        all.add(row(SKILLSXLSX, "passed unknown", "Passed", "perhaps", rejected("Passed", "not one of")));
        all.add(row(SKILLSXLSX, "a value past the header", "+extra", "surplus", rejected("*", "beyond the header")));
        all.add(file(SKILLSXLSX, "header names a column twice", c -> {
            List<String> header = new ArrayList<>(SKILLSXLSX.columns);
            header.add("Score");
            return Workbook.workbook(header, Map.of("Riverside High", SKILLSXLSX.rows(c)), Set.of());
        }, quarantined("sheet 'Riverside High': the header names column 'Score' twice")));
        all.add(file(SKILLSXLSX, "hidden sheet is skipped with a warning", c -> {
            List<Map<String, String>> hidden = SKILLSXLSX.rows(c + 1000).subList(0, 3);
            return Workbook.workbook(SKILLSXLSX.columns, Map.of("Riverside High", SKILLSXLSX.rows(c), "Old lookups", hidden),
                    Set.of("Old lookups"));
        }, new Accepted(ROWS, null, "sheet 'Old lookups' is hidden and the mapping does not list it by name: skipped")));

        // badges: OB 3.0 API page
        all.add(row(BADGES, "NUL in the achievement name", "achievementName", "Weld" + NUL + "ing", rejected("achievementName", nul)));
        all.add(row(BADGES, "unpaired surrogate in the achievement name", "achievementName", "Weld\uD800ing",
                rejected("achievementName", "unpaired UTF-16 surrogate")));
        all.add(row(BADGES, "NUL in the credential id (record id)", "id", "urn:uuid:" + NUL + "x", rejected("id", nul)));
        all.add(row(BADGES, "awarded in the future", "validFrom", FUTURE + "T10:00:00Z", rejected("validFrom", future)));
        all.add(row(BADGES, "awarded in year 1000", "validFrom", "1000-03-14T10:00:00Z", rejected("validFrom", range)));
        // no humanCode and no achievement id (this page's achievements have none): nothing says what was earned
        all.add(row(BADGES, "human code missing", "humanCode", "", rejected("achievementCode", "required value is missing")));
        all.add(row(BADGES, "300-character e-mail", "email", LONG, rejected("email", tooLong)));
        all.add(file(BADGES, "invalid UTF-8 byte in record 5", rawBytes(BADGES, "id", new byte[]{'W', (byte) 0xC0, 'x'}),
                quarantined("at record 5")));
        all.add(file(BADGES, "page cut short", c -> {
            byte[] b = BADGES.render(c, BADGES.rows(c));
            return java.util.Arrays.copyOf(b, b.length / 2);
        }, quarantined("not valid JSON")));

        // issuedbadges: API page
        all.add(row(ISSUEDBADGES, "NUL in a last name", "issued_to_last_name", "Th" + NUL + "is", rejected("issued_to_last_name", nul)));
        all.add(row(ISSUEDBADGES, "unpaired low surrogate in a first name", "issued_to_first_name", "Pe\uDC00rp",
                rejected("issued_to_first_name", "unpaired UTF-16 surrogate")));
        all.add(row(ISSUEDBADGES, "issued in the future", "issued_at", FUTURE + "T10:00:00Z", rejected("issued_at", future)));
        all.add(row(ISSUEDBADGES, "issued at a date that is not one", "issued_at", "2025-02-30T10:00:00Z", rejected("issued_at", "not a valid date")));
        all.add(row(ISSUEDBADGES, "unknown state", "state", "archived", rejected("state", "not one of")));
        all.add(row(ISSUEDBADGES, "300-character template name", "templateName", LONG, rejected("templateName", tooLong)));
        all.add(row(ISSUEDBADGES, "template id missing", "templateId", "", rejected("templateId", "required value is missing")));
        all.add(file(ISSUEDBADGES, "record 5 not an object", c -> new String(ISSUEDBADGES.render(c, ISSUEDBADGES.rows(c)),
                StandardCharsets.UTF_8).replaceFirst("((?:\\{\"id[^\\n]*\\n){4})\\{\"id[^\\n]*\\}\\},", "$1 42,")
                .getBytes(StandardCharsets.UTF_8), rejected("*", "not a JSON object")));
        return all;
    }

    @Test
    void theCatalogueCoversEveryLayout() {
        List<Case> all = cases();
        assertTrue(all.size() + sisCases().size() >= 75, "cases: " + all.size());
        // clr (CLR 2.0 files) is read only through its standard's check, which unwraps the CLR: its bad input (wrong
        // types, an endorsement, no achievement, tampered, revoked) is in pull.CredentialStandardsTest
        TreeSet<String> layouts = new TreeSet<>(MAPPINGS.all().keySet());
        layouts.remove("clr");
        assertEquals(layouts, all.stream().map(c -> c.layout().feed).collect(Collectors.toCollection(TreeSet::new)));
    }

    @TestFactory
    Stream<DynamicTest> catalogue() {
        List<Case> all = cases();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Case c = all.get(i);
            int number = i + 1;
            tests.add(DynamicTest.dynamicTest(c.toString(), () -> run(c, number)));
        }
        return tests.stream();
    }

    private void run(Case k, int c) throws Exception {
        Layout l = k.layout();
        byte[] content = k.file().apply(c);
        String name = l.fileName(c);
        Path file = dir.resolve("case-" + c);
        Files.write(file, content);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Intake.StageOutcome out = intake.stage(l.feed, name, sha, file);
        Map<String, Object> ack = acks.forDelivery(out.deliveryId());
        String ackText = JSON.writeValueAsString(ack);
        assertEquals(name, ack.get("file"), "the acknowledgement names the file");
        List<String> secrets = new ArrayList<>(k.secrets());
        secrets.addAll(l.secrets(c));
        for (String s : secrets) {
            assertFalse(ackText.contains(s), "the acknowledgement repeats student data or the bad value: " + ackText);
        }
        List<Integer> staged = ints("select source_row from result where delivery_id = ? order by source_row", out.deliveryId());
        int lineage = ints("select count(*) from result_lineage where delivery_id = ?", out.deliveryId()).get(0);
        if (k.expect() instanceof Rejected r) {
                assertNull(out.quarantineReason(), ackText);
                assertEquals(List.of(ROWS, ROWS - 1, 1), List.of(out.rowsRead(), out.rowsAccepted(), out.rowsRejected()), ackText);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> rejections = (List<Map<String, Object>>) ack.get("rejections");
                assertEquals(1, rejections.size(), ackText);
                Map<String, Object> rej = rejections.get(0);
                assertEquals(l.row(BAD), rej.get("row"), ackText);
                assertEquals(r.field(), rej.get("field"), ackText);
                assertTrue(((String) rej.get("reason")).contains(r.reason()), ackText);
                assertEquals(ROWS - 1, staged.size(), "the good rows are staged once: " + staged);
                assertEquals(ROWS - 1, lineage);
                if (l.json()) {
                    List<String> refs = strings("select source_ref from result where delivery_id = ?", out.deliveryId());
                    assertFalse(refs.contains(l.good(c, BAD).get("id")), "the bad record is not staged");
                } else {
                    assertFalse(staged.contains(l.row(BAD)), "the bad row is not staged");
                }
        } else if (k.expect() instanceof Quarantined q) {
                assertNotNull(out.quarantineReason(), ackText);
                assertTrue(out.quarantineReason().contains(q.reason()), out.quarantineReason());
                assertEquals("quarantined", ack.get("status"));
                assertEquals(List.of(), staged, "nothing of a quarantined file is staged");
                assertEquals(0, lineage);
        } else if (k.expect() instanceof Accepted a) {
                assertNull(out.quarantineReason(), ackText);
                assertEquals(List.of(a.rows(), a.rows(), 0), List.of(out.rowsRead(), out.rowsAccepted(), out.rowsRejected()), ackText);
                assertEquals(a.rows(), staged.size(), "every row is staged once: " + staged);
                assertEquals(a.rows(), lineage);
                if (a.blanked() != null) {
                    String where = l.json() ? "source_ref = '" + l.good(c, BAD).get("id") + "'" : "source_row = " + l.row(BAD);
                    List<String> v = strings("select " + a.blanked() + "::text from result where delivery_id = ? and " + where,
                            out.deliveryId());
                    assertEquals(java.util.Collections.singletonList(null), v, "the invalid value is blanked");
                }
                if (a.warning() != null) {
                    // the reader's warning reaches the vendor, in the acknowledgement
                    assertTrue(String.valueOf(ack.get("warnings")).contains(a.warning()), ackText);
                }
        }
    }

    // ---------------------------------------------------------------- OneRoster bundles

    /**
     * A SIS bundle case: one file of a ten-student synthetic bundle edited. A bundle is all or nothing by
     * design (OneRosterImport), so a value PostgreSQL would refuse refuses the bundle with one error naming
     * the file, line and column, and the roster keeps what the last good bundle gave it.
     */
    record SisCase(String name, String file, UnaryOperator<byte[]> edit, int line, String column, String reason,
                   List<String> secrets) {
        @Override
        public String toString() {
            return "sis: " + name;
        }
    }

    /** Edits the line of {@code file} that starts with {@code start}. */
    private static UnaryOperator<byte[]> line(String start, UnaryOperator<String> edit) {
        return b -> {
            String text = new String(b, StandardCharsets.UTF_8);
            int at = text.indexOf("\n" + start) + 1;
            int end = text.indexOf('\n', at);
            return (text.substring(0, at) + edit.apply(text.substring(at, end)) + text.substring(end)).getBytes(StandardCharsets.UTF_8);
        };
    }

    private static UnaryOperator<byte[]> rawLine(String start, String find, byte[] replacement) {
        return b -> {
            String text = new String(b, StandardCharsets.UTF_8);
            int line = text.indexOf("\n" + start) + 1;
            int at = text.indexOf(find, line);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(b, 0, at);
            out.writeBytes(replacement);
            out.write(b, at + find.length(), b.length - at - find.length());
            return out.toByteArray();
        };
    }

    static List<SisCase> sisCases() {
        String nul = "holds a NUL character";
        String state4 = org.credentialhub.sis.SyntheticBundle.stateId(4);
        List<SisCase> all = new ArrayList<>();
        all.add(new SisCase("NUL in a given name", "users.csv", line("usr-4,", l -> l.replaceFirst("\\}\",(\\w+),", "}\",Zo" + NUL + "e,")),
                6, "givenName", nul, List.of(state4)));
        all.add(new SisCase("NUL in a family name", "users.csv", line("usr-4,", l -> l.replaceFirst("\\}\",(\\w+),(\\w+),", "}\",$1,Qu" + NUL + "ill,")),
                6, "familyName", nul, List.of(state4)));
        all.add(new SisCase("NUL in a local identifier", "users.csv", line("usr-4,", l -> l.replace(",L4,", ",L" + NUL + "4,")),
                6, "identifier", nul, List.of(state4)));
        all.add(new SisCase("NUL in an enrollment id", "enrollments.csv", line("enr-4-0,", l -> l.replace("enr-4-0,", "enr-4" + NUL + "0,")),
                6, "sourcedId", nul, List.of()));
        all.add(new SisCase("NUL in a school name", "orgs.csv", line("org-s0,", l -> l.replace("School 0", "Sch" + NUL + "ool")),
                3, "name", nul, List.of()));
        all.add(new SisCase("NUL in a class title", "classes.csv", line("cls-0-4,", l -> l.replace("Class 4", "Cla" + NUL + "ss")),
                6, "title", nul, List.of()));
        all.add(new SisCase("birth date in year 0000", "demographics.csv", line("usr-4,", l -> l.replaceFirst(",\\d{4}-\\d{2}-\\d{2},", ",0000-01-01,")),
                6, "birthDate", "out of range", List.of("0000-01-01")));
        all.add(new SisCase("birth date in 1850", "demographics.csv", line("usr-4,", l -> l.replaceFirst(",\\d{4}-\\d{2}-\\d{2},", ",1850-03-01,")),
                6, "birthDate", "out of range", List.of("1850-03-01")));
        all.add(new SisCase("enrollment begins in year 0001", "enrollments.csv", line("enr-4-0,", l -> l.replace("2024-08-26", "0001-08-26")),
                6, "beginDate", "out of range", List.of()));
        all.add(new SisCase("invalid UTF-8 byte in line 6", "users.csv", rawLine("usr-4,", "usr-4,active", new byte[]{'u', (byte) 0xC3, '(', ',', 'a'}),
                6, null, "not UTF-8", List.of(state4)));
        return all;
    }

    @TestFactory
    Stream<DynamicTest> oneRosterBundles() {
        return sisCases().stream().map(k -> DynamicTest.dynamicTest(k.toString(), () -> runSis(k)));
    }

    private void runSis(SisCase k) throws Exception {
        org.credentialhub.sis.OneRosterImport importer = new org.credentialhub.sis.OneRosterImport(db.dataSource(), HMAC, 7,
                org.credentialhub.sis.OneRosterImport.defaultStateIdTypes());
        Path good = dir.resolve("sis-good");
        if (!Files.isDirectory(good)) {
            org.credentialhub.sis.SyntheticBundle.write(good, ROWS, 1, 7);
        }
        org.credentialhub.sis.Verdict first = importer.importBundle("sis", good, "sis-good");
        assertTrue(first.accepted() || first.duplicateOf() != null, () -> first.problems().toString());
        List<String> before = strings("select string_agg(sourced_id || ':' || coalesce(birth_date::text, ''), ',' order by sourced_id) "
                + "from student where ? > 0", 1);
        Path bad = dir.resolve("sis-" + k.name().replaceAll("\\W+", "-"));
        org.credentialhub.sis.SyntheticBundle.write(bad, ROWS, 1, 7);
        Files.write(bad.resolve(k.file()), k.edit().apply(Files.readAllBytes(bad.resolve(k.file()))));
        org.credentialhub.sis.Verdict v = importer.importBundle("sis", bad, "sis-" + k.name());
        assertFalse(v.accepted(), "refused whole");
        List<org.credentialhub.sis.Problem> errors = v.problems().stream().filter(org.credentialhub.sis.Problem::isError).toList();
        assertEquals(1, errors.size(), errors::toString);
        org.credentialhub.sis.Problem p = errors.get(0);
        assertEquals(List.of(k.file(), k.line()), List.of(p.file(), p.line()), p::toString);
        assertEquals(k.column(), p.column(), p::toString);
        assertTrue(p.message().contains(k.reason()), p::toString);
        String reason = strings("select reason from delivery where delivery_id = ?", v.deliveryId()).get(0);
        String problems = String.join("\n", strings("select coalesce(message, '') from delivery_problem where delivery_id = ?", v.deliveryId()));
        for (String secret : k.secrets()) {
            assertFalse(reason.contains(secret) || problems.contains(secret) || p.message().contains(secret),
                    "the refusal repeats student data: " + reason);
        }
        assertEquals(before, strings("select string_agg(sourced_id || ':' || coalesce(birth_date::text, ''), ',' order by sourced_id) "
                + "from student where ? > 0", 1), "nothing of a refused bundle is applied");
        assertEquals(ROWS, ints("select count(*) from student where ? > 0", 1).get(0));
    }

    private List<Integer> ints(String sql, long id) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (String s : strings(sql, id)) {
            out.add(Integer.valueOf(s));
        }
        return out;
    }

    private List<String> strings(String sql, long id) throws Exception {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
