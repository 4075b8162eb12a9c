package org.credentialhub.reporting;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.support.ConfigException;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What NC Table 4 ({@code attainment-by-student-group}) adds to its query in Java: the representation flag (share of
 * earners against share of CTE enrollment with credential opportunities, beyond ±10 percentage points), the state's
 * share of each group from the configured statistical profile ({@code hub.reporting.state-profile}; none: the column
 * stays empty, never 0), and which share columns a suppressed count hides in the public form.
 */
public final class StudentGroups {
    /** The report these columns belong to. */
    static final String TABLE = "attainment-by-student-group";
    /** A group over- or under-represented among earners by more than this many percentage points is flagged. */
    private static final double FLAG_PP = 10;

    /** The state's share of all students in each group (percent), by school year, group type and group. */
    private final Map<String, String> shares;

    private StudentGroups(Map<String, String> shares) {
        this.shares = shares;
    }

    /** No statistical profile: the state_share column is empty. */
    public static StudentGroups none() {
        return new StudentGroups(Map.of());
    }

    /**
     * The statistical profile of a CSV file ({@code school_year,group_type,student_group,state_share}; lines starting
     * with {@code #} are notes); a blank setting is none. A mistake names the file and line.
     */
    public static StudentGroups profile(String file) {
        if (file == null || file.isBlank()) {
            return none();
        }
        Path p = Path.of(file.strip());
        Map<String, String> shares = new HashMap<>();
        try (Reader in = Files.newBufferedReader(p, StandardCharsets.UTF_8);
             CSVParser csv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setCommentMarker('#')
                     .setIgnoreSurroundingSpaces(true).get().parse(in)) {
            for (String col : List.of("school_year", "group_type", "student_group", "state_share")) {
                if (!csv.getHeaderMap().containsKey(col)) {
                    throw new ConfigException(p + ": missing column '" + col + "' (hub.reporting.state-profile)");
                }
            }
            for (CSVRecord r : csv) {
                String where = p + " line " + r.getParser().getCurrentLineNumber();
                BigDecimal share;
                try {
                    share = new BigDecimal(r.get("state_share"));
                } catch (NumberFormatException e) {
                    throw new ConfigException(where + ": state_share must be a percentage (e.g. 45.0)");
                }
                if (share.signum() < 0 || share.compareTo(BigDecimal.valueOf(100)) > 0) {
                    throw new ConfigException(where + ": state_share must be between 0 and 100");
                }
                String key = key(r.get("school_year"), r.get("group_type"), r.get("student_group"));
                if (shares.put(key, share.setScale(1, RoundingMode.HALF_UP).toPlainString()) != null) {
                    throw new ConfigException(where + ": the same school year, group type and group twice");
                }
            }
        } catch (IOException e) {
            throw new ConfigException("hub.reporting.state-profile: cannot read " + p + " (" + e.getMessage() + ")");
        }
        return new StudentGroups(shares);
    }

    private static String key(String year, String groupType, String group) {
        return year + "\t" + groupType + "\t" + group;
    }

    /** The state's share of a group in a school year (percent, one decimal), or null when the profile has none. */
    public String stateShare(String year, String groupType, String group) {
        return shares.get(key(year, groupType, group));
    }

    /** Fills a computed row's columns the query does not give: state_share, difference_pp and flag. */
    void complete(Reports.Definition d, String year, List<Object> row) {
        List<String> cols = d.columns();
        Object earners = row.get(cols.indexOf("share_of_earners"));
        Object enrolled = row.get(cols.indexOf("share_of_enrolled"));
        double diff = BigDecimal.valueOf(number(earners) - number(enrolled)).setScale(1, RoundingMode.HALF_UP).doubleValue();
        row.set(cols.indexOf("difference_pp"), String.valueOf(diff));
        row.set(cols.indexOf("flag"), diff > FLAG_PP ? "over-represented" : diff < -FLAG_PP ? "under-represented" : "");
        row.set(cols.indexOf("state_share"), stateShare(year, String.valueOf(row.get(0)), String.valueOf(row.get(1))));
    }

    private static double number(Object v) {
        return v == null ? 0 : Double.parseDouble(v.toString());
    }

    /**
     * The public form: a group's shares (and its flag) are hidden with the counts they are computed from, so that a
     * suppressed count cannot be worked back from its share. The state's share is not the hub's data: never hidden.
     */
    static void suppress(Reports.Definition d, List<Object> row, java.util.function.Predicate<String> hidden) {
        List<String> cols = d.columns();
        if (hidden.test("cte_enrollment")) {
            row.set(cols.indexOf("share_of_cte_enrollment"), Suppression.MARK);
        }
        if (hidden.test("students_earning") || hidden.test("students_enrolled")) {
            for (String c : List.of("share_of_enrolled", "share_of_earners", "difference_pp", "flag")) {
                row.set(cols.indexOf(c), Suppression.MARK);
            }
        }
    }
}
