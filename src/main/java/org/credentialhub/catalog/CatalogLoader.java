package org.credentialhub.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.support.ConfigException;
import org.credentialhub.support.Yaml;
import org.credentialhub.store.Rollback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads the state catalog, one folder per state and school year ({@code config/catalog/<state>/<year>/}),
 * into the catalog tables: {@code catalog.yaml} (state, school-year, first-day, last-day),
 * {@code courses.csv}, {@code credentials.csv}, {@code course_credentials.csv},
 * {@code combined_credentials.csv} and, optionally, {@code credential_program_areas.csv} and
 * {@code achievement_ids.csv} (credential_code, identifier: further identifiers that denote a credential in its
 * feed, such as an Open Badges achievement id, an alignment's target code or URL, a CTDL CTID; any of them maps
 * a badge, as the exam code does) and {@code articulation_agreements.csv} ({@link ArticulationAgreements}). A folder is
 * checked whole (columns, keys, references between its files) before anything is written, then its
 * state and year are replaced in one transaction. A new year is a new folder.
 */
public final class CatalogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogLoader.class);

    /** {@code catalog.yaml}. */
    public record CatalogYaml(@JsonProperty(required = true) String state,
                              @JsonProperty(value = "school-year", required = true) String schoolYear,
                              @JsonProperty(value = "first-day", required = true) String firstDay,
                              @JsonProperty(value = "last-day", required = true) String lastDay) {
    }

    /** What one folder held. */
    public record Loaded(String state, String schoolYear, int courses, int credentials, int examCodes,
                         int alignments, int combinedRows, int programAreas, int agreements) {
    }

    private final DataSource dataSource;

    /** The catalog's tables, each keyed by state and school year. */
    static final List<String> TABLES = List.of("catalog_credential", "catalog_exam_code", "catalog_course",
            "catalog_alignment", "catalog_combined", "catalog_credential_program_area", "catalog_articulation", "catalog_year");

    public CatalogLoader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Loads every state folder under the catalog folder, or only the listed states.
     *
     * @param states state folder names, or empty for all
     */
    public List<Loaded> loadAll(Path catalogDir, List<String> states) throws SQLException {
        if (!Files.isDirectory(catalogDir)) {
            throw new ConfigException(catalogDir + ": no catalog folder");
        }
        List<Path> dirs = new ArrayList<>();
        if (states.isEmpty()) {
            try (Stream<Path> s = Files.list(catalogDir)) {
                dirs.addAll(s.filter(Files::isDirectory).sorted().toList());
            } catch (IOException e) {
                throw new ConfigException(catalogDir + ": cannot read: " + e.getMessage());
            }
        } else {
            states.forEach(st -> dirs.add(catalogDir.resolve(st)));
        }
        List<Loaded> out = new ArrayList<>();
        for (Path d : dirs) {
            out.addAll(loadState(d));
        }
        return out;
    }

    public List<Loaded> loadState(Path stateDir) throws SQLException {
        if (!Files.isDirectory(stateDir)) {
            throw new ConfigException(stateDir + ": no catalog folder for this state");
        }
        List<Loaded> out = new ArrayList<>();
        try (Stream<Path> years = Files.list(stateDir)) {
            for (Path year : years.filter(Files::isDirectory).sorted().toList()) {
                out.add(loadYear(year));
            }
        } catch (IOException e) {
            throw new ConfigException(stateDir + ": cannot read: " + e.getMessage());
        }
        return out;
    }

    public Loaded loadYear(Path yearDir) throws SQLException {
        String year = yearDir.getFileName().toString();
        String state = yearDir.toAbsolutePath().normalize().getParent().getFileName().toString();
        if (!year.matches("\\d{4}-\\d{4}")) {
            throw new ConfigException(yearDir + ": a catalog folder is named for its school year, e.g. 2024-2025");
        }
        if (!state.matches("[a-z]{2}[a-z0-9_-]*")) {
            throw new ConfigException(yearDir + ": the state folder must be the state's lower-case code, e.g. nc");
        }
        Path yamlFile = yearDir.resolve("catalog.yaml");
        CatalogYaml yaml = Yaml.read(yamlFile, CatalogYaml.class);
        if (!state.equals(yaml.state())) {
            throw new ConfigException(yamlFile + ": state '" + yaml.state() + "' is not the folder's state '" + state + "'");
        }
        if (!year.equals(yaml.schoolYear())) {
            throw new ConfigException(yamlFile + ": school-year '" + yaml.schoolYear() + "' is not the folder's year '" + year + "'");
        }
        LocalDate first = date(yamlFile, "first-day", yaml.firstDay());
        LocalDate last = date(yamlFile, "last-day", yaml.lastDay());
        if (!last.isAfter(first)) {
            throw new ConfigException(yamlFile + ": last-day must come after first-day");
        }

        Path coursesFile = yearDir.resolve("courses.csv");
        List<CSVRecord> courses = read(coursesFile, List.of("course_code", "course_title", "program_area"));
        Path credentialsFile = yearDir.resolve("credentials.csv");
        List<CSVRecord> credentials = read(credentialsFile, List.of("credential_code", "credential_name", "tier",
                "high_value", "combined_credential", "delivered_by", "exam_code"));
        Path alignFile = yearDir.resolve("course_credentials.csv");
        List<CSVRecord> alignments = read(alignFile, List.of("course_code", "credential_code"));
        Path combinedFile = yearDir.resolve("combined_credentials.csv");
        List<CSVRecord> combined = read(combinedFile, List.of("combined_credential", "course_code", "module_credential_code"));
        Path areasFile = yearDir.resolve("credential_program_areas.csv");
        List<CSVRecord> areas = Files.isRegularFile(areasFile)
                ? read(areasFile, List.of("credential_code", "program_area", "pathway")) : List.of();

        Path idsFile = yearDir.resolve("achievement_ids.csv");
        List<CSVRecord> ids = Files.isRegularFile(idsFile)
                ? read(idsFile, List.of("credential_code", "identifier")) : List.of();

        // Check the folder whole before writing anything.
        Set<String> courseCodes = new HashSet<>();
        for (CSVRecord r : courses) {
            String where = coursesFile + ": row " + r.getRecordNumber();
            if (!courseCodes.add(required(r, "course_code", where))) {
                throw new ConfigException(where + ": course_code " + r.get("course_code") + " is listed twice");
            }
            required(r, "course_title", where);
        }
        Set<String> credentialCodes = new HashSet<>();
        Map<String, String> examCodes = new HashMap<>();
        for (CSVRecord r : credentials) {
            String where = credentialsFile + ": row " + r.getRecordNumber();
            if (!credentialCodes.add(required(r, "credential_code", where))) {
                throw new ConfigException(where + ": credential_code " + r.get("credential_code") + " is listed twice");
            }
            required(r, "credential_name", where);
            required(r, "delivered_by", where);
            tier(r, where);
            bool(r, "high_value", where);
            String exam = blankToNull(r.get("exam_code"));
            if (exam != null) {
                String key = r.get("delivered_by").trim() + "\u0000" + exam;
                String before = examCodes.put(key, r.get("credential_code").trim());
                if (before != null) {
                    throw new ConfigException(where + ": exam_code " + exam + " of feed " + r.get("delivered_by").trim()
                            + " is also credential " + before + "'s");
                }
            }
        }
        Map<String, String> feedOf = new HashMap<>();
        for (CSVRecord r : credentials) {
            feedOf.put(r.get("credential_code").trim(), r.get("delivered_by").trim());
        }
        List<String[]> moreIds = new ArrayList<>();
        for (CSVRecord r : ids) {
            String where = idsFile + ": row " + r.getRecordNumber();
            String code = required(r, "credential_code", where);
            known(credentialCodes, code, where, "credential_code", credentialsFile);
            String id = required(r, "identifier", where);
            String before = examCodes.put(feedOf.get(code) + "\u0000" + id, code);
            if (before != null && !before.equals(code)) {
                throw new ConfigException(where + ": identifier " + id + " of feed " + feedOf.get(code)
                        + " is also credential " + before + "'s");
            }
            if (before == null) {
                moreIds.add(new String[]{feedOf.get(code), id, code});
            }
        }
        for (CSVRecord r : alignments) {
            String where = alignFile + ": row " + r.getRecordNumber();
            known(courseCodes, required(r, "course_code", where), where, "course_code", coursesFile);
            known(credentialCodes, required(r, "credential_code", where), where, "credential_code", credentialsFile);
        }
        Map<String, Boolean> combinedHighValue = new HashMap<>();
        boolean combinedHasFlag = !combined.isEmpty() && combined.get(0).isMapped("high_value");
        for (CSVRecord r : combined) {
            String where = combinedFile + ": row " + r.getRecordNumber();
            String name = required(r, "combined_credential", where);
            known(courseCodes, required(r, "course_code", where), where, "course_code", coursesFile);
            known(credentialCodes, required(r, "module_credential_code", where), where, "module_credential_code", credentialsFile);
            if (combinedHasFlag) {
                Boolean before = combinedHighValue.put(name, bool(r, "high_value", where));
                if (before != null && before != combinedHighValue.get(name)) {
                    throw new ConfigException(where + ": high_value differs from an earlier row of the same combined credential");
                }
            }
        }
        for (CSVRecord r : areas) {
            String where = areasFile + ": row " + r.getRecordNumber();
            known(credentialCodes, required(r, "credential_code", where), where, "credential_code", credentialsFile);
            required(r, "program_area", where);
        }
        List<ArticulationAgreements.Agreement> agreements = ArticulationAgreements.read(yearDir, credentialCodes,
                credentialsFile);

        int exams = moreIds.size() + (int) credentials.stream().filter(r -> blankToNull(r.get("exam_code")) != null).count();
        Loaded loaded = new Loaded(state, year, courses.size(), credentials.size(), exams, alignments.size(),
                combined.size(), areas.size(), agreements.size());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String fingerprint = fingerprint(c, yearDir);
                if (fingerprint.equals(org.credentialhub.store.Rows.text(c,
                        "select content_sha256 from catalog_year where state = ? and school_year = ?", state, year))) {
                    // the same files under the same schema: the catalog stays as loaded, and so does its loaded_at
                    // (a newer one makes the reporting load rebuild that school year)
                    c.rollback();
                    LOG.info("Catalog {} {}: unchanged since it was loaded ({} course(s), {} credential(s))", state, year,
                            loaded.courses(), loaded.credentials());
                    return loaded;
                }
                for (String table : TABLES) {
                    try (PreparedStatement del = c.prepareStatement("delete from " + table + " where state = ? and school_year = ?")) {
                        del.setString(1, state);
                        del.setString(2, year);
                        del.executeUpdate();
                    }
                }
                org.credentialhub.store.Rows.update(c, """
                        insert into catalog_year (state, school_year, first_day, last_day, content_sha256)
                        values (?, ?, ?, ?, ?)""", state, year, first, last, fingerprint);
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into catalog_course (state, school_year, course_code, course_title, program_area)
                        values (?, ?, ?, ?, ?)""")) {
                    for (CSVRecord r : courses) {
                        ps.setString(1, state);
                        ps.setString(2, year);
                        ps.setString(3, r.get("course_code").trim());
                        ps.setString(4, r.get("course_title").trim());
                        ps.setString(5, blankToNull(r.get("program_area")));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement cred = c.prepareStatement("""
                        insert into catalog_credential (state, school_year, credential_code, credential_name, tier, high_value,
                                                        combined_credential, delivered_by)
                        values (?, ?, ?, ?, ?, ?, ?, ?)""");
                     PreparedStatement exam = c.prepareStatement("""
                        insert into catalog_exam_code (state, school_year, feed_code, exam_code, credential_code)
                        values (?, ?, ?, ?, ?)""")) {
                    for (CSVRecord r : credentials) {
                        String where = credentialsFile + ": row " + r.getRecordNumber();
                        cred.setString(1, state);
                        cred.setString(2, year);
                        cred.setString(3, r.get("credential_code").trim());
                        cred.setString(4, r.get("credential_name").trim());
                        cred.setObject(5, tier(r, where));
                        cred.setBoolean(6, bool(r, "high_value", where));
                        cred.setString(7, blankToNull(r.get("combined_credential")));
                        cred.setString(8, r.get("delivered_by").trim());
                        cred.addBatch();
                        String code = blankToNull(r.get("exam_code"));
                        if (code != null) {
                            exam.setString(1, state);
                            exam.setString(2, year);
                            exam.setString(3, r.get("delivered_by").trim());
                            exam.setString(4, code);
                            exam.setString(5, r.get("credential_code").trim());
                            exam.addBatch();
                        }
                    }
                    for (String[] m : moreIds) {
                        exam.setString(1, state);
                        exam.setString(2, year);
                        exam.setString(3, m[0]);
                        exam.setString(4, m[1]);
                        exam.setString(5, m[2]);
                        exam.addBatch();
                    }
                    cred.executeBatch();
                    exam.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into catalog_alignment (state, school_year, course_code, credential_code, ordinal)
                        values (?, ?, ?, ?, ?) on conflict do nothing""")) {
                    int ordinal = 0;
                    for (CSVRecord r : alignments) {
                        ps.setString(1, state);
                        ps.setString(2, year);
                        ps.setString(3, r.get("course_code").trim());
                        ps.setString(4, r.get("credential_code").trim());
                        ps.setInt(5, ++ordinal);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into catalog_combined (state, school_year, combined_credential, course_code,
                                                      module_credential_code, high_value)
                        values (?, ?, ?, ?, ?, ?) on conflict do nothing""")) {
                    for (CSVRecord r : combined) {
                        ps.setString(1, state);
                        ps.setString(2, year);
                        ps.setString(3, r.get("combined_credential").trim());
                        ps.setString(4, r.get("course_code").trim());
                        ps.setString(5, r.get("module_credential_code").trim());
                        ps.setBoolean(6, combinedHighValue.getOrDefault(r.get("combined_credential").trim(), false));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into catalog_credential_program_area (state, school_year, credential_code, program_area, pathway)
                        values (?, ?, ?, ?, ?) on conflict do nothing""")) {
                    for (CSVRecord r : areas) {
                        ps.setString(1, state);
                        ps.setString(2, year);
                        ps.setString(3, r.get("credential_code").trim());
                        ps.setString(4, r.get("program_area").trim());
                        ps.setString(5, r.get("pathway") == null ? "" : r.get("pathway").trim());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                ArticulationAgreements.insert(c, state, year, agreements);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Rollback.after(c, e);
                throw e;
            }
            // fresh planner statistics: a catalog just loaded was planned as empty until autovacuum got there
            // (NC's 328 alignments taken for 3: a query of the SIS offers joined to them ran 31 s in nested loops)
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("analyze " + String.join(", ", TABLES));
            }
        }
        LOG.info("Catalog {} {}: {} course(s), {} credential(s), {} exam code(s), {} alignment(s), {} combined-credential row(s),"
                + " {} articulation agreement(s)", state, year, loaded.courses(), loaded.credentials(),
                loaded.examCodes(), loaded.alignments(), loaded.combinedRows(), loaded.agreements());
        return loaded;
    }

    private static LocalDate date(Path file, String key, String value) {
        try {
            return LocalDate.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new ConfigException(file + ": " + key + " '" + value + "' is not a date (yyyy-MM-dd)");
        }
    }

    private static Integer tier(CSVRecord r, String where) {
        String tier = r.get("tier").trim();
        try {
            return tier.isEmpty() ? null : Integer.valueOf(tier);
        } catch (NumberFormatException e) {
            throw new ConfigException(where + ": tier '" + tier + "' is not a number");
        }
    }

    private static boolean bool(CSVRecord r, String column, String where) {
        String v = r.get(column).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "true", "yes", "y", "1" -> true;
            case "false", "no", "n", "0", "" -> false;
            default -> throw new ConfigException(where + ": " + column + " '" + v + "' is not true or false");
        };
    }

    private static void known(Set<String> codes, String code, String where, String column, Path file) {
        if (!codes.contains(code)) {
            throw new ConfigException(where + ": " + column + " " + code + " is not in " + file.getFileName());
        }
    }

    static String required(CSVRecord r, String column, String where) {
        String v = blankToNull(r.get(column));
        if (v == null) {
            throw new ConfigException(where + ": " + column + " is empty");
        }
        return v;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    static List<CSVRecord> read(Path file, List<String> columns) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": file not found");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                     .setIgnoreEmptyLines(true).get().parse(reader)) {
            for (String col : columns) {
                if (!parser.getHeaderMap().containsKey(col)) {
                    throw new ConfigException(file + ": missing column '" + col + "'");
                }
            }
            List<CSVRecord> rows = parser.getRecords();
            for (CSVRecord r : rows) {
                if (!r.isConsistent()) {
                    throw new ConfigException(file + ": row " + r.getRecordNumber() + " has " + r.size()
                            + " fields, the header " + parser.getHeaderMap().size());
                }
            }
            return rows;
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * What a catalog folder was loaded from: SHA-256 of the schema's version and each file of the folder (name,
     * length, bytes; in name order). A new hub version whose migrations change the catalog tables reloads it.
     */
    private static String fingerprint(Connection c, Path yearDir) throws SQLException {
        java.security.MessageDigest d = org.credentialhub.support.Sha256.digest();
        d.update(("schema " + org.credentialhub.store.Rows.text(c,
                "select max(installed_rank)::text from flyway_schema_history where success") + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(yearDir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(f);
                d.update((f.getFileName() + "\0" + bytes.length + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                d.update(bytes);
            }
        } catch (IOException e) {
            throw new ConfigException(yearDir + ": cannot read: " + e.getMessage());
        }
        return org.credentialhub.support.Sha256.hex(d);
    }
}
