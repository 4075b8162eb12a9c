package org.credentialhub.catalog;

import org.apache.commons.csv.CSVRecord;
import org.credentialhub.support.ConfigException;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A catalog folder's articulation agreements ({@code articulation_agreements.csv}, optional; none without it): an
 * institution grants {@code credit_hours} in one of its programs to a student who earned the credential in a school
 * year from {@code first_year} to {@code last_year}. Checked whole (file, row, column, reason) with the rest of the
 * folder by {@link CatalogLoader}, written in its transaction.
 */
final class ArticulationAgreements {
    static final String FILE = "articulation_agreements.csv";
    static final List<String> COLUMNS = List.of("credential_code", "institution", "program", "credit_hours",
            "first_year", "last_year");

    /** One agreement. */
    record Agreement(String credentialCode, String institution, String program, BigDecimal creditHours,
                     String firstYear, String lastYear) { }

    private ArticulationAgreements() {
    }

    /** The folder's agreements, each row checked against the folder's credentials; none when the file is absent. */
    static List<Agreement> read(Path yearDir, Set<String> credentialCodes, Path credentialsFile) {
        Path file = yearDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        List<Agreement> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (CSVRecord r : CatalogLoader.read(file, COLUMNS)) {
            String where = file + ": row " + r.getRecordNumber();
            String code = CatalogLoader.required(r, "credential_code", where);
            if (!credentialCodes.contains(code)) {
                throw new ConfigException(where + ": credential_code " + code + " is not in " + credentialsFile.getFileName());
            }
            String institution = CatalogLoader.required(r, "institution", where);
            String program = CatalogLoader.required(r, "program", where);
            BigDecimal hours = creditHours(CatalogLoader.required(r, "credit_hours", where), where);
            String first = schoolYear(r, "first_year", where);
            String last = schoolYear(r, "last_year", where);
            if (first.compareTo(last) > 0) {
                throw new ConfigException(where + ": last_year " + last + " comes before first_year " + first);
            }
            if (!seen.add(code + "\u0000" + institution + "\u0000" + program)) {
                throw new ConfigException(where + ": the agreement of credential " + code + " with " + institution
                        + ", program " + program + " is listed twice");
            }
            out.add(new Agreement(code, institution, program, hours, first, last));
        }
        return out;
    }

    static void insert(Connection c, String state, String year, List<Agreement> agreements) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into catalog_articulation (state, school_year, credential_code, institution, program, credit_hours,
                                                  first_year, last_year)
                values (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (Agreement a : agreements) {
                ps.setString(1, state);
                ps.setString(2, year);
                ps.setString(3, a.credentialCode());
                ps.setString(4, a.institution());
                ps.setString(5, a.program());
                ps.setBigDecimal(6, a.creditHours());
                ps.setString(7, a.firstYear());
                ps.setString(8, a.lastYear());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static BigDecimal creditHours(String value, String where) {
        try {
            BigDecimal hours = new BigDecimal(value);
            if (hours.signum() > 0 && hours.compareTo(BigDecimal.valueOf(100)) < 0 && hours.scale() <= 1) {
                return hours;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(where + ": credit_hours '" + value + "' is not a number of credit hours above 0 and "
                + "below 100 (at most one decimal)");
    }

    /** A school year as the catalog folders name them: {@code 2024-2025}, the second year the first plus one. */
    private static String schoolYear(CSVRecord r, String column, String where) {
        String v = CatalogLoader.required(r, column, where);
        if (!v.matches("\\d{4}-\\d{4}")
                || Integer.parseInt(v.substring(5)) != Integer.parseInt(v.substring(0, 4)) + 1) {
            throw new ConfigException(where + ": " + column + " '" + v + "' is not a school year such as 2024-2025");
        }
        return v;
    }
}
