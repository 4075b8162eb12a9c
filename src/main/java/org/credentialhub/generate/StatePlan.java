package org.credentialhub.generate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The counting skeleton of the synthetic state, built so that the counting rules give the target tables exactly:
 * classes (each offering a subset of its course's aligned credentials), their placement in districts and schools,
 * students and enrollments, and which enrollments earn which credential.
 *
 * <p>Potential: every enrollment counts once per credential its class offers. Each course's enrollments are
 * numbered 0..n-1 (n = the course's largest published potential); enrollment i is offered credential k when
 * i &lt; potential(k), so each credential gets exactly its published potential. Classes are cut from that range
 * (never across a change of offered credentials) and placed in districts so that each district's offered
 * enrollment-credentials sum to its Table 10 potential (largest weights first, splitting classes when nothing fits,
 * single seats of one-credential courses last). Earned: a maximum flow from course-credentials (supply = Table 11
 * earned) through districts (capacity = that district's potential for it) to Table 10 earned, seeded with a
 * proportional fit so rates look natural.
 */
public final class StatePlan {

    /** A class: one course, the credential rows (indices into Table 11) it offers, its seats. */
    public static final class Klass {
        public final int course;
        public final int[] offered;
        public int size;
        public int district = -1;
        public int school = -1;
        public int[] students;
        public int teacher;

        Klass(int course, int[] offered, int size) {
            this.course = course;
            this.offered = offered;
            this.size = size;
        }
    }

    /** A school of a district. */
    public static final class School {
        public final int district;
        public final String code;
        public final String name;
        public final List<Integer> classes = new ArrayList<>();

        School(int district, String code, String name) {
            this.district = district;
            this.code = code;
            this.name = name;
        }
    }

    /** A student: school and courses (identity is filled in by the roster). */
    public static final class Student {
        public final int school;
        public int[] courses = new int[0];
        public int[] classes = new int[0];

        Student(int school) {
            this.school = school;
        }
    }

    /** One earned credential: a student, a Table 11 row (course + credential). */
    public record Earned(int student, int row) { }

    public final PublishedTables tables;
    public final Catalog catalog;
    public final List<String> courseCodes = new ArrayList<>();
    public final int[] rowCourse;
    public final List<Klass> classes = new ArrayList<>();
    public final List<School> schools = new ArrayList<>();
    public final List<Student> students = new ArrayList<>();
    public final List<Earned> earned = new ArrayList<>();
    /** Which student enrolled in which class: the class's {@code students}. Total seats: */
    public long enrollments;

    private final int nd;
    private final int nk;

    public StatePlan(PublishedTables tables, Catalog catalog, long seed) {
        this.tables = tables;
        this.catalog = catalog;
        this.nd = tables.districts.size();
        this.nk = tables.courseCredentials.size();
        this.rowCourse = new int[nk];
        Map<String, Integer> courseIndex = new LinkedHashMap<>();
        for (int k = 0; k < nk; k++) {
            String c = tables.courseCredentials.get(k).courseCode();
            rowCourse[k] = courseIndex.computeIfAbsent(c, x -> {
                courseCodes.add(x);
                return courseCodes.size() - 1;
            });
        }
        for (int attempt = 0; ; attempt++) {
            classes.clear();
            schools.clear();
            students.clear();
            earned.clear();
            enrollments = 0;
            long s = seed + 1_000_003L * attempt;
            makeClasses(new SplittableRandom(s ^ 0x1111L));
            placeClasses(new SplittableRandom(s ^ 0x2222L));
            long[][] x = placeEarned();
            if (x == null) {
                if (attempt < 30) {
                    continue;
                }
                // a scale so small that a district's few earned credentials find no class of their course
                throw new IllegalArgumentException("the scaled tables' earned counts cannot be placed in the districts'"
                        + " classes (30 tries): the scale is too small for them; a larger --scale (0.02 or more) works");
            }
            makeSchools(new SplittableRandom(s ^ 0x3333L));
            seatStudents(new SplittableRandom(s ^ 0x4444L));
            chooseEarners(x, new SplittableRandom(s ^ 0x5555L));
            break;
        }
    }

    // ---------------------------------------------------------------- classes

    private void makeClasses(SplittableRandom rnd) {
        for (int c = 0; c < courseCodes.size(); c++) {
            List<Integer> rows = new ArrayList<>();
            for (int k = 0; k < nk; k++) {
                if (rowCourse[k] == c) {
                    rows.add(k);
                }
            }
            long[] thresholds = rows.stream().mapToLong(k -> tables.courseCredentials.get(k).potential())
                    .distinct().sorted().toArray();
            long from = 0;
            for (long to : thresholds) {
                final long t = to;
                int[] offered = rows.stream().filter(k -> tables.courseCredentials.get(k).potential() >= t)
                        .mapToInt(Integer::intValue).toArray();
                long left = to - from;
                while (left > 0) {
                    int size = (int) Math.min(left, 12 + rnd.nextInt(19));
                    if (left - size > 0 && left - size < 6) {
                        size = (int) left;
                    }
                    classes.add(new Klass(c, offered, size));
                    left -= size;
                }
                from = to;
            }
        }
    }

    private double classRate(Klass k) {
        long e = 0;
        long p = 0;
        for (int r : k.offered) {
            e += tables.courseCredentials.get(r).earned();
            p += tables.courseCredentials.get(r).potential();
        }
        return p == 0 ? 0 : (double) e / p;
    }

    private void placeClasses(SplittableRandom rnd) {
        long[] remaining = new long[nd];
        double[] earnedLeft = new double[nd];
        for (int d = 0; d < nd; d++) {
            PublishedTables.DistrictRow r = tables.districts.get(d);
            remaining[d] = r.potential();
            earnedLeft[d] = r.earned();
        }
        List<Klass> order = new ArrayList<>(classes);
        shuffle(order, rnd);
        order.sort(Comparator.comparingInt((Klass k) -> -k.offered.length));
        classes.clear();
        Deque<Klass> queue = new ArrayDeque<>(order);
        double[] score = new double[nd];
        while (!queue.isEmpty()) {
            Klass k = queue.poll();
            long weight = (long) k.size * k.offered.length;
            double rc = classRate(k);
            double total = 0;
            for (int d = 0; d < nd; d++) {
                if (remaining[d] >= weight) {
                    // the rate the district still needs, were this class placed here
                    double need = (earnedLeft[d] - rc * weight) / Math.max(1, remaining[d] - weight);
                    double want = Math.max(0, Math.min(1, earnedLeft[d] / remaining[d]));
                    double x = (rc - want) / 0.08;
                    double penalty = need < -0.02 || need > 1.02 ? 0.001 : 1;
                    score[d] = remaining[d] * (Math.exp(-x * x) + 0.002) * penalty;
                } else {
                    score[d] = 0;
                }
                total += score[d];
            }
            if (total == 0) {
                if (k.size == 1) {
                    throw new IllegalStateException("cannot place a seat of weight " + weight + " in any district");
                }
                int half = k.size / 2;
                Klass a = new Klass(k.course, k.offered, half);
                Klass b = new Klass(k.course, k.offered, k.size - half);
                queue.addFirst(b);
                queue.addFirst(a);
                continue;
            }
            double pick = rnd.nextDouble() * total;
            int chosen = -1;
            for (int d = 0; d < nd; d++) {
                if (score[d] > 0) {
                    chosen = d;
                    pick -= score[d];
                    if (pick < 0) {
                        break;
                    }
                }
            }
            k.district = chosen;
            remaining[chosen] -= weight;
            earnedLeft[chosen] -= rc * weight;
            classes.add(k);
        }
        for (int d = 0; d < nd; d++) {
            if (remaining[d] != 0) {
                throw new IllegalStateException("district potential not met: " + tables.districts.get(d).psu());
            }
        }
        // merge the tiny pieces that splitting left in one district and course back into classes
        Map<String, Klass> open = new LinkedHashMap<>();
        List<Klass> merged = new ArrayList<>();
        for (Klass k : classes) {
            if (k.size >= 6) {
                merged.add(k);
                continue;
            }
            String key = k.district + "/" + k.course + "/" + Arrays.toString(k.offered);
            Klass m = open.get(key);
            if (m == null) {
                open.put(key, k);
                merged.add(k);
            } else {
                m.size += k.size;
                if (m.size >= 24) {
                    open.remove(key);
                }
            }
        }
        classes.clear();
        classes.addAll(merged);
    }

    // ---------------------------------------------------------------- schools and students

    private void makeSchools(SplittableRandom rnd) {
        long[] seats = new long[nd];
        for (Klass k : classes) {
            seats[k.district] += k.size;
        }
        int[] first = new int[nd];
        int[] count = new int[nd];
        for (int d = 0; d < nd; d++) {
            String psu = tables.districts.get(d).psu();
            boolean single = !psu.chars().allMatch(Character::isDigit);
            int n = single ? 1 : (int) Math.max(1, Math.min(14, Math.round(seats[d] / 900.0)));
            first[d] = schools.size();
            count[d] = n;
            String lea = psu.length() >= 3 ? psu.substring(0, 3) : "0".repeat(3 - psu.length()) + psu;
            for (int s = 0; s < n; s++) {
                String code = lea + String.format("%03d", single ? 0 : 300 + 4 * s + rnd.nextInt(4));
                schools.add(new School(d, code, Names.schoolName(tables.districts.get(d).name(), s, single, rnd)));
            }
        }
        for (int i = 0; i < classes.size(); i++) {
            Klass k = classes.get(i);
            k.school = first[k.district] + rnd.nextInt(count[k.district]);
            schools.get(k.school).classes.add(i);
        }
    }

    private void seatStudents(SplittableRandom rnd) {
        int nc = courseCodes.size();
        boolean[][] conflict = new boolean[nc][nc];
        for (int a = 0; a < nc; a++) {
            for (int b = 0; b < nc; b++) {
                List<String> ca = catalog.alignments.getOrDefault(courseCodes.get(a), List.of());
                List<String> cb = catalog.alignments.getOrDefault(courseCodes.get(b), List.of());
                conflict[a][b] = a == b || ca.stream().anyMatch(cb::contains);
            }
        }
        for (int s = 0; s < schools.size(); s++) {
            School school = schools.get(s);
            List<Integer> cls = new ArrayList<>(school.classes);
            shuffle(cls, rnd);
            long seats = 0;
            for (int i : cls) {
                seats += classes.get(i).size;
            }
            List<Integer> pool = new ArrayList<>();
            int initial = (int) Math.max(1, Math.ceil(seats / 3.2));
            for (int i = 0; i < initial; i++) {
                pool.add(newStudent(s));
            }
            int pointer = 0;
            for (int ci : cls) {
                Klass k = classes.get(ci);
                k.students = new int[k.size];
                for (int seat = 0; seat < k.size; seat++) {
                    int found = -1;
                    for (int tries = 0; tries < pool.size(); tries++) {
                        int st = pool.get(pointer);
                        pointer = (pointer + 1) % pool.size();
                        Student x = students.get(st);
                        if (x.courses.length >= 6) {
                            continue;
                        }
                        boolean clash = false;
                        for (int c : x.courses) {
                            if (conflict[c][k.course]) {
                                clash = true;
                                break;
                            }
                        }
                        if (!clash) {
                            found = st;
                            break;
                        }
                    }
                    if (found < 0) {
                        found = newStudent(s);
                        pool.add(found);
                    }
                    Student x = students.get(found);
                    x.courses = append(x.courses, k.course);
                    x.classes = append(x.classes, ci);
                    k.students[seat] = found;
                    enrollments++;
                }
            }
        }
    }

    private int newStudent(int school) {
        students.add(new Student(school));
        return students.size() - 1;
    }

    // ---------------------------------------------------------------- earned

    /** Earned per district and row, or null when the placement cannot carry them. */
    private long[][] placeEarned() {
        long[][] pot = new long[nd][nk];
        for (Klass k : classes) {
            for (int r : k.offered) {
                pot[k.district][r] += k.size;
            }
        }
        long[][] x = fit(pot);
        if (!complete(pot, x)) {
            x = new long[nd][nk];
            if (!complete(pot, x)) {
                return null;
            }
        }
        return x;
    }

    private void chooseEarners(long[][] x, SplittableRandom rnd) {
        // pick the earners: per district and row, x of the seats offered that row
        List<List<int[]>> seatsByDistrict = new ArrayList<>();
        for (int d = 0; d < nd; d++) {
            seatsByDistrict.add(new ArrayList<>());
        }
        for (int ci = 0; ci < classes.size(); ci++) {
            seatsByDistrict.get(classes.get(ci).district).add(new int[] {ci});
        }
        for (int d = 0; d < nd; d++) {
            Map<Integer, List<Integer>> seatsOfRow = new LinkedHashMap<>();
            for (int[] ci : seatsByDistrict.get(d)) {
                Klass k = classes.get(ci[0]);
                for (int r : k.offered) {
                    List<Integer> l = seatsOfRow.computeIfAbsent(r, z -> new ArrayList<>());
                    for (int st : k.students) {
                        l.add(st);
                    }
                }
            }
            for (Map.Entry<Integer, List<Integer>> e : seatsOfRow.entrySet()) {
                List<Integer> l = e.getValue();
                int want = (int) x[d][e.getKey()];
                for (int i = 0; i < want; i++) {
                    int j = i + rnd.nextInt(l.size() - i);
                    int t = l.get(i);
                    l.set(i, l.get(j));
                    l.set(j, t);
                    earned.add(new Earned(l.get(i), e.getKey()));
                }
            }
        }
    }

    /** Adds to x a maximum flow of the earned counts x leaves unplaced; true when every count is placed. */
    private boolean complete(long[][] pot, long[][] x) {
        long[] rowLeft = new long[nk];
        long[] districtLeft = new long[nd];
        for (int r = 0; r < nk; r++) {
            rowLeft[r] = tables.courseCredentials.get(r).earned();
        }
        for (int d = 0; d < nd; d++) {
            districtLeft[d] = tables.districts.get(d).earned();
            for (int r = 0; r < nk; r++) {
                rowLeft[r] -= x[d][r];
                districtLeft[d] -= x[d][r];
            }
        }
        MaxFlow flow = new MaxFlow(nk + nd + 2);
        int source = nk + nd;
        int sink = source + 1;
        int[][] edge = new int[nd][nk];
        long need = 0;
        for (int r = 0; r < nk; r++) {
            flow.edge(source, r, rowLeft[r]);
            need += rowLeft[r];
        }
        for (int d = 0; d < nd; d++) {
            flow.edge(nk + d, sink, districtLeft[d]);
            for (int r = 0; r < nk; r++) {
                edge[d][r] = pot[d][r] - x[d][r] > 0 ? flow.edge(r, nk + d, pot[d][r] - x[d][r]) : -1;
            }
        }
        if (flow.run(source, sink) != need) {
            return false;
        }
        for (int d = 0; d < nd; d++) {
            for (int r = 0; r < nk; r++) {
                if (edge[d][r] >= 0) {
                    x[d][r] += flow.flow(edge[d][r]);
                }
            }
        }
        return true;
    }

    /** A proportional fit of earned into districts x rows (rounded down), within each cell's potential. */
    private long[][] fit(long[][] pot) {
        double[][] m = new double[nd][nk];
        for (int d = 0; d < nd; d++) {
            for (int r = 0; r < nk; r++) {
                PublishedTables.CourseCredentialRow row = tables.courseCredentials.get(r);
                m[d][r] = pot[d][r] * (double) row.earned() / row.potential();
            }
        }
        for (int iter = 0; iter < 40; iter++) {
            for (int d = 0; d < nd; d++) {
                double s = 0;
                for (int r = 0; r < nk; r++) {
                    s += m[d][r];
                }
                double f = s == 0 ? 0 : tables.districts.get(d).earned() / s;
                for (int r = 0; r < nk; r++) {
                    m[d][r] = Math.min(pot[d][r], m[d][r] * f);
                }
            }
            for (int r = 0; r < nk; r++) {
                double s = 0;
                for (int d = 0; d < nd; d++) {
                    s += m[d][r];
                }
                double f = s == 0 ? 0 : tables.courseCredentials.get(r).earned() / s;
                for (int d = 0; d < nd; d++) {
                    m[d][r] = Math.min(pot[d][r], m[d][r] * f);
                }
            }
        }
        long[][] x = new long[nd][nk];
        long[] rowSum = new long[nk];
        for (int d = 0; d < nd; d++) {
            long ds = 0;
            for (int r = 0; r < nk; r++) {
                x[d][r] = (long) Math.floor(m[d][r]);
                ds += x[d][r];
            }
            // never more than the district's total
            for (int r = 0; r < nk && ds > tables.districts.get(d).earned(); r++) {
                long cut = Math.min(x[d][r], ds - tables.districts.get(d).earned());
                x[d][r] -= cut;
                ds -= cut;
            }
        }
        for (int r = 0; r < nk; r++) {
            for (int d = 0; d < nd; d++) {
                rowSum[r] += x[d][r];
            }
            for (int d = 0; d < nd && rowSum[r] > tables.courseCredentials.get(r).earned(); d++) {
                long cut = Math.min(x[d][r], rowSum[r] - tables.courseCredentials.get(r).earned());
                x[d][r] -= cut;
                rowSum[r] -= cut;
            }
        }
        return x;
    }

    // ---------------------------------------------------------------- helpers

    static int[] append(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    static <T> void shuffle(List<T> l, SplittableRandom rnd) {
        for (int i = l.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            T t = l.get(i);
            l.set(i, l.get(j));
            l.set(j, t);
        }
    }
}
