package org.credentialhub.reporting;

import org.credentialhub.support.SchoolYears;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * NC Tables 5a-c ({@code tier-N-trend-by-student-group}): students earning a credential of one tier by student group
 * over three school years, beside the comparison population. The definition's sql gives one year's counts per group
 * for the three tables at once ({@code enrolled}, {@code earning_tier_1} to {@code _3}: the three tables' queries
 * were alike but for the tier, and each read the same facts); this class runs it for the report year and the two
 * before it, takes the table's tier's column as its {@code earning} (a year with no facts loaded stays empty, never
 * 0: {@link Reports#suppressed} leaves it alone), puts the years side by side, and
 * fills {@code share_of_earners} (the report year's) and {@code state_share} (the configured statistical profile, as
 * {@link StudentGroups} gives it to Table 4).
 */
final class GroupTrends {
    /** The reports this class computes, each with its tier (its {@code earning_tier_N} column of the sql). */
    private static final Map<String, Integer> TIER_OF = Map.of("tier-1-trend-by-student-group", 1,
            "tier-2-trend-by-student-group", 2, "tier-3-trend-by-student-group", 3);
    static final Set<String> NAMES = TIER_OF.keySet();
    /** The tiers whose earners the sql counts ({@code earning_tier_1} ...). */
    private static final int TIERS = TIER_OF.size();
    /** The year columns' suffixes, oldest first. */
    private static final List<String> SUFFIXES = List.of("_two_years_before", "_year_before", "");

    private final StudentGroups studentGroups;

    GroupTrends(StudentGroups studentGroups) {
        this.studentGroups = studentGroups;
    }

    /**
     * Each year's counts of a definition, computed once for one pass over several reports and years (the reporting
     * load writing the public tables of three years reads each year's counts for three reports; without it, a year's
     * query ran three times). Only for one transaction's pass: the counts are not checked again.
     */
    static final class Memo {
        private final Map<List<String>, List<Object[]>> counts = new HashMap<>();
    }

    /** The rows (rates left empty for {@link Reports#compute}), in Table 4's group order; memo may be null. */
    List<List<Object>> rows(Connection c, Reports.Definition d, String year, Memo memo) throws SQLException {
        String before = SchoolYears.previous(year);
        List<String> years = List.of(SchoolYears.previous(before), before, year);
        Map<List<String>, Object[]> groups = new LinkedHashMap<>();   // (type, group) -> ordinal, then counts per year
        Map<List<String>, Long> ordinal = new HashMap<>();
        boolean[] loaded = new boolean[3];
        int tier = TIER_OF.get(d.name());
        for (int y = 0; y < 3; y++) {
            loaded[y] = Rankings.loaded(c, years.get(y));
            if (!loaded[y]) {
                continue;
            }
            List<String> memoKey = List.of(d.sql(), years.get(y));
            List<Object[]> counts = memo == null ? null : memo.counts.get(memoKey);
            if (counts == null) {
                counts = counts(c, d.sql(), years.get(y));
                if (memo != null) {
                    memo.counts.put(memoKey, counts);
                }
            }
            for (Object[] r : counts) {
                List<String> key = java.util.Arrays.asList((String) r[1], (String) r[2]);   // a label may be null
                ordinal.merge(key, (Long) r[0], Math::min);
                groups.computeIfAbsent(key, k -> new Long[6])[2 * y] = (Long) r[3];
                groups.get(key)[2 * y + 1] = r[3 + tier];
            }
        }
        List<List<String>> keys = new ArrayList<>(groups.keySet());
        keys.sort(java.util.Comparator.<List<String>, Long>comparing(ordinal::get).thenComparing(k -> String.valueOf(k.get(1))));
        Map<String, Long> earnersOfType = new HashMap<>();
        for (List<String> k : keys) {
            Object e = groups.get(k)[5];
            earnersOfType.merge(k.get(0), e == null ? 0L : (Long) e, Long::sum);
        }
        List<String> cols = d.columns();
        List<List<Object>> rows = new ArrayList<>();
        for (List<String> k : keys) {
            Object[] n = groups.get(k);
            List<Object> row = new ArrayList<>(java.util.Collections.nCopies(cols.size(), null));
            row.set(0, k.get(0));
            row.set(1, k.get(1));
            for (int y = 0; y < 3; y++) {
                if (loaded[y]) {
                    row.set(cols.indexOf("enrolled" + SUFFIXES.get(y)), n[2 * y] == null ? 0L : n[2 * y]);
                    row.set(cols.indexOf("earning" + SUFFIXES.get(y)), n[2 * y + 1] == null ? 0L : n[2 * y + 1]);
                }
            }
            long all = earnersOfType.getOrDefault(k.get(0), 0L);
            if (loaded[2] && all > 0) {
                row.set(cols.indexOf("share_of_earners"), BigDecimal.valueOf(100L * Reports.longAt(row,
                        cols.indexOf("earning"))).divide(BigDecimal.valueOf(all), 1, RoundingMode.HALF_UP).toPlainString());
            }
            row.set(cols.indexOf("state_share"), studentGroups.stateShare(year, k.get(0), k.get(1)));
            rows.add(row);
        }
        return rows;
    }

    /** The public form: a group's share of earners is hidden with its earning count. */
    static void suppress(Reports.Definition d, List<Object> row, Predicate<String> hidden) {
        if (hidden.test("earning")) {
            row.set(d.columns().indexOf("share_of_earners"), Suppression.MARK);
        }
    }

    private static List<Object[]> counts(Connection c, String sql, String year) throws SQLException {
        List<Object[]> out = new ArrayList<>();
        try (PreparedStatement ps = Reports.forYear(c, sql, year)) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] row = new Object[4 + TIERS];
                    row[0] = rs.getLong("ordinal");
                    row[1] = rs.getString("group_type");
                    row[2] = rs.getString("student_group");
                    row[3] = rs.getLong("enrolled");
                    for (int t = 1; t <= TIERS; t++) {
                        row[3 + t] = rs.getLong("earning_tier_" + t);
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }

}
