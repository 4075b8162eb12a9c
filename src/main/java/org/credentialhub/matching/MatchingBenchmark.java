package org.credentialhub.matching;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * {@code ./hub bench matching}: a synthetic state roster (names drawn with their real frequencies from
 * the hub's {@code reference/names/people.csv} if present, birth years of high schoolers, ~2,600 schools in ~175
 * districts, 3% twins and 7% siblings at the same school) and noisy vendor results (typos, nicknames, swapped day and
 * month, one-digit date typos, school changes, state ID on about half the rows, 5% of rows with no roster student).
 * Reports index build time, model fitting time, matching rows/s and peak heap.
 */
public final class MatchingBenchmark {
    private static final int SCHOOLS = 2600;
    private static final int SCHOOLS_PER_DISTRICT = 15;

    private final int rosterSize;
    private final int resultRows;
    private final long seed;
    private final String[] firstNames;
    private final String[] lastNames;
    private final org.credentialhub.support.Hmac hasher = new org.credentialhub.support.Hmac("bench-key-not-secret-0123456789".getBytes(StandardCharsets.UTF_8));
    private final Map<String, String[]> nick = Names.nicknameGroups();

    public MatchingBenchmark(int rosterSize, int resultRows, long seed, Path namesCsv) throws IOException {
        this.rosterSize = rosterSize;
        this.resultRows = resultRows;
        this.seed = seed;
        List<String> f = new ArrayList<>();
        List<String> l = new ArrayList<>();
        if (namesCsv != null && Files.exists(namesCsv)) {
            try (Reader r = Files.newBufferedReader(namesCsv, StandardCharsets.UTF_8);
                 CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
                for (CSVRecord rec : p) {
                    f.add(rec.get("first_name").intern());
                    l.add(rec.get("last_name").intern());
                }
            }
        }
        if (f.isEmpty()) {
            String[] bf = ("Michael David James William Matthew Christopher Mary Daniel Joshua Jacob Emily Emma Olivia "
                    + "Sophia Isabella Ava Mia Abigail Madison Elizabeth Ethan Noah Liam Mason Logan Lucas Aiden Jackson "
                    + "Jayden Anthony Andrew Joseph Samuel Benjamin Alexander Nicholas Robert John Tyler Ryan Jose Maria "
                    + "Sarah Hannah Ashley Jessica Samantha Lauren Grace Chloe Natalie Victoria Brianna Kayla Jasmine").split(" ");
            String[] bl = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
                    + "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
                    + "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
                    + "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Kowalski Okafor").split(" ");
            f.addAll(List.of(bf));
            l.addAll(List.of(bl));
        }
        this.firstNames = f.toArray(new String[0]);
        this.lastNames = l.toArray(new String[0]);
    }

    /** A synthetic student (deterministic in seed and index). */
    private record Student(long id, String rawStateId, String first, String last, int dob, int school) {
    }

    private SplittableRandom rnd(long i, long salt) {
        return new SplittableRandom(RosterIndex.mix(seed * 0x9E3779B97F4A7C15L + i * 31 + salt));
    }

    private Student base(long i) {
        SplittableRandom r = rnd(i, 1);
        String first = firstNames[r.nextInt(firstNames.length)];
        String last = lastNames[r.nextInt(lastNames.length)];
        int year = 2006 + r.nextInt(5);
        int doy = r.nextInt(365);
        LocalDate d = LocalDate.of(year, 1, 1).plusDays(doy);
        return new Student(i, Long.toString(4_100_000_000L + i * 7919 % 900_000_000L + i),
                first, last, Names.dateToInt(d), r.nextInt(SCHOOLS));
    }

    /** Student i; 3% are a twin of student i-1, 7% a younger/older sibling at the same school. */
    private Student student(long i) {
        Student b = base(i);
        if (i == 0 || i >= rosterSize) {
            return b;
        }
        int rel = rnd(i, 2).nextInt(100);
        if (rel < 3) {
            Student o = base(i - 1);
            String first = b.first.equals(o.first) ? firstNames[(int) ((i * 7) % firstNames.length)] : b.first;
            return new Student(i, b.rawStateId, first, o.last, o.dob, o.school);
        }
        if (rel < 10) {
            Student o = base(i - 1);
            int dy = 1 + rnd(i, 3).nextInt(3);
            int y = o.dob / 10000 + (rnd(i, 4).nextBoolean() ? dy : -dy);
            int dob = y * 10000 + b.dob % 10000;
            if (!Comparisons.validDate(dob)) {
                dob = y * 10000 + 301;
            }
            return new Student(i, b.rawStateId, b.first, o.last, dob, o.school);
        }
        return b;
    }

    private static LocalDate toDate(int d) {
        return d == 0 ? null : LocalDate.of(d / 10000, d / 100 % 100, d % 100);
    }

    private static String district(int school) {
        return "D" + (school / SCHOOLS_PER_DISTRICT);
    }

    private RosterRecord rosterRecord(Student s) {
        return new RosterRecord(s.id, hasher.stateId(s.rawStateId), s.first, s.last, toDate(s.dob), "S" + s.school,
                district(s.school), hasher.stateIdNear(s.rawStateId));
    }

    private static String typo(String s, SplittableRandom r) {
        if (s.length() < 2) {
            return s;
        }
        char[] c = s.toLowerCase(Locale.ROOT).toCharArray();
        int p = r.nextInt(c.length);
        switch (r.nextInt(4)) {
            case 0: // substitute
                c[p] = (char) ('a' + r.nextInt(26));
                return new String(c);
            case 1: // delete
                return new String(c, 0, p) + new String(c, p + 1, c.length - p - 1);
            case 2: // insert
                return new String(c, 0, p) + (char) ('a' + r.nextInt(26)) + new String(c, p, c.length - p);
            default: // transpose
                if (p == c.length - 1) {
                    p--;
                }
                char t = c[p];
                c[p] = c[p + 1];
                c[p + 1] = t;
                return new String(c);
        }
    }

    private int noisyDob(int d, SplittableRandom r) {
        int x = r.nextInt(100);
        if (x < 3) {
            int sw = BlockingIndex.swapDayMonth(d);
            return sw != 0 ? sw : d;
        }
        if (x < 6) {
            for (int tries = 0; tries < 10; tries++) {
                int pos = 2 + r.nextInt(6); // not the millennium digits
                int pow = (int) Math.pow(10, 7 - pos);
                int digit = d / pow % 10;
                int nd = d + ((r.nextInt(9) + 1 + digit) % 10 - digit) * pow;
                if (Comparisons.validDate(nd)) {
                    return nd;
                }
            }
            return d;
        }
        if (x < 7) {
            return 0;
        }
        return d;
    }

    /** Results with truth (roster id or -1). */
    record Synth(List<ResultRecord> rows, long[] truth) {
    }

    Synth results() {
        List<ResultRecord> rows = new ArrayList<>(resultRows);
        long[] truth = new long[resultRows];
        SplittableRandom r = new SplittableRandom(seed * 7 + 3);
        for (int k = 0; k < resultRows; k++) {
            boolean inRoster = r.nextInt(100) >= 5;
            Student s = inRoster ? student(r.nextInt(rosterSize)) : base(rosterSize + 1_000_000L + k);
            truth[k] = inRoster ? s.id : -1;
            String first = s.first;
            int x = r.nextInt(100);
            if (x < 5) {
                String[] nn = nick.get(first.toLowerCase(Locale.ROOT));
                if (nn != null) {
                    first = nn[r.nextInt(nn.length)];
                }
            } else if (x < 13) {
                first = typo(first, r);
            } else if (x < 15) {
                first = null;
            }
            String last = s.last;
            x = r.nextInt(100);
            if (x < 6) {
                last = typo(last, r);
            } else if (x < 7) {
                last = null;
            }
            int dob = noisyDob(s.dob, r);
            int school = s.school;
            x = r.nextInt(100);
            if (x < 10) {
                school = r.nextInt(SCHOOLS);
            }
            String schoolStr = x >= 10 && x < 15 ? null : "S" + school;
            String sid = null;
            if (r.nextBoolean()) {
                sid = s.rawStateId;
                if (r.nextInt(100) < 2) {
                    sid = typo(sid, r).replaceAll("[^0-9]", "7");
                }
            }
            rows.add(new ResultRecord(k, "exam-" + (k % 40), hasher.stateId(sid), first, last, toDate(dob), schoolStr,
                    schoolStr == null ? null : district(school), null,
                    hasher.stateIdNear(sid)));
        }
        return new Synth(rows, truth);
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    private static long heapUsed() {
        long used = 0;
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
            if (b.getType() == MemoryType.HEAP) {
                used += b.getUsage().getUsed();
            }
        }
        return used;
    }

    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
            if (b.getType() == MemoryType.HEAP) {
                peak += b.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /**
     * The synthetic roster's index: students synthesized in chunks (in parallel) and added; {@code nanos} receives the
     * time synthesizing, adding and building.
     */
    RosterIndex index(long[] nanos) {
        RosterIndex.Builder b = RosterIndex.builder(rosterSize);
        int chunk = 100_000;
        RosterRecord[] buf = new RosterRecord[chunk];
        for (int start = 0; start < rosterSize; start += chunk) {
            int len = Math.min(chunk, rosterSize - start);
            long g0 = System.nanoTime();
            final long first = start;
            java.util.stream.IntStream.range(0, len).parallel()
                    .forEach(j -> buf[j] = rosterRecord(student(first + j)));
            long g1 = System.nanoTime();
            for (int j = 0; j < len; j++) {
                b.add(buf[j]);
            }
            nanos[1] += System.nanoTime() - g1;
            nanos[0] += g1 - g0;
        }
        java.util.Arrays.fill(buf, null);
        long b0 = System.nanoTime();
        RosterIndex index = b.build();
        nanos[2] = System.nanoTime() - b0;
        return index;
    }

    public void run(PrintStream out) {
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
            b.resetPeakUsage();
        }
        out.printf(Locale.ROOT, "roster=%d results=%d seed=%d cores=%d max_heap_mb=%d names=%d/%d%n", rosterSize,
                resultRows, seed, Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, firstNames.length, lastNames.length);
        long[] nanos = new long[3];
        RosterIndex index = index(nanos);
        long genNanos = nanos[0];
        long addNanos = nanos[1];
        long buildNanos = nanos[2];
        System.gc();
        long indexHeap = heapUsed();
        out.printf(Locale.ROOT, "roster_synthesis_s=%.1f index_build_s=%.2f (add %.2f + build %.2f) heap_after_index_mb=%d%n",
                genNanos / 1e9, (addNanos + buildNanos) / 1e9, addNanos / 1e9, buildNanos / 1e9, indexHeap >> 20);

        Synth s = results();
        long f0 = System.nanoTime();
        FsModel model = new ModelTrainer().seed(seed).train(index, s.rows);
        long f1 = System.nanoTime();
        Matcher matcher = new Matcher(index, model, MatchSettings.defaults(), Crosswalk.empty());
        out.printf(Locale.ROOT, "model_fit_s=%.2f (EM %s, %d pairs)%n", (f1 - f0) / 1e9,
                model.estimated() ? "estimated" : "prior", model.trainingPairs);
        out.print(model.describe());
        RosterIndex.Scratch sc = new RosterIndex.Scratch();
        long cand = 0;
        int probeRows = Math.min(5000, s.rows.size());
        for (int k = 0; k < probeRows; k++) {
            index.candidates(index.probe(s.rows.get(k)), MatchSettings.defaults().maxBlockSize(), sc);
            cand += sc.count;
        }
        out.printf(Locale.ROOT, "avg_candidates_per_row=%.1f%n", cand / (double) Math.max(1, probeRows));
        if (Boolean.getBoolean("hub.debugBlocks")) {
            out.println("per scheme: " + java.util.Arrays.toString(sc.perScheme));
        }
        // -Dhub.benchRepeat=N: match the batch N-1 more times first (warm), printing each run's time; the figures
        // below are the last run's
        for (int rep = Integer.getInteger("hub.benchRepeat", 1); rep > 1; rep--) {
            long rc0 = processCpuNanos();
            long r0 = System.nanoTime();
            matcher.matchBatch(s.rows);
            long r1 = System.nanoTime();
            out.printf(Locale.ROOT, "repeat match_s=%.2f rows_per_s=%.0f match_cpu_s=%.2f%n", (r1 - r0) / 1e9,
                    resultRows / ((r1 - r0) / 1e9), (processCpuNanos() - rc0) / 1e9);
        }
        long c0 = processCpuNanos();
        long m0 = System.nanoTime();
        List<Decision> ds = matcher.matchBatch(s.rows);
        long m1 = System.nanoTime();
        long c1 = processCpuNanos();
        int matches = 0;
        int correct = 0;
        int reviews = 0;
        int truthPairs = 0;
        for (int k = 0; k < ds.size(); k++) {
            Decision d = ds.get(k);
            if (s.truth[k] >= 0) {
                truthPairs++;
            }
            if (d.outcome() == Outcome.MATCH) {
                matches++;
                if (d.rosterId() == s.truth[k]) {
                    correct++;
                }
            } else if (d.outcome() == Outcome.REVIEW) {
                reviews++;
            }
        }
        double secs = (m1 - m0) / 1e9;
        out.printf(Locale.ROOT, "match_s=%.2f rows_per_s=%.0f rows_per_s_incl_fit=%.0f%n", secs,
                resultRows / secs, resultRows / (secs + (f1 - f0) / 1e9));
        if (c0 >= 0 && c1 > c0) {
            double cpu = (c1 - c0) / 1e9;
            int cores = Runtime.getRuntime().availableProcessors();
            out.printf(Locale.ROOT, "match_cpu_s=%.2f rows_per_cpu_s=%.0f (x%d cores = %.0f rows/s without contention)%n",
                    cpu, resultRows / cpu, cores, cores * resultRows / cpu);
        }
        double p = matches == 0 ? 0 : correct / (double) matches;
        double rcl = truthPairs == 0 ? 0 : correct / (double) truthPairs;
        out.printf(Locale.ROOT, "precision=%.4f recall=%.4f f1=%.4f review_rate=%.4f%n", p, rcl,
                p + rcl == 0 ? 0 : 2 * p * rcl / (p + rcl), reviews / (double) resultRows);
        out.printf(Locale.ROOT, "peak_heap_mb=%d%n", peakHeap() >> 20);
        out.printf(Locale.ROOT, "decisions_digest=%016x full_digest=%016x%n", digest(ds, false), digest(ds, true));
    }

    /**
     * A fingerprint of the decisions (outcome and matched student per row; with {@code full} also the tier, posterior,
     * listed candidates, their weights and reasons), so that a change meant to be exact can be checked to leave every
     * decision as it was. Computed after the timed part; prints no values.
     */
    static long digest(List<Decision> ds, boolean full) {
        long h = 0x9E3779B97F4A7C15L;
        for (Decision d : ds) {
            h = RosterIndex.mix(h ^ d.outcome().ordinal()) + (d.rosterId() == null ? -1 : d.rosterId());
            if (full) {
                h = RosterIndex.mix(h ^ Double.doubleToLongBits(d.score())) + d.tier().hashCode();
                for (Candidate c : d.candidates()) {
                    h = RosterIndex.mix(h ^ c.rosterId()) + Double.doubleToLongBits(c.score());
                    h = RosterIndex.mix(h ^ c.reasons().hashCode());
                }
            }
        }
        return h;
    }
}
