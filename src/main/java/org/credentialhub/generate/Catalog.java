package org.credentialhub.generate;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The state catalog of one school year: courses, credentials (with the feed that delivers each) and alignments. */
public final class Catalog {

    public record Course(String code, String title) { }

    /** {@code tier}: 1-3, or null when the catalog gives none. */
    public record Credential(String code, String name, String deliveredBy, String examCode, String combined, Integer tier) { }

    /** An articulation agreement ({@code articulation_agreements.csv}, optional). */
    public record Agreement(String credential, String institution, String program, java.math.BigDecimal creditHours,
                            String firstYear, String lastYear) {
        /** The agreement holds for credentials earned in the school year ({@code 2024-2025}). */
        boolean holdsIn(String year) {
            return firstYear.compareTo(year) <= 0 && year.compareTo(lastYear) <= 0;
        }
    }

    public final Map<String, Course> courses = new LinkedHashMap<>();
    public final Map<String, Credential> credentials = new LinkedHashMap<>();
    /** course code -> aligned credential codes, in file order. */
    public final Map<String, List<String>> alignments = new LinkedHashMap<>();
    /** The articulation agreements, in file order (none without the file). */
    public final List<Agreement> agreements = new ArrayList<>();

    public static Catalog load(Path dir) throws IOException {
        Catalog c = new Catalog();
        for (CSVRecord r : read(dir.resolve("courses.csv"))) {
            c.courses.put(r.get("course_code"), new Course(r.get("course_code"), r.get("course_title")));
        }
        for (CSVRecord r : read(dir.resolve("credentials.csv"))) {
            String exam = r.isMapped("exam_code") ? r.get("exam_code") : r.get("vendor_exam_code");
            c.credentials.put(r.get("credential_code"), new Credential(r.get("credential_code"), r.get("credential_name"),
                    r.get("delivered_by"), exam, r.get("combined_credential"),
                    r.isMapped("tier") && !r.get("tier").isBlank() ? Integer.valueOf(r.get("tier").strip()) : null));
        }
        for (CSVRecord r : read(dir.resolve("course_credentials.csv"))) {
            c.alignments.computeIfAbsent(r.get("course_code"), k -> new ArrayList<>()).add(r.get("credential_code"));
        }
        Path agreements = dir.resolve("articulation_agreements.csv");
        if (Files.isRegularFile(agreements)) {
            for (CSVRecord r : read(agreements)) {
                c.agreements.add(new Agreement(r.get("credential_code"), r.get("institution"), r.get("program"),
                        new java.math.BigDecimal(r.get("credit_hours")), r.get("first_year"), r.get("last_year")));
            }
        }
        return c;
    }

    static List<CSVRecord> read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(in)) {
            return p.getRecords();
        }
    }
}
