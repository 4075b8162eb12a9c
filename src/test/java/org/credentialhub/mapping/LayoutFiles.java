package org.credentialhub.mapping;

import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.CreationHelper;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;

/** Small synthetic files in each vendor layout of docs/vendor-layouts.md, with their quirks. */
public final class LayoutFiles {
    private LayoutFiles() {
    }

    public static final String TRADESREG_HEADER = "CardNumber\tAlternateID\tLastName\tFirstName\tMI\tDOB\tModuleID\t"
            + "ModuleTitle\tCompletionDate\tWrittenScore\tPerformanceProfile\tInstructorName\tTrainingSponsorCode\tTrainingLocation\n";

    /** tradesreg TSV: UTF-8, tabs, no quoting, LF; row 3 has a local ID, row 4 a bad completion date. */
    public static byte[] tradesreg() {
        return (TRADESREG_HEADER
                + "NC1001\t1000000001\tPeña\tAna\tM\t05/01/2007\t00101-NC\tBasic Safety\t03/14/2025\t88\tY\tJ. Teacher\tSP01\tRiverside High\n"
                + "NC1002\t40213\tO\"Neil\tBen\t\t01/09/2008\t00102-NC\tIntro to Construction Math\t03/15/2025\t\tN\tJ. Teacher\tSP01\tRiverside High\n"
                + "NC1003\t1000000003\tLopez-Garcia\tCara\t\t11/23/2007\t00103-NC\tHand Tools\t2025-03-16\t91\t\tJ. Teacher\tSP02\tPine Ridge\n"
                + "NC1001\t1000000001\tPeña\tAna\tM\t05/01/2007\t00102-NC\tIntro to Construction Math\t03/17/2025\t79\tY\tJ. Teacher\tSP01\tRiverside High\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    public static final String FOODSAFE_HEADER =
            "ExamID|LastName|FirstName|BirthDate|SchoolName|SchoolCity|ExamType|Score|Result|ExamDate|CertificateNumber|ExpirationDate\r\n";

    /** foodsafe: Windows-1252 (Peña as byte F1), pipes, CRLF, trailer TRL|count. */
    public static byte[] foodsafe(int trailerCount) {
        return (FOODSAFE_HEADER
                + "E9001|Peña|Ana|20070501|Riverside High|Raleigh|FO-9513E|88|P|20250314|CERT-1|20300314\r\n"
                + "E9002|Okafor|Ben|20080109|Riverside High|Raleigh|FO-9513E|61|F|20250314||\r\n"
                + "E9003|Nguyễn|Cara|20071123|Pine Ridge High|Durham|FO-9E2C1|90|X|20250315|CERT-3|20300315\r\n"
                + "TRL|" + trailerCount + "\r\n")
                .replace("Nguyễn", "Nguyen")
                .getBytes(Charset.forName("windows-1252"));
    }

    /** workskills fixed width, ASCII, CRLF: H header, D details, T trailer with a 9-digit count. */
    public static byte[] workskills(int trailerCount) {
        StringBuilder sb = new StringBuilder();
        sb.append("H20250318").append(pad("WORKSKILLS", 10)).append("\r\n");
        sb.append(detail("1000000001", "Pena", "Ana", "20070501", "910", "910301", "WO-25219", "20250314", "085", "070", "Y"));
        sb.append(detail("", "Okafor", "Ben", "20080109", "910", "910301", "WO-6F1AF", "20250314", "055", "070", "N"));
        sb.append(detail("1000000003", "Lopez", "Cara", "20071123", "920", "920301", "WO-25219", "20250399", "090", "070", "Y"));
        sb.append("T").append(String.format("%09d", trailerCount)).append("\r\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static String detail(String id, String last, String first, String dob, String district, String school,
                                String test, String date, String score, String cut, String pass) {
        String line = "D" + pad(id, 10) + pad(last, 25) + pad(first, 15) + pad(dob, 8) + pad(district, 6)
                + pad(school, 6) + pad(test, 8) + pad(date, 8) + pad(score, 3) + pad(cut, 3) + pad(pass, 1);
        if (line.length() != 94) {
            throw new IllegalStateException("detail is " + line.length());
        }
        return line + "\r\n";
    }

    private static String pad(String s, int n) {
        return String.format("%-" + n + "s", s);
    }

    /** One skillsxlsx sheet: title in row 1, blank row 2, header in row 3, data from row 4. */
    public record SheetRow(String studentId, String name, String exam, String code, LocalDate taken, Double score,
                           Boolean passed, String school) {
    }

    public static byte[] skillsxlsx(List<String> header, List<List<SheetRow>> sheets, List<String> sheetNames) throws IOException {
        try (XSSFWorkbook wb = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            CreationHelper helper = wb.getCreationHelper();
            CellStyle date = wb.createCellStyle();
            date.setDataFormat(helper.createDataFormat().getFormat("m/d/yy"));
            for (int s = 0; s < sheets.size(); s++) {
                Sheet sheet = wb.createSheet(sheetNames.get(s));
                sheet.createRow(0).createCell(0).setCellValue("End-of-program exam results " + sheetNames.get(s));
                Row h = sheet.createRow(2);
                for (int i = 0; i < header.size(); i++) {
                    h.createCell(i).setCellValue(header.get(i));
                }
                int r = 3;
                for (SheetRow d : sheets.get(s)) {
                    Row row = sheet.createRow(r++);
                    if (d.studentId() != null && d.studentId().matches("\\d+")) {
                        row.createCell(0).setCellValue(Double.parseDouble(d.studentId()));
                    } else {
                        row.createCell(0).setCellValue(d.studentId());
                    }
                    row.createCell(1).setCellValue(d.name());
                    row.createCell(2).setCellValue(11);
                    row.createCell(3).setCellValue(d.exam());
                    row.createCell(4).setCellValue(d.code());
                    if (d.taken() != null) {
                        var c = row.createCell(5);
                        c.setCellValue(d.taken());
                        c.setCellStyle(date);
                    }
                    if (d.score() != null) {
                        row.createCell(6).setCellValue(d.score());
                    }
                    if (d.passed() != null) {
                        row.createCell(7).setCellValue(d.passed());
                    }
                    row.createCell(8).setCellValue(d.school());
                }
            }
            wb.write(out);
            return out.toByteArray();
        }
    }

    public static final List<String> SKILLS_HEADER =
            List.of("Student ID", "Student Name", "Grade", "Exam", "Exam Code", "Date Taken", "Score", "Passed", "School");

    public static byte[] skillsxlsx() throws IOException {
        return skillsxlsx(SKILLS_HEADER, List.of(
                List.of(new SheetRow("1000000001", "Peña, Ana", "Welding I", "SK-0046E", LocalDate.of(2025, 3, 14), 88.0, true, "Riverside High"),
                        new SheetRow("L-4411", "Okafor, Ben", "Welding I", "SK-0046E", LocalDate.of(2025, 3, 14), 51.5, false, "Riverside High")),
                List.of(new SheetRow("1000000003", "Lopez, Cara", "Drafting", "SK-0ED2C", LocalDate.of(2025, 4, 2), 93.0, true, "Pine Ridge High"),
                        new SheetRow("1000000004", "Smith, Dee", "Drafting", "SK-0ED2C", null, 70.0, true, "Pine Ridge High"))),
                List.of("Riverside High", "Pine Ridge High"));
    }

    public static String ob3Credential(String id, String studentId, String email, String humanCode, String validFrom) {
        return """
                {"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                 "id": "%s", "type": ["VerifiableCredential", "OpenBadgeCredential"],
                 "issuer": {"id": "https://vendor.example/issuers/1", "type": ["Profile"], "name": "Badge Vendor"},
                 "validFrom": "%s", "name": "Badge",
                 "credentialSubject": {"type": ["AchievementSubject"],
                   "identifier": [
                     {"type": "IdentityObject", "identityType": "studentId", "hashed": %s, "identityHash": "%s", "salt": "s1"},
                     {"type": "IdentityObject", "identityType": "emailAddress", "hashed": false, "identityHash": "%s"}],
                   "achievement": {"id": "https://vendor.example/achievements/%s", "type": ["Achievement"],
                     "humanCode": "%s", "name": "Achievement %s", "criteria": {"narrative": "passed"}}}}
                """.formatted(id, validFrom, studentId == null ? "true" : "false",
                studentId == null ? "sha256$abc" : studentId, email, humanCode, humanCode, humanCode);
    }

    public static String issuedBadge(String id, String state, String issuedAt, String earnerId, String templateId) {
        return """
                {"id": "%s", "state": "%s", "issued_at": "%s", "issued_to_first_name": "Ana",
                 "issued_to_last_name": "Peña", "recipient_email": "ana@example.org", "issuer_earner_id": %s,
                 "badge_template": {"id": "%s", "name": "Template %s"}}
                """.formatted(id, state, issuedAt, earnerId == null ? "null" : "\"" + earnerId + "\"", templateId, templateId);
    }

    /**
     * An OB 3.0 IdentityObject: plain ({@code salt} null) or hashed as the spec says, {@code sha256$<hex>} of the
     * value followed by the salt (computed here with MessageDigest, independently of the hub).
     */
    public static String identity(String type, String value, String salt) {
        if (salt == null) {
            return """
                    {"type": "IdentityObject", "identityType": "%s", "hashed": false, "identityHash": "%s"}"""
                    .formatted(type, value);
        }
        return """
                {"type": "IdentityObject", "identityType": "%s", "hashed": true, "identityHash": "%s", "salt": "%s"}"""
                .formatted(type, sha256(value + salt), salt);
    }

    public static String sha256(String s) {
        try {
            return "sha256$" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An OB 3.0 AchievementCredential whose subject carries the given identifiers ({@link #identity}). */
    public static String ob3Credential(String id, String humanCode, String validFrom, List<String> identifiers) {
        return """
                {"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                 "id": "%s", "type": ["VerifiableCredential", "OpenBadgeCredential"],
                 "issuer": {"id": "https://vendor.example/issuers/1", "type": ["Profile"], "name": "Badge Vendor"},
                 "validFrom": "%s", "name": "Badge",
                 "credentialSubject": {"type": ["AchievementSubject"],
                   "identifier": [%s],
                   "achievement": {"id": "https://vendor.example/achievements/%s", "type": ["Achievement"],
                     "humanCode": "%s", "name": "Achievement %s", "criteria": {"narrative": "passed"}}}}
                """.formatted(id, validFrom, String.join(",", identifiers), humanCode, humanCode, humanCode);
    }

    /**
     * An issued badge with the earner's names (null: left out; {@code fullName} is {@code issued_to}) and the OB 3.0
     * identifiers the platform sends for the earner ({@code earner_identifiers}).
     */
    public static String issuedBadge(String id, String issuedAt, String earnerId, String first, String last,
                                     String fullName, String templateId, List<String> identifiers) {
        return """
                {"id": "%s", "state": "accepted", "issued_at": "%s", "issued_to": %s, "issued_to_first_name": %s,
                 "issued_to_last_name": %s, "recipient_email": "someone@example.org", "issuer_earner_id": %s,
                 "earner_identifiers": [%s],
                 "badge_template": {"id": "%s", "name": "Template %s"}}
                """.formatted(id, issuedAt, quoted(fullName), quoted(first), quoted(last), quoted(earnerId),
                String.join(",", identifiers), templateId, templateId);
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
