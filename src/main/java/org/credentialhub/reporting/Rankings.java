package org.credentialhub.reporting;

import org.credentialhub.support.SchoolYears;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.credentialhub.reporting.Reports.longAt;

/**
 * The reports computed in Java rather than by a query (their definitions have no sql): the rankings of
 * public school units, NC Table 9 ({@code districts-by-rate}) and Table 8 ({@code top-districts-by-earned}).
 */
final class Rankings {
    /** The reports this class computes. */
    static final Set<String> NAMES = Set.of("districts-by-rate", "top-districts-by-earned");

    private final Reports reports;
    private final int topDistricts;

    /** @param topDistricts how many public school units a ranking lists */
    Rankings(Reports reports, int topDistricts) {
        this.reports = reports;
        this.topDistricts = topDistricts;
    }

    /**
     * A ranking, derived from Table 10 (attainment-by-district) of the year and the years before: the
     * top public school units by rate (Table 9) or by earned (Table 8). Only units whose earned and
     * potential are at least the table's suppression threshold are ranked, so a public ranking never
     * names a unit by a suppressed figure. Ties: the larger earned, then the district code.
     */
    Reports.Table compute(Connection c, Reports.Definition d, String year, Reports.Pass pass) throws SQLException {
        Reports.Table byDistrict = reports.compute(c, "attainment-by-district", year, pass);
        int min = Math.max(reports.threshold(d.name()), 1);
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
            String before = SchoolYears.previous(year);
            Map<Object, Long> yearBefore = earnedByDistrict(c, before, pass);
            Map<Object, Long> twoBefore = earnedByDistrict(c, SchoolYears.previous(before), pass);
            for (int i = 0; i < top.size(); i++) {
                List<Object> r = top.get(i);
                List<Object> row = new ArrayList<>(List.of((long) i + 1, r.get(0), r.get(1)));
                row.add(twoBefore == null ? null : twoBefore.getOrDefault(r.get(0), 0L));
                row.add(yearBefore == null ? null : yearBefore.getOrDefault(r.get(0), 0L));
                row.add(r.get(2));
                rows.add(row);
            }
        }
        return new Reports.Table(d, year, d.columns(), rows, null);
    }

    /** Whether a school year has facts loaded (a year without is shown empty in the trends, never as 0). */
    static boolean loaded(Connection c, String year) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select exists (select 1 from rpt.fact_potential where school_year = ?) "
                + "or exists (select 1 from rpt.fact_earned where school_year = ?)")) {
            ps.setString(1, year);
            ps.setString(2, year);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Earned by district code in a school year, or null when that year has no facts loaded. */
    private Map<Object, Long> earnedByDistrict(Connection c, String year, Reports.Pass pass) throws SQLException {
        if (!loaded(c, year)) {
            return null;
        }
        Map<Object, Long> out = new HashMap<>();
        for (List<Object> r : reports.compute(c, "attainment-by-district", year, pass).rows()) {
            out.put(r.get(0), longAt(r, 2));
        }
        return out;
    }
}
