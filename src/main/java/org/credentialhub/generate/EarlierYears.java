package org.credentialhub.generate;

import org.apache.commons.csv.CSVPrinter;
import org.credentialhub.support.SchoolYears;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The school years before 2024-25 of a generated state ({@code --years 2} or {@code 3}; docs/generator.md). NC
 * publishes only 2024-25 here, so an earlier year's tables are an illustrative, deterministic rule: the published
 * 2024-25 tables scaled by {@code scale × FACTORS[k]} (0.95 the year before, 0.90 two years before). Each earlier
 * year is a {@link StatePlan} of those tables (so its counts are exact), with its schools and students taken from
 * the 2024-25 state: a school of the same district, a roster student (of any district) who has no pass dated in
 * 2023-24 among the 2024-25 state's noise (those must keep counting in no year). Its roster goes in a OneRoster
 * delta bundle ({@code years/<year>/oneroster/}), its passes (one per earned credential, dated in its year) into the
 * same vendor files as 2024-25's, its catalog is 2024-25's with its own year and days, its truth under
 * {@code expected/<year>/}. Every value drawn comes from random streams of its own: the 2024-25 files do not change
 * unless earlier years' rows are added to them.
 */
final class EarlierYears {

    /**
     * Feeds whose attempt key names no date (mappings/tradesreg.yaml: card number and module): a person's second
     * pass of a credential there, in another year, is the same attempt corrected, so nobody gets one.
     */
    static final Set<String> ONCE_PER_PERSON = Set.of("tradesreg");

    /** Earlier years' size relative to 2024-25: the year before, two years before. */
    static final double[] FACTORS = {0.95, 0.90};

    /** One earlier year: its name, its plan, each plan student's roster person, each plan school's 2024-25 school. */
    record Year(String name, LocalDate first, StatePlan plan, int[] person, int[] school) { }

    final List<Year> years = new ArrayList<>();

    EarlierYears(int count, PublishedTables published, BigDecimal scale, Catalog catalog, StatePlan current,
                 Attempts attempts, long seed) {
        Set<Integer> excluded = new HashSet<>();
        for (List<Attempts.Attempt> l : attempts.byFeed.values()) {
            for (Attempts.Attempt a : l) {
                if (a.kind == Attempts.Kind.PRIOR_YEAR) {
                    excluded.add(a.person);
                }
            }
        }
        // passes a feed keys by person and credential alone (no date): each person's in any year
        Map<Integer, Set<String>> once = new java.util.HashMap<>();
        for (String feed : ONCE_PER_PERSON) {
            for (Attempts.Attempt a : attempts.byFeed.getOrDefault(feed, List.of())) {
                once.computeIfAbsent(a.person, x -> new HashSet<>()).add(a.credential);
            }
        }
        String name = Roster.YEAR;
        for (int k = 0; k < count - 1; k++) {
            name = SchoolYears.previous(name);
            LocalDate first = Roster.YEAR_START.minusYears(k + 1);
            PublishedTables t = published.scaled(scale.multiply(BigDecimal.valueOf(FACTORS[k])));
            long s = seed ^ (0xE0E0L + k);
            StatePlan plan = null;
            // a small state's plan can fail for one seed (its classes leave a district's earned no room): the next
            for (int attempt = 0; plan == null; attempt++) {
                try {
                    plan = new StatePlan(t, catalog, s + 7_919L * attempt);
                } catch (IllegalStateException e) {
                    if (attempt == 9) {
                        throw e;
                    }
                }
            }
            years.add(new Year(name, first, plan, people(plan, current, excluded, once, new SplittableRandom(s ^ 0x1L)),
                    schools(plan, current)));
        }
    }

    /** Each plan school's 2024-25 school: the same district's (by code: a scaled table may lose a unit) in turn. */
    private static int[] schools(StatePlan plan, StatePlan current) {
        Map<String, List<Integer>> byDistrict = new LinkedHashMap<>();
        for (int i = 0; i < current.schools.size(); i++) {
            byDistrict.computeIfAbsent(current.tables.districts.get(current.schools.get(i).district).psu(),
                    d -> new ArrayList<>()).add(i);
        }
        int[] out = new int[plan.schools.size()];
        Map<String, Integer> next = new LinkedHashMap<>();
        for (int i = 0; i < out.length; i++) {
            String psu = plan.tables.districts.get(plan.schools.get(i).district).psu();
            List<Integer> l = byDistrict.get(psu);
            if (l == null) {
                throw new IllegalStateException("district " + psu + " has no 2024-25 school");
            }
            int n = next.merge(psu, 1, Integer::sum) - 1;
            out[i] = l.get(n % l.size());
        }
        return out;
    }

    /**
     * Each plan student's roster person (of any district: an enrollment counts in its class's), drawn at random, a different one while there are
     * any; then one whose courses of that year clash with none of the student's (no course twice, no credential
     * aligned to two of them: so each earned and potential count stays the plan's), at most six courses.
     */
    private static int[] people(StatePlan plan, StatePlan current, Set<Integer> excluded,
                                Map<Integer, Set<String>> once, SplittableRandom rnd) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < current.students.size(); i++) {
            if (!excluded.contains(i)) {
                // anywhere in the state: an enrollment counts in its class's district
                l.add(i);
            }
        }
        Map<Integer, Set<String>> needs = new java.util.HashMap<>();
        for (StatePlan.Earned e : plan.earned) {
            String cred = plan.tables.courseCredentials.get(e.row()).credentialCode();
            if (ONCE_PER_PERSON.contains(plan.catalog.credentials.get(cred).deliveredBy())) {
                needs.computeIfAbsent(e.student(), x -> new HashSet<>()).add(cred);
            }
        }
        Map<Integer, Set<String>> taken = new java.util.HashMap<>();
        int[] out = new int[plan.students.size()];
        int n = 0;
        for (int i = 0; i < out.length; i++) {
            int[] courses = plan.students.get(i).courses;
            Set<String> need = needs.getOrDefault(i, Set.of());
            int x = -1;
            // a person not yet in this year's classes, drawn at random
            for (int t = 0; n + t < l.size() && x < 0; t++) {
                int j = n + t == l.size() - 1 ? n + t : n + t + rnd.nextInt(l.size() - n - t);
                int cand = l.get(j);
                l.set(j, l.get(n + t));
                l.set(n + t, cand);
                if (java.util.Collections.disjoint(once.getOrDefault(cand, Set.of()), need)) {
                    l.set(n + t, l.get(n));
                    l.set(n, cand);
                    n++;
                    x = cand;
                }
            }
            // else one already in them whose courses do not clash
            int from = n == 0 ? 0 : rnd.nextInt(n);
            for (int t = 0; t < n && x < 0; t++) {
                int cand = l.get((from + t) % n);
                if (fits(plan, taken.get(cand), courses)
                        && java.util.Collections.disjoint(once.getOrDefault(cand, Set.of()), need)) {
                    x = cand;
                }
            }
            if (x < 0) {
                throw new IllegalStateException("an earlier year needs more students than 2024-25 has ("
                        + l.size() + ")");
            }
            Set<String> t = taken.computeIfAbsent(x, z -> new HashSet<>());
            for (int c : courses) {
                t.add(plan.courseCodes.get(c));
            }
            once.computeIfAbsent(x, z -> new HashSet<>()).addAll(need);
            out[i] = x;
        }
        return out;
    }

    private static boolean fits(StatePlan plan, Set<String> taken, int[] courses) {
        if (taken.size() + courses.length > 6) {
            return false;
        }
        for (int c : courses) {
            String code = plan.courseCodes.get(c);
            List<String> aligned = plan.catalog.alignments.getOrDefault(code, List.of());
            for (String o : taken) {
                if (o.equals(code) || plan.catalog.alignments.getOrDefault(o, List.of()).stream()
                        .anyMatch(aligned::contains)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Each earlier year's passes (one per earned credential, dated in its year), from a stream of its own. */
    List<Attempts.Attempt> attempts(long seed) {
        List<Attempts.Attempt> all = new ArrayList<>();
        for (int k = 0; k < years.size(); k++) {
            Year y = years.get(k);
            SplittableRandom rnd = new SplittableRandom(seed ^ (0xE1E1L + k));
            for (StatePlan.Earned e : y.plan().earned) {
                String cred = y.plan().tables.courseCredentials.get(e.row()).credentialCode();
                LocalDate d = Attempts.inYear(rnd).minusYears(k + 1);
                d = switch (d.getDayOfWeek()) {
                    case SATURDAY -> d.minusDays(1);
                    case SUNDAY -> d.plusDays(1);
                    default -> d;
                };
                all.add(new Attempts.Attempt(y.person()[e.student()], cred, d, Attempts.minute(rnd), true,
                        Attempts.Kind.EARNED));
            }
        }
        return all;
    }

    /** The feeds' attempts with the earlier years' added (each feed's in date order); the given map is left as is. */
    Map<String, List<Attempts.Attempt>> withEarlier(Map<String, List<Attempts.Attempt>> current, Catalog catalog,
                                                    long seed) {
        Map<String, List<Attempts.Attempt>> out = new LinkedHashMap<>();
        current.forEach((f, l) -> out.put(f, new ArrayList<>(l)));
        for (Attempts.Attempt a : attempts(seed)) {
            out.computeIfAbsent(catalog.credentials.get(a.credential).deliveredBy(), f -> new ArrayList<>()).add(a);
        }
        out.values().forEach(l -> l.sort(Attempts.ORDER));
        return out;
    }

    /** Writes each year's delta bundle, catalog and truth; returns the files written with their rows. */
    Map<String, Long> write(Path out, Path catalogDir, Roster roster, StatePlan current) throws IOException {
        Map<String, Long> files = new LinkedHashMap<>();
        copyCatalog(catalogDir, out.resolve("catalog/nc").resolve(Roster.YEAR), Roster.YEAR, Roster.YEAR_START);
        for (Year y : years) {
            copyCatalog(catalogDir, out.resolve("catalog/nc").resolve(y.name()), y.name(), y.first());
            String base = "years/" + y.name() + "/oneroster/";
            writeDelta(out.resolve(base), y, roster, current).forEach((f, n) -> files.put(base + f, n));
            Path expected = out.resolve("expected").resolve(y.name());
            Files.createDirectories(expected);
            y.plan().tables.writeTable10(expected.resolve("attainment-by-district.csv"));
            y.plan().tables.writeTable11(expected.resolve("attainment-by-course-credential.csv"));
            files.put("expected/" + y.name() + "/attainment-by-district.csv", (long) y.plan().tables.districts.size());
            files.put("expected/" + y.name() + "/attainment-by-course-credential.csv",
                    (long) y.plan().tables.courseCredentials.size());
            files.put("expected/" + y.name() + "/attainment-by-student-group.csv", StudentGroupTruth.write(
                    expected.resolve("attainment-by-student-group.csv"), y.plan(), roster, st -> y.person()[st]));
        }
        return files;
    }

    /**
     * A copy of the 2024-25 catalog for another school year: its {@code catalog.yaml} with that year's
     * {@code school-year}, {@code first-day} and {@code last-day}; no articulation agreements in earlier years.
     */
    private static void copyCatalog(Path from, Path to, String year, LocalDate first) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                String n = f.getFileName().toString();
                if (n.equals("catalog.yaml")) {
                    List<String> lines = new ArrayList<>();
                    for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        lines.add(l.startsWith("school-year:") ? "school-year: " + year
                                : l.startsWith("first-day:") ? "first-day: " + first
                                : l.startsWith("last-day:") ? "last-day: " + first.plusYears(1).minusDays(1) : l);
                    }
                    Files.write(to.resolve(n), lines, StandardCharsets.UTF_8);
                } else if (year.equals(Roster.YEAR) || !n.equals("articulation_agreements.csv")) {
                    Files.copy(f, to.resolve(n));
                }
            }
        }
    }

    private static Map<String, Long> writeDelta(Path dir, Year y, Roster roster, StatePlan current)
            throws IOException {
        Files.createDirectories(dir);
        StatePlan plan = y.plan();
        Set<String> delta = Set.of("academicSessions", "classes", "classResources", "courses", "enrollments",
                "resources");
        try (CSVPrinter p = Roster.printer(dir.resolve("manifest.csv"))) {
            p.printRecord("propertyName", "value");
            p.printRecord("manifest.version", "1.0");
            p.printRecord("oneroster.version", "1.2");
            for (String f : new TreeSet<>(Set.of("academicSessions", "categories", "classes", "classResources",
                    "courses", "demographics", "enrollments", "orgs", "resources", "roles", "users"))) {
                p.printRecord("file." + f, delta.contains(f) ? "delta" : "absent");
            }
            p.printRecord("source.systemName", "credential-hub generate");
            p.printRecord("source.systemCode", "credential-hub");
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        String modified = y.first().plusYears(1).minusDays(1) + "T00:00:00.000Z";
        String year = y.name();
        String end = String.valueOf(y.first().getYear() + 1);
        String[] terms = {year + "-S1", year + "-S2", year};
        String[][] dates = new String[3][2];
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 2; i++) {
                dates[t][i] = LocalDate.parse(Roster.TERM_DATES[t][i]).minusYears(
                        Roster.YEAR_START.getYear() - y.first().getYear()).toString();
            }
        }
        try (CSVPrinter p = Roster.printer(dir.resolve("academicSessions.csv"))) {
            p.printRecord("sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
                    "parentSourcedId", "schoolYear");
            p.printRecord(year, "active", modified, year, "schoolYear", dates[2][0], dates[2][1], "", end);
            p.printRecord(terms[0], "active", modified, "Fall " + y.first().getYear(), "semester", dates[0][0],
                    dates[0][1], year, end);
            p.printRecord(terms[1], "active", modified, "Spring " + end, "semester", dates[1][0], dates[1][1], year,
                    end);
        }
        counts.put("academicSessions.csv", 3L);
        List<PublishedTables.DistrictRow> districts = plan.tables.districts;
        Set<String> courses = new TreeSet<>();
        Set<String> resources = new TreeSet<>();
        long classResources = 0;
        long enrollments = 0;
        String prefix = "cls-" + y.first().getYear() + "-";
        try (CSVPrinter cl = Roster.printer(dir.resolve("classes.csv"));
             CSVPrinter cr = Roster.printer(dir.resolve("classResources.csv"));
             CSVPrinter en = Roster.printer(dir.resolve("enrollments.csv"))) {
            cl.printRecord(Roster.CLASS_COLUMNS);
            cr.printRecord(Roster.CLASS_RESOURCE_COLUMNS);
            en.printRecord(Roster.ENROLLMENT_COLUMNS);
            for (int ci = 0; ci < plan.classes.size(); ci++) {
                StatePlan.Klass k = plan.classes.get(ci);
                String school = "sch-" + current.schools.get(y.school()[k.school]).code;
                String psu = districts.get(k.district).psu();
                String code = plan.courseCodes.get(k.course);
                courses.add(psu + "\t" + code);
                String id = prefix + (ci + 1);
                int term = ci % 5 == 0 ? 2 : ci % 2;
                int period = 1 + ci % 4;
                cl.printRecord(id, "active", modified, plan.catalog.courses.get(code).title() + " - P" + period, "",
                        Roster.courseId(psu, code), code + "-" + y.first().getYear() + "-" + (ci + 1), "scheduled", "",
                        school, terms[term], "CTE", "", String.valueOf(period));
                for (int r : k.offered) {
                    String cred = plan.tables.courseCredentials.get(r).credentialCode();
                    resources.add(cred);
                    cr.printRecord(id + "-" + cred, "active", modified, "credential exam", id, "res-" + cred);
                    classResources++;
                }
                for (int st : k.students) {
                    int person = y.person()[st];
                    en.printRecord(id + "-" + roster.stateId[person], "active", modified, id, school,
                            roster.studentSourcedId(person), "student", "false", dates[term][0], dates[term][1]);
                    enrollments++;
                }
            }
        }
        counts.put("classes.csv", (long) plan.classes.size());
        counts.put("classResources.csv", classResources);
        counts.put("enrollments.csv", enrollments);
        // the courses and resources the year's classes name, as the 2024-25 bulk has them (a course's year is its
        // classes' terms' year)
        try (CSVPrinter p = Roster.printer(dir.resolve("courses.csv"))) {
            p.printRecord("sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode",
                    "grades", "orgSourcedId", "subjects", "subjectCodes");
            for (String c : courses) {
                String[] x = c.split("\t");
                p.printRecord(Roster.courseId(x[0], x[1]), "active", Roster.MODIFIED, Roster.YEAR,
                        plan.catalog.courses.get(x[1]).title(), x[1], "09,10,11,12", "org-" + x[0], "CTE", "");
            }
        }
        counts.put("courses.csv", (long) courses.size());
        try (CSVPrinter p = Roster.printer(dir.resolve("resources.csv"))) {
            p.printRecord("sourcedId", "status", "dateLastModified", "vendorResourceId", "title", "roles", "importance",
                    "vendorId", "applicationId");
            for (String cred : resources) {
                Catalog.Credential c = plan.catalog.credentials.get(cred);
                p.printRecord("res-" + cred, "active", Roster.MODIFIED, cred, c.name(), "student", "primary",
                        c.deliveredBy(), "");
            }
        }
        counts.put("resources.csv", (long) resources.size());
        return counts;
    }
}
