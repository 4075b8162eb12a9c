package org.credentialhub.bench;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./hub bench} end to end at the smallest sizes: every bench runs (a generated state through ingest twice,
 * small workbooks and a vendor file over SFTP into a running hub, OneRoster, matching), each beside its COPY baseline,
 * and the table has a line per figure, measured, none failed; the CSV has the same lines; nothing is left in the
 * temporary folder. Real PostgreSQL (the test run's one, a database per hub) and the real SFTP drop box.
 */
class BenchTest {

    @Test
    void everyBenchRunsAndPrintsALinePerFigure() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<Path> before = benchFolders(tmp);
        Path csv = Files.createTempFile("bench-table", ".csv");
        List<String> databases = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FigureTable table;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream l = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            AllBenches.Settings s = AllBenches.Settings.at("nc-2024-25", 7, new BigDecimal("0.02"), new BigDecimal("1.5"),
                    5, csv).withSizes(4, 500L, 2000, 1000);
            table = new AllBenches(s, BenchDb.on(() -> {
                String url = SharedPostgres.newDatabase();
                databases.add(url);
                return url;
            }), o, l).trimStates(BenchTest::fewFiles).run();
        } finally {
            databases.forEach(SharedPostgres::drop);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        List<Figure> figures = table.figures();
        List<String> names = figures.stream().map(Figure::name).toList();
        String all = String.join("\n", names);
        for (String figure : List.of("NC year end to end", "small workbooks", "hub time per small file",
                "-row vendor file", "OneRoster first load", "OneRoster bulk with 1 % of rows changed", "matching",
                "scale 0.02 → 0.03", "peak heap used")) {
            assertEquals(1, names.stream().filter(n -> n.contains(figure)).count(), figure + " in\n" + all);
        }
        assertEquals(9, figures.size(), all);
        for (Figure f : figures) {
            assertFalse(f.met().equals("failed"), f.name() + ": " + f.measured() + "\n" + log.toString(StandardCharsets.UTF_8));
            assertTrue(f.met().equals("yes") || f.met().equals("no"), f.toString());
            assertTrue(printed.contains(f.name()), f.name());
            if (!f.name().startsWith("peak heap")) {
                assertTrue(f.baseline().startsWith("COPY"), f.toString());
                assertTrue(f.ratio().endsWith("×"), f.toString());
            }
        }
        // the table's header, rule and a line per figure; the CSV the same lines
        assertTrue(printed.contains("figure") && printed.contains("baseline") && printed.contains("ratio"), printed);
        List<String> rows = Files.readAllLines(csv);
        assertEquals(figures.size() + 1, rows.size(), String.join("\n", rows));
        assertEquals("figure,target,measured,baseline,ratio,met", rows.get(0));
        Files.delete(csv);
        // no student data in what the bench prints: the state IDs the generator gives are 10 digits from 1000000000
        assertFalse(printed.matches("(?s).*\\b1\\d{9}\\b.*"), "a state ID in the bench's figures");
        assertEquals(before, benchFolders(tmp), "the bench left a temporary folder");
    }

    /**
     * The generated state cut down to its roster, two certexam files and one workbook (the suite's time: the whole
     * state at 0.02 has 218 files, API pulls and district entries, two minutes of ingest on the shared machine).
     */
    private static void fewFiles(Path state) throws java.io.IOException {
        delete(state.resolve("api"));
        delete(state.resolve("district"));
        Files.deleteIfExists(state.resolve("truth.csv"));
        try (Stream<Path> feeds = Files.list(state.resolve("sftp"))) {
            for (Path feed : feeds.toList()) {
                int keep = switch (feed.getFileName().toString()) {
                    case "certexam" -> 2;
                    case "skillsxlsx" -> 1;
                    default -> 0;
                };
                try (Stream<Path> files = Files.list(feed)) {
                    for (Path f : files.sorted().skip(keep).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    private static void delete(Path p) throws java.io.IOException {
        if (Files.exists(p)) {
            org.credentialhub.support.Fixtures.deleteTree(p);
        }
    }

    private static Set<Path> benchFolders(Path tmp) throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("hub-bench-")).collect(Collectors.toSet());
        }
    }
}
