package org.credentialhub.generate;

import org.credentialhub.generate.Attempts.Attempt;
import org.credentialhub.generate.Feeds.Line;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * State folders for {@code ./hub bench} (docs/performance.md), in the layout {@code ./hub ingest} takes: a generated
 * state's roster ({@code oneroster/}, as {@link Generator} writes it for the same seed and scale) with vendor files of
 * a chosen shape, written by the generator's own vendor writers ({@link Feeds}) so that their rows look like the
 * generated year's (same columns, same identity noise, exam codes of the catalog): many small monthly workbooks, or
 * one very large certexam file. {@code truth.csv} says who every row is, as in a generated state.
 */
public final class BenchStates {

    /** What was written: roster students, vendor files, their data rows and bytes. */
    public record Written(long students, int files, long rows, long bytes) { }

    private BenchStates() {
    }

    /**
     * {@code files} end-of-program workbooks (skillsxlsx) of {@code rowsPerFile} rows each, one per district per month:
     * file k is the k-th district (in PSU order, among the districts with skillsxlsx results) for month k / districts
     * from August 2024, named {@code skills_<psu>_<last day of the month>.xlsx}, a sheet per school. Each row is one of
     * the district's generated skillsxlsx results (student and exam) taken that month.
     */
    public static Written smallWorkbooks(Generator generator, Path out, int files, int rowsPerFile, Consumer<String> log)
            throws IOException {
        if (files < 1 || rowsPerFile < 1) {
            throw new IllegalArgumentException("files and rows per file must be at least 1");
        }
        Start st = start(generator, out, log);
        List<Attempt> pool = st.attempts.byFeed.getOrDefault("skillsxlsx", List.of());
        TreeMap<String, List<Attempt>> byDistrict = new TreeMap<>();
        for (Attempt a : pool) {
            byDistrict.computeIfAbsent(st.psu(a.person), k -> new ArrayList<>()).add(a);
        }
        if (byDistrict.isEmpty()) {
            throw new IllegalArgumentException("the generated state has no skillsxlsx results at this scale");
        }
        List<String> districts = new ArrayList<>(byDistrict.keySet());
        SplittableRandom rnd = new SplittableRandom(generator.seed() ^ 0x5A11L);
        Path dir = out.resolve("sftp/skillsxlsx");
        Files.createDirectories(dir);
        long rows = 0;
        long bytes = 0;
        try (Ledger ledger = st.ledger()) {
            Feeds feeds = st.feeds(ledger);
            for (int k = 0; k < files; k++) {
                String psu = districts.get(k % districts.size());
                YearMonth month = YearMonth.of(2024, 8).plusMonths(k / districts.size());
                List<Attempt> theirs = byDistrict.get(psu);
                Map<Integer, List<Line>> bySchool = new TreeMap<>();
                for (int r = 0; r < rowsPerFile; r++) {
                    Attempt base = theirs.get(rnd.nextInt(theirs.size()));
                    Attempt a = new Attempt(base.person, base.credential, month.atDay(1 + rnd.nextInt(month.lengthOfMonth())),
                            base.minute, base.passed, base.kind);
                    bySchool.computeIfAbsent(st.roster.school[a.person], x -> new ArrayList<>())
                            .add(new Line(a, Shown.of(st.roster, a.person, Feeds.SKILLS, rnd)));
                }
                Path f = dir.resolve("skills_" + psu + "_" + month.atEndOfMonth().format(Feeds.YMD) + ".xlsx");
                rows += feeds.skillsWorkbook(f, bySchool).size();
                bytes += Files.size(f);
            }
        }
        log.accept(files + " workbooks, " + rows + " rows");
        return new Written(st.roster.rosterSize, files, rows, bytes);
    }

    /**
     * One certexam file ({@code certexam_results_20250630.csv}) of {@code rows} rows, written as it is drawn (a
     * million rows are never all in memory): each a student of the roster (one in a thousand someone the roster
     * lacks) taking one of the state's certexam exams on a day of the school year, shown with certexam's identity
     * noise.
     */
    public static Written vendorFile(Generator generator, Path out, long rows, Consumer<String> log) throws IOException {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be at least 1");
        }
        Start st = start(generator, out, log);
        List<Attempt> pool = st.attempts.byFeed.getOrDefault("certexam", List.of());
        if (pool.isEmpty()) {
            throw new IllegalArgumentException("the generated state has no certexam results at this scale");
        }
        SplittableRandom rnd = new SplittableRandom(generator.seed() ^ 0xB16L);
        int people = st.roster.stateId.length;
        int onRoster = st.roster.rosterSize;
        LocalDate first = Roster.YEAR_START;
        int days = (int) (Roster.YEAR_END.toEpochDay() - first.toEpochDay()) + 1;
        Iterable<Line> lines = () -> new Iterator<>() {
            long made;

            @Override
            public boolean hasNext() {
                return made < rows;
            }

            @Override
            public Line next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                made++;
                int person = rnd.nextInt(1000) == 0 && people > onRoster ? onRoster + rnd.nextInt(people - onRoster)
                        : rnd.nextInt(onRoster);
                Attempt exam = pool.get(rnd.nextInt(pool.size()));
                Attempt a = new Attempt(person, exam.credential, first.plusDays(rnd.nextInt(days)), 480 + rnd.nextInt(600),
                        rnd.nextInt(100) < 70, Attempts.Kind.EARNED);
                return new Line(a, Shown.of(st.roster, person, Feeds.CERTEXAM, rnd));
            }
        };
        Path f = out.resolve("sftp/certexam/certexam_results_20250630.csv");
        long[] n = {0};
        try (Ledger ledger = st.ledger()) {
            st.feeds(ledger).certexamFile(f, lines, p -> n[0]++);
        }
        log.accept("1 certexam file, " + n[0] + " rows, " + Files.size(f) / (1 << 20) + " MB");
        return new Written(onRoster, 1, n[0], Files.size(f));
    }

    /** A state's roster (written to oneroster/) and its generated results, which the bench files draw from. */
    private record Start(Generator.Built built, Roster roster, Attempts attempts, Path out) {
        /** The PSU code of a person's district. */
        String psu(int person) {
            StatePlan plan = built.plan();
            return plan.tables.districts.get(plan.schools.get(roster.school[person]).district).psu();
        }

        Ledger ledger() throws IOException {
            return new Ledger(out, roster);
        }

        Feeds feeds(Ledger ledger) {
            return new Feeds(out, built.plan(), roster, ledger, new SplittableRandom(0));
        }
    }

    private static Start start(Generator generator, Path out, Consumer<String> log) throws IOException {
        if (Files.exists(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IOException(out + " is not empty");
                }
            }
        }
        Files.createDirectories(out);
        Generator.Built b = generator.build(log);
        b.roster().write(out.resolve("oneroster"));
        log.accept("roster written: " + b.roster().rosterSize + " students");
        Attempts attempts = new Attempts(b.plan(), b.roster(), new SplittableRandom(generator.seed() ^ 0x7777L));
        return new Start(b, b.roster(), attempts, out);
    }
}
