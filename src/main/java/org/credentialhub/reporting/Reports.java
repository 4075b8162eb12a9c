package org.credentialhub.reporting;

import org.credentialhub.store.Rows;
import org.credentialhub.support.ConfigException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reports a state publishes, computed from the reporting facts: each has a stable name (the
 * {@code --table} of {@code ./hub report}), an exact form (operators, authorized users; view
 * {@code rpt.<name>}) and a public, small-cell-suppressed form (table {@code rpt_public.<name>}, written
 * by every reporting load).
 */
public final class Reports {

    /**
     * One report: its name, what it shows, and how its rows are computed for a school year ({@code
     * reports/<name>.yaml}, read by {@link ReportDefinitions}). Columns are given by position: the count
     * columns; for each count column, the column whose suppression suppresses it too (-1: none); each rate
     * column with its numerator and denominator columns. {@code total}: whether the table has a total row;
     * {@code sql}: null for a ranking ({@link Rankings}).
     */
    public record Definition(String name, String title, boolean allYears, boolean total, List<String> columns,
                             int[] countColumns, int[] dependsOn, Map<Integer, int[]> rates, int rateDecimals, String sql) {
    }

    /** A computed report: a header and rows of values (labels as strings, counts as longs, rates as strings). */
    public record Table(Definition definition, String year, List<String> header, List<List<Object>> rows,
                        List<Object> total) {
    }

    /** Every report, in the published order: {@code reports/<name>.yaml}, as listed in {@code reports/index.yaml}. */
    public static final List<Definition> ALL = ReportDefinitions.load();

    private final Map<String, Integer> thresholds = new LinkedHashMap<>();
    private final int defaultThreshold;
    private final Rankings rankings;
    private final StudentGroups studentGroups;
    private final GroupTrends groupTrends;

    /**
     * @param defaultThreshold counts below it are suppressed in public tables (default 10)
     * @param perTable         per-table thresholds; 0 publishes a table unsuppressed
     */
    public Reports(int defaultThreshold, Map<String, Integer> perTable) {
        this(defaultThreshold, perTable, 10, StudentGroups.none());
    }

    /**
     * @param topDistricts  how many public school units the rankings (NC Tables 8 and 9) list
     * @param studentGroups the state's statistical profile Table 4 compares its groups with
     */
    public Reports(int defaultThreshold, Map<String, Integer> perTable, int topDistricts, StudentGroups studentGroups) {
        this.studentGroups = studentGroups;
        this.groupTrends = new GroupTrends(studentGroups);
        if (topDistricts < 1) {
            throw new ConfigException("hub.reporting.top-districts must be at least 1, not " + topDistricts);
        }
        this.defaultThreshold = defaultThreshold;
        this.rankings = new Rankings(this, topDistricts);
        perTable.forEach((k, v) -> {
            definition(k);
            thresholds.put(k, v);
        });
    }

    public static Definition definition(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow(() -> new ConfigException(
                "no report '" + name + "'; reports: " + String.join(", ", ALL.stream().map(Definition::name).toList())));
    }

    public int threshold(String table) {
        return thresholds.getOrDefault(table, defaultThreshold);
    }

    /**
     * A report definition's statement (or one that wraps it, such as its {@code explain}) prepared for a school year:
     * every parameter of a definition's sql is the year.
     */
    static PreparedStatement forYear(Connection c, String sql, String year) throws SQLException {
        int params = (int) sql.chars().filter(ch -> ch == '?').count();
        return Rows.prepare(c, sql, Collections.nCopies(params, year).toArray());
    }

    /** Computes a report's exact rows for a school year. */
    public Table compute(Connection c, String name, String year) throws SQLException {
        return compute(c, name, year, null);
    }

    /**
     * What one pass over several reports and years (the public tables a load writes) computes once: each report's
     * table of a year, as the rankings read Table 10 (attainment-by-district) of the year and of the two before it
     * again (six queries of a load of two years instead of two: about 0.5 s of the NC year's serial load), and each
     * year's group counts of Tables 5a-c. Only for one transaction's pass: nothing is checked again.
     */
    static final class Pass {
        private final GroupTrends.Memo trends = new GroupTrends.Memo();
        private final Map<List<String>, Table> tables = new java.util.HashMap<>();
    }

    /** {@link #compute}, in a pass ({@code pass}, or null) over several reports and years. */
    Table compute(Connection c, String name, String year, Pass pass) throws SQLException {
        List<String> key = List.of(name, year);
        Table known = pass == null ? null : pass.tables.get(key);
        if (known != null) {
            return known;
        }
        Table t = computeOnce(c, name, year, pass);
        if (pass != null) {
            pass.tables.put(key, t);
        }
        return t;
    }

    private Table computeOnce(Connection c, String name, String year, Pass pass) throws SQLException {
        Definition d = definition(name);
        if (d.sql() == null) {
            return rankings.compute(c, d, year, pass);
        }
        List<List<Object>> rows = new ArrayList<>();
        Map<List<Object>, Long> ordinals = new java.util.IdentityHashMap<>();
        if (GroupTrends.NAMES.contains(name)) {
            rows.addAll(groupTrends.rows(c, d, year, pass == null ? null : pass.trends));
        } else try (PreparedStatement ps = forYear(c, d.sql(), year)) {
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> byName = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        byName.put(md.getColumnLabel(i), v instanceof Number n && !(v instanceof BigDecimal) ? n.longValue() : v);
                    }
                    List<Object> row = new ArrayList<>();
                    if (byName.get("ordinal") instanceof Number n) {
                        ordinals.put(row, n.longValue());
                    }
                    for (int i = 0; i < d.columns().size(); i++) {
                        String col = d.columns().get(i);
                        if (d.rates().containsKey(i)) {
                            row.add(null);
                            continue;
                        }
                        Object v = byName.get(col);
                        row.add(v instanceof BigDecimal b ? b.toPlainString() : v);
                    }
                    rows.add(row);
                }
            }
        }
        if (d.name().equals(StudentGroups.TABLE)) {
            for (List<Object> row : rows) {
                studentGroups.complete(d, year, row);
            }
        }
        for (List<Object> row : rows) {
            d.rates().forEach((col, nd) -> row.set(col, rate(longAt(row, nd[0]), longAt(row, nd[1]), d.rateDecimals())));
        }
        rows.sort(order(d, ordinals));
        List<Object> total = null;
        if (d.countColumns().length > 0 && d.total()) {
            total = new ArrayList<>();
            for (int i = 0; i < d.columns().size(); i++) {
                total.add(i == 0 ? "Total" : null);
            }
            for (int col : d.countColumns()) {
                long sum = 0;
                for (List<Object> row : rows) {
                    sum += longAt(row, col);
                }
                total.set(col, sum);
            }
            List<Object> t = total;
            d.rates().forEach((col, nd) -> t.set(col, rate(longAt(t, nd[0]), longAt(t, nd[1]), d.rateDecimals())));
        }
        return new Table(d, year, d.columns(), rows, total);
    }

    static long longAt(List<Object> row, int i) {
        Object v = row.get(i);
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** Rate in percent, rounded half up as published (1 decimal for Table 10, whole percent for Table 11). */
    static String rate(long numerator, long denominator, int decimals) {
        if (denominator == 0) {
            return "";
        }
        return BigDecimal.valueOf(numerator * 100L).divide(BigDecimal.valueOf(denominator), decimals, RoundingMode.HALF_UP)
                .toPlainString() + "%";
    }

    /** Published order: district codes numeric first, then alphanumeric; courses by code; else by first columns. */
    private static Comparator<List<Object>> order(Definition d, Map<List<Object>, Long> ordinals) {
        Comparator<Object> code = Comparator.comparing(o -> {
            String s = String.valueOf(o);
            return s.matches("\\d+") ? String.format("0%020d", Long.parseLong(s)) : "1" + s;
        });
        if (GroupTrends.NAMES.contains(d.name())) {
            return (a, b) -> 0;   // Tables 5a-c: in Table 4's group order, as GroupTrends gives them
        }
        return switch (d.name()) {
            case "attainment-by-district" -> (a, b) -> code.compare(a.get(0), b.get(0));
            case "attainment-by-course-credential" -> Comparator.<List<Object>, String>comparing(r -> String.valueOf(r.get(0)))
                    .thenComparing(r -> ordinals.getOrDefault(r, 0L))
                    .thenComparing(r -> String.valueOf(r.get(3)));
            case "credentials-by-course" -> Comparator.<List<Object>, String>comparing(r -> String.valueOf(r.get(0)))
                    .thenComparing(r -> String.valueOf(r.get(1)))
                    .thenComparing(r -> ordinals.getOrDefault(r, 0L))
                    .thenComparing(r -> String.valueOf(r.get(4)));
            case "credentials-by-tier" -> Comparator.<List<Object>, String>comparing(r -> String.valueOf(r.get(0)))
                    .thenComparing(r -> String.valueOf(r.get(1)))
                    .thenComparing(r -> String.valueOf(r.get(2)))
                    .thenComparing(r -> ordinals.getOrDefault(r, 0L))
                    .thenComparing(r -> String.valueOf(r.get(5)));
            case "workforce-credentials" -> Comparator.<List<Object>, String>comparing(r -> String.valueOf(r.get(3)))
                    .reversed().thenComparing(r -> String.valueOf(r.get(2)));
            case "districts-by-rate", "top-districts-by-earned" -> Comparator.comparingLong(r -> longAt(r, 0));
            case StudentGroups.TABLE -> Comparator.<List<Object>, Long>comparing(r -> ordinals.getOrDefault(r, 0L))
                    .thenComparing(r -> String.valueOf(r.get(1)));
            default -> Comparator.<List<Object>, String>comparing(r -> String.valueOf(r.get(0)))
                    .thenComparing(r -> String.valueOf(r.get(1)));
        };
    }

    /** The public form of a table: small cells suppressed (with complementary cells), rates banded. */
    public Table suppressed(Table t) {
        int threshold = threshold(t.definition().name());
        Definition d = t.definition();
        if (threshold <= 0 || d.countColumns().length == 0) {
            return t;
        }
        int[] cols = d.countColumns();
        long[][] counts = new long[t.rows().size()][cols.length];
        for (int r = 0; r < counts.length; r++) {
            for (int k = 0; k < cols.length; k++) {
                // no figure (a school year not loaded) is not a small count: never suppressed, shown empty
                counts[r][k] = t.rows().get(r).get(cols[k]) == null ? Long.MAX_VALUE : longAt(t.rows().get(r), cols[k]);
            }
        }
        int[] depends = new int[cols.length];
        for (int k = 0; k < cols.length; k++) {
            int target = d.dependsOn()[k];
            depends[k] = target < 0 ? -1 : indexOf(cols, target);
        }
        boolean[][] hidden = Suppression.suppress(counts, depends, threshold);
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < counts.length; r++) {
            List<Object> row = new ArrayList<>(t.rows().get(r));
            for (int k = 0; k < cols.length; k++) {
                if (hidden[r][k]) {
                    row.set(cols[k], Suppression.MARK);
                }
            }
            for (Map.Entry<Integer, int[]> e : d.rates().entrySet()) {
                boolean gone = hidden[r][indexOf(cols, e.getValue()[0])] || hidden[r][indexOf(cols, e.getValue()[1])];
                long den = counts[r][indexOf(cols, e.getValue()[1])];
                double value = den == 0 ? 0 : 100.0 * counts[r][indexOf(cols, e.getValue()[0])] / den;
                Object exact = row.get(e.getKey());
                if (!gone && (exact == null || exact.toString().isEmpty())) {
                    continue;   // no rate shown (no denominator, or a school year not loaded): nothing to band
                }
                row.set(e.getKey(), Suppression.rate(String.valueOf(exact), value, gone));
            }
            if (d.name().equals(StudentGroups.TABLE)) {
                boolean[] h = hidden[r];
                StudentGroups.suppress(d, row, col -> h[indexOf(cols, d.columns().indexOf(col))]);
            }
            if (GroupTrends.NAMES.contains(d.name())) {
                boolean[] h = hidden[r];
                GroupTrends.suppress(d, row, col -> h[indexOf(cols, d.columns().indexOf(col))]);
            }
            rows.add(row);
        }
        List<Object> total = t.total() == null ? null : new ArrayList<>(t.total());
        if (total != null) {
            for (int k = 0; k < cols.length; k++) {
                int hiddenInColumn = 0;
                for (boolean[] h : hidden) {
                    hiddenInColumn += h[k] ? 1 : 0;
                }
                long sum = longAt(t.total(), cols[k]);
                if (sum < threshold || hiddenInColumn == 1) {
                    total.set(cols[k], Suppression.MARK);
                }
            }
        }
        return new Table(d, t.year(), t.header(), rows, total);
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new IllegalArgumentException("column " + v + " is not a count column");
    }

    /** Rewrites the public tables (rpt_public.&lt;name&gt;) for the given school years, in the caller's transaction. */
    public void writePublic(Connection c, List<String> years) throws SQLException {
        Pass pass = new Pass();
        for (Definition d : ALL) {
            String table = "rpt_public." + d.name().replace('-', '_');
            try (Statement st = c.createStatement()) {
                st.execute("create table if not exists " + table + " (report_year text not null, "
                        + String.join(", ", d.columns().stream().map(col -> col + " text").toList()) + ")");
                if (d.allYears()) {
                    st.execute("delete from " + table);
                } else {
                    try (PreparedStatement del = c.prepareStatement("delete from " + table + " where report_year = any (?)")) {
                        del.setArray(1, c.createArrayOf("text", years.toArray()));
                        del.executeUpdate();
                    }
                }
            }
            List<String> forYears = d.allYears() ? List.of("all") : years;
            String insert = "insert into " + table + " values (" + String.join(", ",
                    Collections.nCopies(d.columns().size() + 1, "?")) + ")";
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                for (String y : forYears) {
                    Table t = suppressed(compute(c, d.name(), y, pass));
                    List<List<Object>> all = new ArrayList<>(t.rows());
                    if (t.total() != null) {
                        all.add(t.total());
                    }
                    for (List<Object> row : all) {
                        ps.setString(1, y);
                        for (int i = 0; i < row.size(); i++) {
                            ps.setString(i + 2, row.get(i) == null ? null : row.get(i).toString());
                        }
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
        }
    }

    public static List<String> names() {
        return ALL.stream().map(Definition::name).toList();
    }
}
