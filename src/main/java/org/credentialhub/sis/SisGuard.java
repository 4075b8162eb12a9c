package org.credentialhub.sis;

import org.credentialhub.sis.OneRosterSpec.FileSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether a checked OneRoster bundle is held for approval instead of applied (docs/guards.md, guard 1): a
 * bulk file that would remove or change more than {@code maxShare} of the source's stored rows of its kind
 * (students, enrollments, classes), or delta files touching more than {@code deltaMaxRows} rows of those
 * kinds. Its {@link #impact} is computed from the staging tables against the published ones, in the import's
 * transaction before anything is published: added, removed and changed per kind and per district, with a few
 * samples by sourcedId only (never a name, birth date or state ID).
 *
 * @param maxShare     per kind ({@code students}, {@code enrollments}, {@code classes}): the share (0.10: 10 %) of
 *                     the source's rows a bulk may remove or change before it is held
 * @param deltaMaxRows rows of those kinds a bundle's delta files may touch before it is held
 * @param samples      sourcedIds listed per kind and change
 */
public record SisGuard(Map<String, Double> maxShare, long deltaMaxRows, int samples) {
    /** The kinds a guard counts, and how each is read. */
    static final List<String> KINDS = List.of("students", "enrollments", "classes");

    public static SisGuard defaults() {
        return new SisGuard(Map.of("students", 0.10, "enrollments", 0.10, "classes", 0.10), 10_000, 5);
    }

    /** What a bundle would do, and why it is held (null reason: it is not). */
    public record Impact(Map<String, Object> detail, String reason) {
        public boolean held() {
            return reason != null;
        }
    }

    private record Kind(String name, String file, String table, String storedFilter, String stagedFilter,
                        String storedOrg, String stagedOrg, Set<String> notCompared) {
    }

    private static final List<Kind> READ = List.of(
            new Kind("students", "users", "sis_user", "x.role = 'student'",
                    "coalesce(s.role, x.role, 'student') = 'student'",
                    "coalesce(x.primary_org_sourced_id, x.org_sourced_ids[1])",
                    "coalesce(s.primary_org_sourced_id, s.org_sourced_ids[1], x.primary_org_sourced_id)",
                    // derived when published (1.2: from roles.csv), not sent in users.csv itself
                    Set.of("role", "primary_org_sourced_id")),
            new Kind("enrollments", "enrollments", "sis_enrollment", "true", "true", "x.school_sourced_id",
                    "s.school_sourced_id", Set.of()),
            new Kind("classes", "classes", "sis_class", "true", "true", "x.school_sourced_id", "s.school_sourced_id",
                    Set.of("school_year")));

    /**
     * @param modes   per file name ({@code users}, ...), {@code bulk} or {@code delta}; files not in the bundle absent
     * @param asDelta bulk files staged as the delta they are (sis.LineSets: new and changed lines, gone rows as
     *                {@code tobedeleted}): their removed rows are the staged deletions
     */
    Impact impact(Connection c, String feed, Map<String, String> modes, Set<String> asDelta) throws SQLException {
        Map<String, Object> kinds = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        long deltaTouched = 0;
        boolean anyStored = false;
        Map<String, Long> stored = new LinkedHashMap<>();
        for (Kind k : READ) {
            if (modes.get(k.file) == null) {
                continue;
            }
            long n = count(c, "select count(*) from " + k.table + " x where x.sis_source = ? and " + k.storedFilter, feed);
            stored.put(k.name, n);
            anyStored |= n > 0;
        }
        if (!anyStored) {
            return new Impact(Map.of("kinds", Map.of()), null);   // a first load: nothing to remove or change
        }
        try (Statement st = c.createStatement()) {
            st.execute("create temp table hold_change (kind text, change text, sourced_id text, org text) on commit drop");
            st.execute("""
                    create temp table hold_org on commit drop as
                    select sourced_id, type, identifier, parent_sourced_id from sis_stage_orgs where status <> 'tobedeleted'
                    union all
                    select o.sourced_id, o.type, o.identifier, o.parent_sourced_id from sis_org o
                    where o.sis_source = %s and not exists (select 1 from sis_stage_orgs s where s.sourced_id = o.sourced_id)"""
                    .formatted(org.credentialhub.intake.Intake.feedLiteral(feed)));
        }
        for (Kind k : READ) {
            String mode = modes.get(k.file);
            if (mode == null) {
                continue;
            }
            FileSpec spec = OneRosterSpec.FILES.stream().filter(f -> f.name().equals(k.file)).findFirst().orElseThrow();
            List<String> cols = spec.publishedColumns().stream()
                    .filter(col -> !col.equals("sourced_id") && !col.equals("line_hash") && !k.notCompared.contains(col))
                    .toList();
            String differs = "(" + String.join(", ", cols.stream().map(col -> "s." + col).toList()) + ") is distinct from ("
                    + String.join(", ", cols.stream().map(col -> "x." + col).toList()) + ")";
            String stage = "sis_stage_" + k.file.toLowerCase(Locale.ROOT);
            String removed = mode.equals("bulk") && !asDelta.contains(k.file)
                    ? "select ?, 'removed', x.sourced_id, " + k.storedOrg + " from " + k.table + " x where x.sis_source = ? and "
                    + k.storedFilter + " and not exists (select 1 from " + stage
                    + " s where s.sourced_id = x.sourced_id and s.status <> 'tobedeleted')"
                    : "select ?, 'removed', x.sourced_id, " + k.storedOrg + " from " + stage + " s join " + k.table
                    + " x on x.sourced_id = s.sourced_id and x.sis_source = ? where s.status = 'tobedeleted' and " + k.storedFilter;
            String addedOrChanged = "select ?, case when x.sourced_id is null then 'added' else 'changed' end, s.sourced_id, "
                    + k.stagedOrg + " from " + stage + " s left join " + k.table
                    + " x on x.sis_source = ? and x.sourced_id = s.sourced_id where s.status <> 'tobedeleted' and "
                    + k.stagedFilter + " and (x.sourced_id is null or " + differs + ")";
            for (String select : new String[]{removed, addedOrChanged}) {
                try (PreparedStatement ps = c.prepareStatement("insert into hold_change " + select)) {
                    ps.setString(1, k.name);
                    ps.setString(2, feed);
                    ps.executeUpdate();
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", mode);
            long n = stored.get(k.name);
            m.put("stored", n);
            long[] counts = new long[3];
            String[] changes = {"added", "removed", "changed"};
            for (int i = 0; i < 3; i++) {
                counts[i] = count(c, "select count(*) from hold_change where kind = ? and change = '" + changes[i] + "'", k.name);
                m.put(changes[i], counts[i]);
            }
            double share = n == 0 ? 0 : (double) (counts[1] + counts[2]) / n;
            m.put("share_removed_or_changed", Math.round(share * 1000) / 10.0);
            double limit = maxShare.getOrDefault(k.name, 0.10);
            if (mode.equals("bulk") && n > 0 && share > limit) {
                reasons.add(String.format(Locale.ROOT, "the bulk would remove or change %.1f %% of the source's %s (%d of %d; limit %.0f %%)",
                        share * 100, k.name, counts[1] + counts[2], n, limit * 100));
            }
            if (mode.equals("delta")) {
                deltaTouched += counts[0] + counts[1] + counts[2];
            }
            Map<String, Object> samples = new LinkedHashMap<>();
            for (String change : changes) {
                samples.put(change, strings(c, "select sourced_id from hold_change where kind = ? and change = '" + change
                        + "' order by sourced_id limit " + this.samples, k.name));
            }
            m.put("samples", samples);
            kinds.put(k.name, m);
        }
        if (deltaTouched > deltaMaxRows) {
            reasons.add("the delta would touch " + deltaTouched + " rows (limit " + deltaMaxRows + ")");
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("kinds", kinds);
        detail.put("districts", org.credentialhub.store.Rows.list(c, """
                select coalesce(case when o.type = 'district' then o.identifier else p.identifier end, '(unknown)') as district,
                       h.kind, count(*) filter (where h.change = 'added') as added,
                       count(*) filter (where h.change = 'removed') as removed,
                       count(*) filter (where h.change = 'changed') as changed
                from hold_change h left join hold_org o on o.sourced_id = h.org
                left join hold_org p on p.sourced_id = o.parent_sourced_id
                group by 1, 2 order by 1, 2""", List.of()));
        return new Impact(detail, reasons.isEmpty() ? null : String.join("; ", reasons));
    }

    private static long count(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<String> strings(Connection c, String sql, String arg) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
