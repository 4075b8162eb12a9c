package org.credentialhub.support;

import org.credentialhub.cli.Hub;
import org.credentialhub.generate.Generator;
import org.credentialhub.store.Database;
import picocli.CommandLine;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The test run's one generated state (NC at 3 %, seed 18, three school years: {@code generate --years 3}, 2022-23 and
 * 2023-24 as delta bundles before 2024-25) taken through the README's whole pipeline, {@code ingest}, {@code resolve}
 * with the generated district decisions, {@code ingest} again, into a hub data folder: made once per test JVM and
 * shared by the classes that check what comes out of it (the acceptance run's Tables 10 and 11, the annual report's
 * other tables, the reports that read earlier years). One state of three years costs less than a one-year state and a
 * three-year one beside it (the suite's longest class went from 186 s to 145 s). A class that changes the hub's data
 * must leave it as it found it (the acceptance run's reloads do).
 */
public final class GeneratedState {
    /** The generated files ({@code expected/}, {@code district-decisions.csv}, ...) and the hub's data folder. */
    public record Run(Path state, Path data, int years) {
        /** The settings a hub on this state's data starts with: its data folder, and its catalog as ingest loaded it. */
        public java.util.Map<String, String> settings() {
            java.util.Map<String, String> s = new java.util.HashMap<>(java.util.Map.of("hub.data.dir", data.toString()));
            if (Files.isDirectory(state.resolve("catalog"))) {
                s.put("hub.catalog.dir", state.resolve("catalog").toString());
            }
            return s;
        }

        /** The state's first school year: no year before it is loaded. */
        public String firstYear() {
            String y = "2024-2025";
            for (int i = 1; i < years; i++) {
                y = org.credentialhub.support.SchoolYears.previous(y);
            }
            return y;
        }

        /** {@code ./hub report} of one table of a year on this state's data (the public form if asked): the CSV's text. */
        public String report(String year, String table, boolean publicForm) throws IOException {
            Path out = Files.createTempFile("report", ".csv");
            List<String> args = new ArrayList<>(List.of("report", "--year", year, "--table", table, "--out", out.toString(),
                    "--data-dir", data.toString()));
            if (publicForm) {
                args.add("--public");
            }
            try {
                assertEquals(0, new CommandLine(new Hub()).execute(args.toArray(String[]::new)));
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);   // no test leaves files in the temporary folder
            }
        }
    }

    public static final String SCENARIO = "nc-2024-25";
    public static final long SEED = 18;
    public static final BigDecimal SCALE = new BigDecimal("0.03");

    /** Its school years: {@code generate --years}. */
    public static final int YEARS = 3;

    private static Run run;
    /** The states' PostgreSQL, kept running: every command and class after the ingests attaches to it. */
    private static final List<Database> databases = new ArrayList<>();

    private GeneratedState() {
    }

    /** The full-scale state (NC 2024-25 at scale 1, one year: its truth is the published tables), see {@link #fullScale}. */
    public static final long FULL_SCALE_SEED = 7;
    private static Run fullScale;

    /**
     * NC 2024-25 at scale 1 (seed {@link #FULL_SCALE_SEED}, one school year) through the same pipeline, on first use:
     * the full-scale checks (tag slow) of the published figures. Its generated truth is the published Tables 10 and
     * 11 byte for byte.
     */
    public static synchronized Run fullScale() throws IOException {
        if (fullScale == null) {
            fullScale = make(FULL_SCALE_SEED, BigDecimal.ONE, 1);
        }
        return fullScale;
    }

    /** The state, generated and ingested on first use. */
    public static synchronized Run nc() throws IOException {
        if (run == null) {
            run = make(SEED, SCALE, YEARS);
        }
        return run;
    }

    private static Run make(long seed, BigDecimal scale, int years) throws IOException {
        Path state = Files.createTempDirectory("state");
        Path data = Files.createTempDirectory("hub-data");
        Database[] database = new Database[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (database[0] != null) {
                    database[0].close();
                }
            } catch (IOException e) {
                // stopped with the JVM
            }
            delete(state);
            delete(data);
        }));
        new Generator(Generator.Inputs.of(SCENARIO, Path.of("")), SCENARIO, seed, scale).years(years)
                .generate(state, line -> { });
        hubOrFail("ingest", state.toString(), "--data-dir", data.toString(), "--timeout", "10");
        hubOrFail("resolve", "--decisions", state.resolve("district-decisions.csv").toString(),
                "--data-dir", data.toString());
        // the second ingest of docs/end-to-end.md: every file a duplicate, the district entries taken before, then
        // the reporting load; the suite's one run of it after resolve (a report --load instead saved about 7 s of the
        // suite, and left that path to nothing: the suite's crash drill runs ingest alone)
        hubOrFail("ingest", state.toString(), "--data-dir", data.toString(), "--timeout", "10");
        // the checks' dozens of ./hub report runs and loads then attach to one running database instead of
        // each starting and stopping its own (Database.open finds the running one by the data folder)
        database[0] = Database.open(null, null, null, data, 0, 2);
        databases.add(database[0]);
        return new Run(state, data, years);
    }

    private static void hubOrFail(String... args) {
        int code = new CommandLine(new Hub()).execute(args);
        if (code != 0) {
            throw new IllegalStateException("./hub " + args[0] + " on the generated state ended with " + code);
        }
    }

    private static void delete(Path p) {
        try {
            org.credentialhub.support.PrivateFiles.deleteTree(p);
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
