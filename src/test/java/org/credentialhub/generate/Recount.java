package org.credentialhub.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Recounts a generated folder by the counting rules, from its files alone: OneRoster enrollments (potential) and the
 * vendor files, API records and district entries, with truth.csv telling who each record is (earned).
 */
final class Recount {

    record Result(String feed, String source, long row, String credential, LocalDate date, boolean passed) { }

    final Map<String, long[]> byDistrict = new TreeMap<>();       // psu -> {earned, potential}
    final Map<String, long[]> byCourseCredential = new TreeMap<>(); // course|credential -> {earned, potential}
    final List<Result> results = new ArrayList<>();
    int skippedDuplicates;
    int quarantined;

    static final LocalDate FIRST = LocalDate.of(2024, 7, 1);
    static final LocalDate LAST = LocalDate.of(2025, 6, 30);

    Recount(Path dir, Catalog catalog) throws IOException {
        Path or = dir.resolve("oneroster");
        Map<String, String> courseCode = new HashMap<>();
        for (CSVRecord r : csv(or.resolve("courses.csv"))) {
            courseCode.put(r.get("sourcedId"), r.get("courseCode"));
        }
        Map<String, String> orgIdentifier = new HashMap<>();
        Map<String, String> orgParent = new HashMap<>();
        for (CSVRecord r : csv(or.resolve("orgs.csv"))) {
            orgIdentifier.put(r.get("sourcedId"), r.get("identifier"));
            orgParent.put(r.get("sourcedId"), r.get("parentSourcedId"));
        }
        Map<String, Set<String>> offered = new HashMap<>();
        Map<String, String> resourceCred = new HashMap<>();
        for (CSVRecord r : csv(or.resolve("resources.csv"))) {
            resourceCred.put(r.get("sourcedId"), r.get("vendorResourceId"));
        }
        for (CSVRecord r : csv(or.resolve("classResources.csv"))) {
            offered.computeIfAbsent(r.get("classSourcedId"), k -> new HashSet<>()).add(resourceCred.get(r.get("resourceSourcedId")));
        }
        Map<String, String[]> classInfo = new HashMap<>(); // class -> {course code, district psu}
        for (CSVRecord r : csv(or.resolve("classes.csv"))) {
            String district = orgIdentifier.get(orgParent.get(r.get("schoolSourcedId")));
            classInfo.put(r.get("sourcedId"), new String[] {courseCode.get(r.get("courseSourcedId")), district});
        }
        Map<String, String> stateIdOf = new HashMap<>();
        for (CSVRecord r : csv(or.resolve("users.csv"))) {
            stateIdOf.put(r.get("sourcedId"), r.get("identifier"));
        }
        // enrollment: state id -> list of {course, district, class}
        Map<String, List<String[]>> enrolled = new HashMap<>();
        for (CSVRecord r : csv(or.resolve("enrollments.csv"))) {
            if (!r.get("role").equals("student")) {
                continue;
            }
            String cls = r.get("classSourcedId");
            String[] info = classInfo.get(cls);
            enrolled.computeIfAbsent(stateIdOf.get(r.get("userSourcedId")), k -> new ArrayList<>())
                    .add(new String[] {info[0], info[1], cls});
            for (String cred : catalog.alignments.getOrDefault(info[0], List.of())) {
                if (offered.getOrDefault(cls, Set.of()).contains(cred)) {
                    byDistrict.computeIfAbsent(info[1], k -> new long[2])[1]++;
                    byCourseCredential.computeIfAbsent(info[0] + "|" + cred, k -> new long[2])[1]++;
                }
            }
        }
        Map<String, String> truth = new HashMap<>();
        for (CSVRecord r : csv(dir.resolve("truth.csv"))) {
            truth.put(r.get("feed") + "|" + r.get("source") + "|" + r.get("row"), r.get("state_id"));
        }
        Map<String, String> byExam = new HashMap<>();
        for (Catalog.Credential c : catalog.credentials.values()) {
            byExam.put(c.deliveredBy() + "|" + c.examCode(), c.code());
        }
        readFeeds(dir, byExam);
        Set<String> counted = new HashSet<>();
        for (Result r : results) {
            String sid = truth.get(r.feed() + "|" + r.source() + "|" + r.row());
            if (sid == null) {
                throw new IllegalStateException("no truth for " + r);
            }
            if (!r.passed() || sid.isEmpty() || r.date().isBefore(FIRST) || r.date().isAfter(LAST)
                    || !counted.add(sid + "|" + r.credential())) {
                continue;
            }
            for (String[] e : enrolled.getOrDefault(sid, List.of())) {
                if (catalog.alignments.getOrDefault(e[0], List.of()).contains(r.credential())
                        && offered.getOrDefault(e[2], Set.of()).contains(r.credential())) {
                    byDistrict.get(e[1])[0]++;
                    byCourseCredential.get(e[0] + "|" + r.credential())[0]++;
                }
            }
        }
    }

    private void readFeeds(Path dir, Map<String, String> byExam) throws IOException {
        Set<String> seen = new HashSet<>();
        // certexam
        for (Path f : files(dir.resolve("sftp/certexam"))) {
            if (!seen.add(sha(f))) { skippedDuplicates++; continue; }
            String text = Files.readString(f, StandardCharsets.UTF_8).substring(1);
            long row = 1;
            for (CSVRecord r : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(new java.io.StringReader(text))) {
                row++;
                results.add(new Result("certexam", f.getFileName().toString(), row, byExam.get("certexam|" + r.get("examCode")),
                        OffsetDateTime.parse(r.get("deliveryDateTime")).toLocalDate(), r.get("passFail").equals("Pass")));
            }
        }
        DateTimeFormatter mdy = DateTimeFormatter.ofPattern("MM/dd/yyyy");
        for (Path f : files(dir.resolve("sftp/tradesreg"))) {
            if (!seen.add(sha(f))) { skippedDuplicates++; continue; }
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 1; i < lines.size(); i++) {
                String[] c = lines.get(i).split("\t", -1);
                results.add(new Result("tradesreg", f.getFileName().toString(), i + 1, byExam.get("tradesreg|" + c[6]),
                        LocalDate.parse(c[8], mdy), true));
            }
        }
        DateTimeFormatter ymd = DateTimeFormatter.BASIC_ISO_DATE;
        for (Path f : files(dir.resolve("sftp/foodsafe"))) {
            if (!seen.add(sha(f))) { skippedDuplicates++; continue; }
            List<String> lines = Files.readAllLines(f, Charset.forName("windows-1252"));
            String trailer = lines.get(lines.size() - 1);
            if (!trailer.equals("TRL|" + (lines.size() - 2))) { quarantined++; continue; }
            for (int i = 1; i < lines.size() - 1; i++) {
                String[] c = lines.get(i).split("\\|", -1);
                results.add(new Result("foodsafe", f.getFileName().toString(), i + 1, byExam.get("foodsafe|" + c[6]),
                        LocalDate.parse(c[9], ymd), c[8].equals("P")));
            }
        }
        for (Path f : files(dir.resolve("sftp/workskills"))) {
            if (!seen.add(sha(f))) { skippedDuplicates++; continue; }
            List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                if (l.startsWith("D")) {
                    results.add(new Result("workskills", f.getFileName().toString(), i + 1,
                            byExam.get("workskills|" + l.substring(71, 79).trim()), LocalDate.parse(l.substring(79, 87), ymd),
                            l.charAt(93) == 'Y'));
                }
            }
        }
        for (Path f : files(dir.resolve("sftp/skillsxlsx"))) {
            if (!seen.add(sha(f))) { skippedDuplicates++; continue; }
            try (InputStream in = Files.newInputStream(f); Workbook wb = WorkbookFactory.create(in)) {
                for (Sheet sh : wb) {
                    for (Row r : sh) {
                        if (r.getRowNum() < 3) continue;
                        Cell date = r.getCell(5);
                        results.add(new Result("skillsxlsx", f.getFileName() + "#" + sh.getSheetName(), r.getRowNum() + 1,
                                byExam.get("skillsxlsx|" + r.getCell(4).getStringCellValue()),
                                date.getLocalDateTimeCellValue().toLocalDate(), r.getCell(7).getBooleanCellValue()));
                    }
                }
            }
        }
        ObjectMapper om = new ObjectMapper();
        Path badges = dir.resolve("api/badges/credentials.json");
        if (Files.exists(badges)) {
            for (JsonNode c : om.readTree(badges.toFile()).get("credential")) {
                results.add(new Result("badges", c.get("id").asText(), 1,
                        byExam.get("badges|" + c.at("/credentialSubject/achievement/humanCode").asText()),
                        OffsetDateTime.parse(c.get("validFrom").asText()).atZoneSameInstant(java.time.ZoneId.of("America/New_York")).toLocalDate(), true));
            }
        }
        Path issued = dir.resolve("api/issuedbadges/badges.json");
        if (Files.exists(issued)) {
            for (JsonNode b : om.readTree(issued.toFile()).get("data")) {
                results.add(new Result("issuedbadges", b.get("id").asText(), 1,
                        byExam.get("issuedbadges|" + b.at("/badge_template/id").asText()),
                        OffsetDateTime.parse(b.get("issued_at").asText()).toLocalDate(), b.get("state").asText().equals("accepted")));
            }
        }
        long row = 1;
        for (CSVRecord r : csv(dir.resolve("district/entries.csv"))) {
            row++;
            results.add(new Result("district", "entries.csv", row, r.get("credential_code"), LocalDate.parse(r.get("earned_on")), true));
        }
        for (Result r : results) {
            if (r.credential() == null) {
                throw new IllegalStateException("unknown exam code in " + r);
            }
        }
    }

    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    static String sha(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<CSVRecord> csv(Path f) throws IOException {
        try (Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(in)) {
            return p.getRecords();
        }
    }
}
