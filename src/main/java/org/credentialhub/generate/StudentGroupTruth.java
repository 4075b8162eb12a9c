package org.credentialhub.generate;

import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * The student groups of a generated state: the scenario's proportions of program participation
 * ({@code <scenario>/student_groups.csv}) and the truth of NC Table 4 the state reproduces
 * ({@code expected/attainment-by-student-group.csv}): per group, the students enrolled in a CTE course, enrolled with a
 * credential opportunity, earning a credential counted toward a course, and earning one of each tier, with the hub's
 * group labels (docs/reporting.md). Groups: sex and the three program-participation groups.
 */
final class StudentGroupTruth {
    static final String PROPORTIONS = "student_groups.csv";
    private static final List<String> GROUPS = List.of("economically_disadvantaged", "multilingual_learner",
            "student_with_disability");

    private StudentGroupTruth() {
    }

    /** The proportions by group ({@code group,proportion}); each of the three groups, between 0 and 1. */
    static Map<String, Double> proportions(Path file) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        for (CSVRecord r : Catalog.read(file)) {
            double p = Double.parseDouble(r.get("proportion"));
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(file + ": the proportion of " + r.get("group") + " must be between 0 and 1");
            }
            out.put(r.get("group"), p);
        }
        for (String g : GROUPS) {
            if (!out.containsKey(g)) {
                throw new IllegalArgumentException(file + ": no proportion for " + g);
            }
        }
        return out;
    }

    /** Writes Table 4's truth; returns its rows. */
    static long write(Path file, StatePlan plan, Roster roster) throws IOException {
        return write(file, plan, roster, st -> st);
    }

    /** Table 4's truth of a plan whose student {@code st} is the roster's {@code person.applyAsInt(st)}. */
    static long write(Path file, StatePlan plan, Roster roster, java.util.function.IntUnaryOperator person)
            throws IOException {
        int n = roster.rosterSize;
        boolean[] cte = new boolean[n];
        boolean[] offered = new boolean[n];
        for (StatePlan.Klass k : plan.classes) {
            for (int x : k.students) {
                int st = person.applyAsInt(x);
                cte[st] = true;
                offered[st] |= k.offered.length > 0;
            }
        }
        boolean[] earning = new boolean[n];
        boolean[][] tier = new boolean[4][n];
        for (StatePlan.Earned e : plan.earned) {
            int st = person.applyAsInt(e.student());
            earning[st] = true;
            Integer t = plan.catalog.credentials.get(plan.tables.courseCredentials.get(e.row()).credentialCode()).tier();
            if (t != null && t >= 1 && t <= 3) {
                tier[t][st] = true;
            }
        }
        // group type -> label -> counts (cte, enrolled, earning, tier 1, 2, 3), in Table 4's order of group types
        Map<String, Map<String, long[]>> groups = new LinkedHashMap<>();
        add(groups, "sex", i -> roster.sex[i], n, cte, offered, earning, tier);
        add(groups, "multilingual learners", i -> roster.multilingualLearner[i] ? "Multilingual learners"
                : "Not multilingual learners", n, cte, offered, earning, tier);
        add(groups, "economically disadvantaged", i -> roster.economicallyDisadvantaged[i] ? "Economically disadvantaged"
                : "Not economically disadvantaged", n, cte, offered, earning, tier);
        add(groups, "students with disabilities", i -> roster.withDisability[i] ? "Students with disabilities"
                : "Students without disabilities", n, cte, offered, earning, tier);
        long rows = 0;
        try (CSVPrinter p = Roster.printer(file)) {
            p.printRecord("group_type", "student_group", "cte_enrollment", "students_enrolled", "students_earning",
                    "students_earning_tier_1", "students_earning_tier_2", "students_earning_tier_3");
            for (Map.Entry<String, Map<String, long[]>> g : groups.entrySet()) {
                for (Map.Entry<String, long[]> e : g.getValue().entrySet()) {
                    long[] c = e.getValue();
                    p.printRecord(g.getKey(), e.getKey(), c[0], c[1], c[2], c[3], c[4], c[5]);
                    rows++;
                }
            }
        }
        return rows;
    }

    private static void add(Map<String, Map<String, long[]>> groups, String type, IntFunction<String> label, int n,
                            boolean[] cte, boolean[] offered, boolean[] earning, boolean[][] tier) {
        Map<String, long[]> byLabel = groups.computeIfAbsent(type, t -> new TreeMap<>());
        for (int i = 0; i < n; i++) {
            if (!cte[i]) {
                continue;
            }
            long[] c = byLabel.computeIfAbsent(label.apply(i), l -> new long[6]);
            c[0]++;
            c[1] += offered[i] ? 1 : 0;
            c[2] += earning[i] ? 1 : 0;
            for (int t = 1; t <= 3; t++) {
                c[2 + t] += tier[t][i] ? 1 : 0;
            }
        }
    }
}
