package org.credentialhub.catalog;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.support.ConfigException;
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
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads the state catalog, one folder per school year ({@code config/catalog/<state>/<year>/}), into
 * the catalog tables. A year's tables are replaced whole, in one transaction.
 */
public final class CatalogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogLoader.class);

    private final DataSource dataSource;

    public CatalogLoader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void loadState(Path stateDir) throws SQLException {
        if (!Files.isDirectory(stateDir)) {
            throw new ConfigException(stateDir + ": no catalog folder for the configured state");
        }
        try (Stream<Path> years = Files.list(stateDir)) {
            for (Path year : years.filter(Files::isDirectory).sorted().toList()) {
                loadYear(year);
            }
        } catch (IOException e) {
            throw new ConfigException(stateDir + ": cannot read: " + e.getMessage());
        }
    }

    public void loadYear(Path yearDir) throws SQLException {
        String year = yearDir.getFileName().toString();
        if (!year.matches("\\d{4}-\\d{4}")) {
            throw new ConfigException(yearDir + ": a catalog folder is named for its school year, e.g. 2024-2025");
        }
        Path credentials = yearDir.resolve("credentials.csv");
        List<CSVRecord> rows = read(credentials, List.of("credential_code", "credential_name", "tier", "high_value",
                "combined_credential", "delivered_by", "exam_code"));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement del1 = c.prepareStatement("delete from catalog_credential where school_year = ?");
                 PreparedStatement del2 = c.prepareStatement("delete from catalog_exam_code where school_year = ?")) {
                del1.setString(1, year);
                del1.executeUpdate();
                del2.setString(1, year);
                del2.executeUpdate();
            }
            try (PreparedStatement cred = c.prepareStatement("""
                    insert into catalog_credential (school_year, credential_code, credential_name, tier, high_value,
                                                    combined_credential, delivered_by)
                    values (?, ?, ?, ?, ?, ?, ?)""");
                 PreparedStatement exam = c.prepareStatement("""
                    insert into catalog_exam_code (school_year, feed_code, exam_code, credential_code)
                    values (?, ?, ?, ?) on conflict do nothing""")) {
                for (CSVRecord r : rows) {
                    String where = credentials + ": row " + r.getRecordNumber();
                    cred.setString(1, year);
                    cred.setString(2, required(r, "credential_code", where));
                    cred.setString(3, required(r, "credential_name", where));
                    String tier = r.get("tier").trim();
                    try {
                        cred.setObject(4, tier.isEmpty() ? null : Integer.valueOf(tier));
                    } catch (NumberFormatException e) {
                        throw new ConfigException(where + ": tier '" + tier + "' is not a number");
                    }
                    cred.setBoolean(5, Boolean.parseBoolean(r.get("high_value").trim()));
                    cred.setString(6, blankToNull(r.get("combined_credential")));
                    cred.setString(7, required(r, "delivered_by", where));
                    cred.addBatch();
                    String code = blankToNull(r.get("exam_code"));
                    if (code != null) {
                        exam.setString(1, year);
                        exam.setString(2, r.get("delivered_by").trim());
                        exam.setString(3, code);
                        exam.setString(4, r.get("credential_code").trim());
                        exam.addBatch();
                    }
                }
                cred.executeBatch();
                exam.executeBatch();
            }
            c.commit();
        }
        LOG.info("Catalog {}: {} credential(s) loaded", year, rows.size());
    }

    private static String required(CSVRecord r, String column, String where) {
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
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
            for (String col : columns) {
                if (!parser.getHeaderMap().containsKey(col)) {
                    throw new ConfigException(file + ": missing column '" + col + "'");
                }
            }
            return parser.getRecords();
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }
}
