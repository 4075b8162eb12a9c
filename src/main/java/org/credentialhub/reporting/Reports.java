package org.credentialhub.reporting;

import org.credentialhub.support.CsvOut;

import org.credentialhub.support.ConfigException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reports a state publishes, computed from the reporting facts: each has a stable name (the
 * {@code --table} of {@code ./hub report}), an exact form (operators, authorized users; view
 * {@code rpt.<name>}) and a public, small-cell-suppressed form (table {@code rpt_public.<name>}, written
 * by every reporting load).
 */
public final class Reports {

    /** One report: its name, what it shows, and how its rows are computed for a school year. */
    public record Definition(String name, String title, boolean allYears, List<String> columns, int[] countColumns,
                             int[] dependsOn, Map<Integer, int[]> rates, int rateDecimals, String sql) {
    }

    /** A computed report: a header and rows of values (labels as strings, counts as longs, rates as strings). */
    public record Table(Definition definition, String year, List<String> header, List<List<Object>> rows,
                        List<Object> total) {
    }

    private static final String EARNED_POTENTIAL = """
            with p as (select %1$s, count(*) as potential from rpt.fact_potential f %2$s where f.school_year = ? group by %1$s),
                 e as (select %1$s, count(*) as earned from rpt.fact_course_earned f %2$s where f.school_year = ? group by %1$s)
            select %1$s, coalesce(e.earned, 0) as earned, coalesce(p.potential, 0) as potential
            from p full join e using (%1$s)""";

    /** Every catalog alignment of the year (NC Tables 1 and 3), with its earned and potential; %s: extra leading columns. */
    private static final String ALIGNED = """
            with p as (select course_code, credential_code, count(*) as n from rpt.fact_potential where school_year = ? group by 1, 2),
                 e as (select course_code, credential_code, count(*) as n from rpt.fact_course_earned where school_year = ? group by 1, 2)
            select %s coalesce(c.program_area, '') as program_area, a.course_code, c.course_title as course, a.credential_code,
                   k.credential_name as credential, coalesce(e.n, 0) as earned, coalesce(p.n, 0) as potential, a.ordinal
            from catalog_alignment a
            join rpt.dim_course c on c.state = a.state and c.school_year = a.school_year and c.course_code = a.course_code
            join rpt.dim_credential k on k.state = a.state and k.school_year = a.school_year and k.credential_code = a.credential_code
            left join p on p.course_code = a.course_code and p.credential_code = a.credential_code
            left join e on e.course_code = a.course_code and e.credential_code = a.credential_code
            where a.school_year = ?""";

    public static final List<Definition> ALL = List.of(
            new Definition("attainment-by-district", "Attainment by public school unit (NC Table 10)", false,
                    List.of("district_code", "district", "earned", "potential", "attainment_rate"),
                    new int[]{2, 3}, new int[]{3, -1}, Map.of(4, new int[]{2, 3}), 1, """
                    select x.district_code, coalesce(d.name, x.district_code) as district, x.earned, x.potential
                    from (%s) x left join rpt.dim_district d using (district_code)""".formatted(
                    EARNED_POTENTIAL.formatted("district_code", ""))),
            new Definition("attainment-by-course-credential", "Attainment by course and credential (NC Table 11)", false,
                    List.of("course_code", "course", "credential_code", "credential", "earned", "potential", "attainment_rate"),
                    new int[]{4, 5}, new int[]{5, -1}, Map.of(6, new int[]{4, 5}), 0, """
                    select x.course_code, coalesce(c.course_title, x.course_code) as course, x.credential_code,
                           coalesce(k.credential_name, x.credential_code) as credential, x.earned, x.potential,
                           coalesce((select min(a.ordinal) from catalog_alignment a where a.course_code = x.course_code
                                     and a.credential_code = x.credential_code), 1000000) as ordinal
                    from (%s) x
                    left join lateral (select course_title from rpt.dim_course c where c.course_code = x.course_code
                                       and c.school_year = ? order by c.state limit 1) c on true
                    left join lateral (select credential_name from rpt.dim_credential k where k.credential_code = x.credential_code
                                       and k.school_year = ? order by k.state limit 1) k on true""".formatted(
                    EARNED_POTENTIAL.formatted("course_code, credential_code", ""))),
            new Definition("attainment-by-tier", "Attainment by credential tier (NC Chart 2)", false,
                    List.of("tier", "earned", "potential", "attainment_rate"),
                    new int[]{1, 2}, new int[]{2, -1}, Map.of(3, new int[]{1, 2}), 1, """
                    select coalesce(k.tier, 'No tier') as tier, sum(x.earned)::bigint as earned,
                           sum(x.potential)::bigint as potential
                    from (%s) x
                    left join lateral (select k.tier::text as tier from rpt.dim_credential k
                                       where k.credential_code = x.credential_code and k.school_year = ? limit 1) k on true
                    group by 1""".formatted(EARNED_POTENTIAL.formatted("credential_code", ""))),
            new Definition("attainment-by-student-group", "Students earning credentials by student group, with representation flags (NC Table 4)", false,
                    List.of("group_type", "student_group", "students_earning", "students_enrolled", "attainment_rate",
                            "share_of_earners", "share_of_enrolled", "difference_pp", "flag"),
                    new int[]{2, 3}, new int[]{3, -1}, Map.of(4, new int[]{2, 3}), 1, """
                    with enrolled as (select distinct f.student_key from rpt.fact_potential f where f.school_year = ?),
                         earners as (select distinct f.student_key from rpt.fact_course_earned f where f.school_year = ?),
                         g as (select 'sex' as group_type, coalesce(s.sex, 'Not reported') as student_group, s.student_key
                               from rpt.dim_student s
                               union all select 'race/ethnicity', s.race, s.student_key from rpt.dim_student s),
                         t as (select (select count(*) from earners) as all_earners, (select count(*) from enrolled) as all_enrolled)
                    select g.group_type, g.student_group,
                           count(*) filter (where g.student_key in (select student_key from earners)) as students_earning,
                           count(*) filter (where g.student_key in (select student_key from enrolled)) as students_enrolled,
                           round(100.0 * count(*) filter (where g.student_key in (select student_key from earners))
                                 / nullif(max(t.all_earners), 0), 1) as share_of_earners,
                           round(100.0 * count(*) filter (where g.student_key in (select student_key from enrolled))
                                 / nullif(max(t.all_enrolled), 0), 1) as share_of_enrolled
                    from g cross join t group by g.group_type, g.student_group
                    having count(*) filter (where g.student_key in (select student_key from enrolled)) > 0"""),
            new Definition("individual-to-combined", "Individual credentials and the combined credentials they add up to (NC Table 2)", false,
                    List.of("course_code", "individual_credential", "individual_earned", "combined_credential", "combined_earned"),
                    new int[]{2, 4}, new int[]{-1, -1}, Map.of(), 0, """
                    with i as (select course_code, credential_code, count(*) as n from rpt.fact_course_earned
                               where school_year = ? group by 1, 2),
                         b as (select course_code, combined_credential, count(*) as n from rpt.fact_combined
                               where school_year = ? group by 1, 2)
                    select cc.course_code, coalesce(k.credential_name, cc.module_credential_code) as individual_credential,
                           coalesce(i.n, 0) as individual_earned, cc.combined_credential, coalesce(b.n, 0) as combined_earned
                    from catalog_combined cc
                    left join i on i.course_code = cc.course_code and i.credential_code = cc.module_credential_code
                    left join b on b.course_code = cc.course_code and b.combined_credential = cc.combined_credential
                    left join lateral (select credential_name from rpt.dim_credential k where k.credential_code = cc.module_credential_code
                                       and k.school_year = cc.school_year limit 1) k on true
                    where cc.school_year = ?"""),
            new Definition("career-readiness-trend", "Credential attainment across school years (NC Table 6)", true,
                    List.of("school_year", "students_earning", "earned", "potential", "attainment_rate"),
                    new int[]{1, 2, 3}, new int[]{-1, 3, -1}, Map.of(4, new int[]{2, 3}), 1, """
                    select y.school_year, (select count(distinct student_key) from rpt.fact_course_earned e where e.school_year = y.school_year) as students_earning,
                           (select count(*) from rpt.fact_course_earned e where e.school_year = y.school_year) as earned,
                           (select count(*) from rpt.fact_potential p where p.school_year = y.school_year) as potential
                    from (select distinct school_year from rpt.fact_potential union select distinct school_year from rpt.fact_earned) y"""),
            new Definition("attainment-by-region", "Attainment by region", false,
                    List.of("region", "earned", "potential", "attainment_rate"),
                    new int[]{1, 2}, new int[]{2, -1}, Map.of(3, new int[]{1, 2}), 1, """
                    select coalesce(d.region, 'Unassigned') as region, sum(x.earned)::bigint as earned,
                           sum(x.potential)::bigint as potential
                    from (%s) x left join rpt.dim_district d using (district_code)
                    group by 1""".formatted(EARNED_POTENTIAL.formatted("district_code", ""))),
            new Definition("attempts-vs-earned", "Attempts and credentials earned, high-value or not", false,
                    List.of("credential_code", "credential", "high_value", "attempts", "passed_attempts", "students_attempting",
                            "earned", "pass_rate"),
                    new int[]{3, 4, 5, 6}, new int[]{-1, 3, -1, 5}, Map.of(7, new int[]{4, 3}), 1, """
                    with a as (select credential_code, count(*) as attempts, count(*) filter (where passed) as passed_attempts,
                                      count(distinct student_key) as students_attempting
                               from rpt.fact_attempt where school_year = ? group by credential_code),
                         e as (select credential_code, count(*) as earned from rpt.fact_earned
                               where school_year = ? group by credential_code)
                    select a.credential_code, coalesce(k.credential_name, a.credential_code) as credential,
                           case when coalesce(k.high_value, false) then 'yes' else 'no' end as high_value,
                           a.attempts, a.passed_attempts, a.students_attempting, coalesce(e.earned, 0) as earned
                    from a left join e using (credential_code)
                    left join lateral (select credential_name, high_value from rpt.dim_credential k
                                       where k.credential_code = a.credential_code and k.school_year = ? limit 1) k on true"""),
            new Definition("data-source-by-credential", "Where each credential's data comes from: vendor feed or district entry", false,
                    List.of("credential_code", "credential", "delivered_by", "high_value", "earned_from_vendor_feeds",
                            "earned_from_district_entry", "earned"),
                    new int[]{4, 5, 6}, new int[]{-1, -1, -1}, Map.of(), 0, """
                    select k.credential_code, k.credential_name as credential, k.delivered_by,
                           case when k.high_value then 'yes' else 'no' end as high_value,
                           count(e.*) filter (where e.source = 'vendor') as earned_from_vendor_feeds,
                           count(e.*) filter (where e.source = 'district') as earned_from_district_entry,
                           count(e.*) as earned
                    from rpt.dim_credential k
                    left join rpt.fact_earned e on e.credential_code = k.credential_code and e.school_year = k.school_year
                    where k.school_year = ? group by k.credential_code, k.credential_name, k.delivered_by, k.high_value"""),
            new Definition("credentials-by-course", "Credentials by course, with earned and potential (NC Table 1)", false,
                    List.of("program_area", "course_code", "course", "credential_code", "credential", "earned", "potential",
                            "attainment_rate"),
                    new int[]{5, 6}, new int[]{6, -1}, Map.of(7, new int[]{5, 6}), 0, ALIGNED.formatted("")),
            new Definition("credentials-by-tier", "Credentials by tier, with earned and potential (NC Table 3)", false,
                    List.of("tier", "program_area", "course_code", "course", "credential_code", "credential", "earned",
                            "potential", "attainment_rate"),
                    new int[]{6, 7}, new int[]{7, -1}, Map.of(8, new int[]{6, 7}), 0,
                    ALIGNED.formatted("coalesce(k.tier::text, 'No tier') as tier,")),
            new Definition("workforce-credentials", "High-value credentials (NC Workforce Credentials) earned (NC Table 7)", false,
                    List.of("career_cluster", "credential_code", "credential", "kind", "tier", "earned"),
                    new int[]{5}, new int[]{-1}, Map.of(), 0, """
                    with e as (select credential_code, count(*) as n from rpt.fact_course_earned where school_year = ? group by 1),
                         b as (select combined_credential, count(*) as n from rpt.fact_combined where school_year = ? group by 1)
                    select coalesce(k.career_cluster, '') as career_cluster, k.credential_code, k.credential_name as credential,
                           'individual' as kind, k.tier::text as tier, coalesce(e.n, 0) as earned
                    from rpt.dim_credential k left join e using (credential_code)
                    where k.school_year = ? and k.high_value
                    union all
                    select '', c.combined_credential, c.combined_credential, 'combined', null, coalesce(b.n, 0)
                    from (select distinct combined_credential from catalog_combined where school_year = ? and high_value) c
                    left join b using (combined_credential)"""),
            new Definition("districts-by-rate", "Top public school units by attainment rate (NC Table 9)", false,
                    List.of("rank", "district_code", "district", "earned", "potential", "attainment_rate"),
                    new int[]{3, 4}, new int[]{4, -1}, Map.of(5, new int[]{3, 4}), 1, null),
            new Definition("top-districts-by-earned", "Top public school units by credentials earned, three school years (NC Table 8)", false,
                    List.of("rank", "district_code", "district", "earned_two_years_before", "earned_year_before", "earned"),
                    new int[]{3, 4, 5}, new int[]{-1, -1, -1}, Map.of(), 0, null));

    /** Tables without a total row: rankings (a top ten has no meaningful total). */
    private static final java.util.Set<String> NO_TOTAL = java.util.Set.of("attainment-by-student-group", "districts-by-rate",
            "top-districts-by-earned");

    private final Map<String, Integer> thresholds = new LinkedHashMap<>();
    private final int defaultThreshold;
    private final int topDistricts;

    /**
     * @param defaultThreshold counts below it are suppressed in public tables (default 10)
     * @param perTable         per-table thresholds; 0 publishes a table unsuppressed
     */
    public Reports(int defaultThreshold, Map<String, Integer> perTable) {
        this(defaultThreshold, perTable, 10);
    }

    /** @param topDistricts how many public school units the rankings (NC Tables 8 and 9) list */
    public Reports(int defaultThreshold, Map<String, Integer> perTable, int topDistricts) {
        if (topDistricts < 1) {
            throw new ConfigException("hub.reporting.top-districts must be at least 1, not " + topDistricts);
        }
        this.defaultThreshold = defaultThreshold;
        this.topDistricts = topDistricts;
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

    /** Computes a report's exact rows for a school year. */
    public Table compute(Connection c, String name, String year) throws SQLException {
        Definition d = definition(name);
        if (d.sql() == null) {
            return ranking(c, d, year);
        }
        List<List<Object>> rows = new ArrayList<>();
        Map<List<Object>, Long> ordinals = new java.util.IdentityHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(d.sql())) {
            int params = (int) d.sql().chars().filter(ch -> ch == '?').count();
            for (int i = 1; i <= params; i++) {
                ps.setString(i, year);
            }
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
        if (d.name().equals("attainment-by-student-group")) {
            for (List<Object> row : rows) {
                double earners = row.get(5) == null ? 0 : Double.parseDouble(row.get(5).toString());
                double enrolled = row.get(6) == null ? 0 : Double.parseDouble(row.get(6).toString());
                double diff = BigDecimal.valueOf(earners - enrolled).setScale(1, RoundingMode.HALF_UP).doubleValue();
                row.set(7, String.valueOf(diff));
                row.set(8, diff > 10 ? "over-represented" : diff < -10 ? "under-represented" : "");
            }
        }
        for (List<Object> row : rows) {
            d.rates().forEach((col, nd) -> row.set(col, rate(longAt(row, nd[0]), longAt(row, nd[1]), d.rateDecimals())));
        }
        rows.sort(order(d, ordinals));
        List<Object> total = null;
        if (d.countColumns().length > 0 && !NO_TOTAL.contains(d.name())) {
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

    /**
     * The rankings, derived from Table 10 (attainment-by-district) of the year and the years before: the
     * top public school units by rate (Table 9) or by earned (Table 8). Only units whose earned and
     * potential are at least the table's suppression threshold are ranked, so a public ranking never
     * names a unit by a suppressed figure. Ties: the larger earned, then the district code.
     */
    private Table ranking(Connection c, Definition d, String year) throws SQLException {
        Table byDistrict = compute(c, "attainment-by-district", year);
        int min = Math.max(threshold(d.name()), 1);
        List<List<Object>> eligible = new ArrayList<>(byDistrict.rows().stream()
                .filter(r -> longAt(r, 2) >= min && longAt(r, 3) >= min).toList());
        Comparator<List<Object>> byEarned = Comparator.comparingLong(r -> -longAt(r, 2));
        Comparator<List<Object>> byRate = (a, b) -> Long.compare(longAt(b, 2) * longAt(a, 3), longAt(a, 2) * longAt(b, 3));
        eligible.sort((d.name().equals("districts-by-rate") ? byRate.thenComparing(byEarned) : byEarned)
                .thenComparing(r -> String.valueOf(r.get(0))));
        List<List<Object>> top = eligible.subList(0, Math.min(topDistricts, eligible.size()));
        List<List<Object>> rows = new ArrayList<>();
        if (d.name().equals("districts-by-rate")) {
            for (int i = 0; i < top.size(); i++) {
                List<Object> r = top.get(i);
                rows.add(new ArrayList<>(List.of((long) i + 1, r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))));
            }
        } else {
            String before = org.credentialhub.support.SchoolYears.previous(year);
            Map<Object, Long> yearBefore = earnedByDistrict(c, before);
            Map<Object, Long> twoBefore = earnedByDistrict(c, org.credentialhub.support.SchoolYears.previous(before));
            for (int i = 0; i < top.size(); i++) {
                List<Object> r = top.get(i);
                List<Object> row = new ArrayList<>(List.of((long) i + 1, r.get(0), r.get(1)));
                row.add(twoBefore == null ? null : twoBefore.getOrDefault(r.get(0), 0L));
                row.add(yearBefore == null ? null : yearBefore.getOrDefault(r.get(0), 0L));
                row.add(r.get(2));
                rows.add(row);
            }
        }
        return new Table(d, year, d.columns(), rows, null);
    }

    /** Earned by district code in a school year, or null when that year has no facts loaded. */
    private Map<Object, Long> earnedByDistrict(Connection c, String year) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select exists (select 1 from rpt.fact_potential where school_year = ?) "
                + "or exists (select 1 from rpt.fact_earned where school_year = ?)")) {
            ps.setString(1, year);
            ps.setString(2, year);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return null;
                }
            }
        }
        Map<Object, Long> out = new java.util.HashMap<>();
        for (List<Object> r : compute(c, "attainment-by-district", year).rows()) {
            out.put(r.get(0), longAt(r, 2));
        }
        return out;
    }

    private static long longAt(List<Object> row, int i) {
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
                row.set(e.getKey(), Suppression.rate(String.valueOf(row.get(e.getKey())), value, gone));
            }
            if (d.name().equals("attainment-by-student-group") && (hidden[r][0] || hidden[r][1])) {
                for (int i = 5; i <= 8; i++) {
                    row.set(i, Suppression.MARK);
                }
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
                    java.util.Collections.nCopies(d.columns().size() + 1, "?")) + ")";
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                for (String y : forYears) {
                    Table t = suppressed(compute(c, d.name(), y));
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

    // ---------------------------------------------------------------- output

    private static final NumberFormat THOUSANDS = NumberFormat.getIntegerInstance(Locale.US);

    /**
     * The rows as CSV. Tables 10 and 11 come in the published layout (their columns, "Name (code)" and
     * "CODE-Title" labels, thousands separators); other tables with their column names.
     */
    public static String csv(Table t, boolean withTotal) {
        CsvOut csv = new CsvOut();
        List<List<Object>> rows = new ArrayList<>(t.rows());
        if (withTotal && t.total() != null) {
            rows.add(t.total());
        }
        switch (t.definition().name()) {
            case "attainment-by-district" -> {
                csv.row(List.of("Public School Unit (PSU)", "Earned", "Potential", "Attainment Rate"));
                for (List<Object> r : rows) {
                    String label = "Total".equals(r.get(0)) ? "Total" : r.get(1) + " (" + r.get(0) + ")";
                    csv.row(List.of(label, num(r.get(2)), num(r.get(3)), String.valueOf(r.get(4))));
                }
            }
            case "attainment-by-course-credential" -> {
                csv.row(List.of("Course", "Credential Name", "Earned", "Potential", "Attainment Rate"));
                for (List<Object> r : rows) {
                    String course = "Total".equals(r.get(0)) ? "Total" : r.get(0) + "-" + r.get(1);
                    csv.row(List.of(course, r.get(3) == null ? "" : String.valueOf(r.get(3)), num(r.get(4)), num(r.get(5)),
                            String.valueOf(r.get(6))));
                }
            }
            default -> {
                csv.row(t.header());
                for (List<Object> r : rows) {
                    csv.row(r);
                }
            }
        }
        return csv.toString();
    }

    private static String num(Object v) {
        return v instanceof Number n ? THOUSANDS.format(n.longValue()) : v == null ? "" : String.valueOf(v);
    }

    public static List<String> names() {
        return ALL.stream().map(Definition::name).toList();
    }
}
