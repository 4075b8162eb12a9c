package org.credentialhub.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.credentialhub.support.Reference;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Writes a generated state folder (layout: docs/generator.md). */
public final class Generator {

    public static final String VERSION = "2";

    /** Where the inputs are. */
    public record Inputs(Path catalogDir, Path table10, Path table11, Path people, Path groups) {

        /** The inputs of a scenario ("nc-2024-25") from the project root and the reference data shipped with the hub. */
        public static Inputs of(String scenario, Path projectRoot) {
            return of(scenario, projectRoot, Reference.root());
        }

        /**
         * The inputs of a scenario from the project root and a folder laid out like the hub's reference data
         * ({@code <scenario>/table10_…csv}, {@code <scenario>/table11_…csv}, {@code names/people.csv}); the
         * student groups' proportions ({@code <scenario>/student_groups.csv}) from there, else the hub's own.
         */
        public static Inputs of(String scenario, Path projectRoot, Path reference) {
            if (!scenario.equals("nc-2024-25")) {
                throw new IllegalArgumentException("unknown scenario '" + scenario + "' (known: nc-2024-25)");
            }
            Path data = reference.resolve(scenario);
            Path groups = data.resolve(StudentGroupTruth.PROPORTIONS);
            return new Inputs(projectRoot.resolve("config/catalog/nc/2024-2025"),
                    data.resolve("table10_attainment_by_psu.csv"),
                    data.resolve("table11_attainment_by_course_credential.csv"),
                    reference.resolve("names/people.csv"),
                    Files.exists(groups) ? groups : Reference.path(scenario).resolve(StudentGroupTruth.PROPORTIONS));
        }

        /** The first input that does not exist, if any. */
        public java.util.Optional<Path> missing() {
            return java.util.stream.Stream.of(catalogDir, table10, table11, people, groups).filter(p -> !Files.exists(p))
                    .findFirst();
        }
    }

    /** What was generated (counts only). */
    public record Summary(long districts, long schools, long students, long enrollments, long earned, long potential,
                          long resultRecords, long decisions, Map<String, Long> files) { }

    private final Inputs inputs;
    private final String scenario;
    private final long seed;
    private final BigDecimal scale;
    /** School years to generate: 2024-25 and the {@code years - 1} before it ({@link EarlierYears}). */
    private int years = 1;

    public Generator(Inputs inputs, String scenario, long seed, BigDecimal scale) {
        this.inputs = inputs;
        this.scenario = scenario;
        this.seed = seed;
        this.scale = scale;
        if (scale.signum() <= 0 || scale.compareTo(BigDecimal.TEN) > 0) {
            throw new IllegalArgumentException("--scale must be in (0, 10]");
        }
    }

    /** Generates {@code years} school years (1 to 3): 2024-25 and the ones before it (docs/generator.md). */
    public Generator years(int years) {
        if (years < 1 || years > 1 + EarlierYears.FACTORS.length) {
            throw new IllegalArgumentException("--years must be 1, 2 or 3");
        }
        this.years = years;
        return this;
    }

    /** The state before any file is written (the same for the same inputs, seed and scale). */
    record Built(PublishedTables published, PublishedTables target, StatePlan plan, Roster roster) { }

    /** Plans the state and draws its roster ({@link #generate}'s first steps; {@link BenchStates} starts the same way). */
    Built build(Consumer<String> log) throws IOException {
        Catalog catalog = Catalog.load(inputs.catalogDir());
        PublishedTables published = PublishedTables.load(inputs.table10(), inputs.table11(), catalog);
        PublishedTables target = published.scaled(scale);
        log.accept("targets: " + target.districts.size() + " districts, " + target.courseCredentials.size()
                + " course-credentials, earned " + target.totalEarned() + ", potential " + target.totalPotential());
        StatePlan plan = new StatePlan(target, catalog, seed);
        log.accept("plan: " + plan.schools.size() + " schools, " + plan.classes.size() + " classes, "
                + plan.students.size() + " students, " + plan.enrollments + " enrollments, " + plan.earned.size()
                + " earned");
        List<Roster.Person> people = Roster.people(inputs.people());
        int outsiders = (int) Math.max(3, Math.round(plan.earned.size() * 0.001));
        Roster roster = new Roster(plan, people, outsiders, new SplittableRandom(seed ^ 0x6666L));
        // program participation from a stream of its own: every other value stays as it was
        roster.drawGroups(StudentGroupTruth.proportions(inputs.groups()), new SplittableRandom(seed ^ 0x9A9AL));
        return new Built(published, target, plan, roster);
    }

    long seed() {
        return seed;
    }

    public Summary generate(Path out, Consumer<String> sink) throws IOException {
        long t0 = System.nanoTime();
        Consumer<String> log = m -> sink.accept(String.format("[%5.1fs] %s", (System.nanoTime() - t0) / 1e9, m));
        if (Files.exists(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IOException(out + " is not empty");
                }
            }
        }
        Files.createDirectories(out);
        Built built = build(log);
        PublishedTables target = built.target();
        StatePlan plan = built.plan();
        Roster roster = built.roster();
        Map<String, Long> files = new TreeMap<>(roster.write(out.resolve("oneroster")));
        log.accept("roster written");
        Attempts attempts = new Attempts(plan, roster, new SplittableRandom(seed ^ 0x7777L));
        EarlierYears earlier = null;
        Map<String, List<Attempts.Attempt>> byFeed = attempts.byFeed;
        if (years > 1) {
            earlier = new EarlierYears(years, built.published(), scale, plan.catalog, plan, attempts, seed);
            byFeed = earlier.withEarlier(attempts.byFeed, plan.catalog, seed);
            log.accept("earlier years planned: " + earlier.years.stream().map(y -> y.name() + " "
                    + y.plan().earned.size() + " earned").toList());
        }
        long records;
        long decisions;
        try (Ledger ledger = new Ledger(out, roster)) {
            Feeds feeds = new Feeds(out, plan, roster, ledger, new SplittableRandom(seed ^ 0x8888L));
            List<Attempts.Attempt> none = List.of();
            feeds.certexam(byFeed.getOrDefault("certexam", none));
            log.accept("certexam written");
            feeds.tradesreg(byFeed.getOrDefault("tradesreg", none));
            log.accept("tradesreg written");
            feeds.foodsafe(byFeed.getOrDefault("foodsafe", none));
            log.accept("foodsafe written");
            feeds.workskills(byFeed.getOrDefault("workskills", none));
            log.accept("workskills written");
            feeds.skillsxlsx(byFeed.getOrDefault("skillsxlsx", none));
            log.accept("skillsxlsx written");
            feeds.badges(byFeed.getOrDefault("badges", none));
            log.accept("badges written");
            feeds.issuedbadges(byFeed.getOrDefault("issuedbadges", none));
            log.accept("issuedbadges written");
            feeds.district(byFeed.getOrDefault("district", none));
            files.putAll(feeds.counts);
            records = ledger.truthRows;
            decisions = ledger.decisionRows;
        }
        // its own random numbers, after every other file: no other generated value changes
        files.putAll(new ArticulationAwards(plan, roster, new SplittableRandom(seed ^ 0xA27C1L)).write(out, attempts));
        files.put("truth.csv", records);
        files.put("district-decisions.csv", decisions);
        Path expected = out.resolve("expected");
        Files.createDirectories(expected);
        target.writeTable10(expected.resolve("attainment-by-district.csv"));
        target.writeTable11(expected.resolve("attainment-by-course-credential.csv"));
        files.put("expected/attainment-by-district.csv", (long) target.districts.size());
        files.put("expected/attainment-by-course-credential.csv", (long) target.courseCredentials.size());
        files.put("expected/attainment-by-student-group.csv",
                StudentGroupTruth.write(expected.resolve("attainment-by-student-group.csv"), plan, roster));
        if (earlier != null) {
            files.putAll(earlier.write(out, inputs.catalogDir(), roster, plan));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("scenario", scenario);
        manifest.put("seed", seed);
        manifest.put("scale", scale.stripTrailingZeros().toPlainString());
        manifest.put("generator", "credential-hub generate " + VERSION);
        manifest.put("schoolYear", Roster.YEAR);
        if (earlier != null) {
            manifest.put("earlierSchoolYears", earlier.years.stream().map(EarlierYears.Year::name).toList());
        }
        Map<String, Long> totals = new LinkedHashMap<>();
        totals.put("districts", (long) target.districts.size());
        totals.put("schools", (long) plan.schools.size());
        totals.put("students", (long) plan.students.size());
        totals.put("enrollments", plan.enrollments);
        totals.put("earned", target.totalEarned());
        totals.put("potential", target.totalPotential());
        totals.put("resultRecords", records);
        totals.put("decisions", decisions);
        manifest.put("totals", totals);
        manifest.put("files", files);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("manifest.json").toFile(),
                manifest);
        log.accept("wrote " + files.size() + " files: " + records + " result records, " + decisions + " decisions");
        return new Summary(target.districts.size(), plan.schools.size(), plan.students.size(), plan.enrollments,
                target.totalEarned(), target.totalPotential(), records, decisions, files);
    }
}
