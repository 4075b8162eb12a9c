package org.credentialhub.cli;

import org.credentialhub.generate.Generator;
import org.credentialhub.support.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Write a synthetic state (OneRoster roster, vendor files, API fixtures, district entries, truth, "
                + "district decisions) whose counts reproduce a scenario's published attainment tables.")
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--scenario", defaultValue = "nc-2024-25", description = "Scenario (default ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed; the same seed gives the same files.")
    long seed;

    @Option(names = "--scale", defaultValue = "1", description = "Fraction (or multiple, up to 10) of the state, e.g. 0.05, or 5 for a state five times NC's size (default 1).")
    BigDecimal scale;

    @Option(names = "--out", required = true, description = "Folder to write (must be empty or absent).")
    Path out;

    @Option(names = "--reference",
            description = "Folder with the published tables and names, laid out like the hub's reference data "
                    + "(<scenario>/table10_…csv, <scenario>/table11_…csv, names/people.csv; default: the copy "
                    + "shipped with the hub, src/main/resources/reference).")
    Path reference;

    @Option(names = "--shared", description = "A folder laid out like the hand-over folder (data/<scenario>/…, "
            + "data/names/…): the same as --reference DIR/data.")
    Path shared;

    @Option(names = "--years", defaultValue = "1", description = "School years: 1 (2024-25 only, the default), or 2 or 3 "
            + "(also the one or two before it, illustrative figures: docs/generator.md).")
    int years;

    @Option(names = "--catalog", description = "Catalog folder (default: config/catalog/nc/2024-2025).")
    Path catalog;

    @Override
    public Integer call() throws Exception {
        // Apache POI logs through the Log4j API; without a provider it complains on stderr
        System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        try {
            Generator.Inputs in = reference != null ? Generator.Inputs.of(scenario, Path.of(""), reference)
                    : shared != null ? Generator.Inputs.of(scenario, Path.of(""), shared.resolve("data"))
                    : Generator.Inputs.of(scenario, Path.of(""));
            if (catalog != null) {
                in = new Generator.Inputs(catalog, in.table10(), in.table11(), in.people(), in.groups());
            }
            Optional<Path> missing = in.missing();
            if (missing.isPresent()) {
                return Exit.error("generate", "no such file or folder: " + missing.get());
            }
            long start = System.nanoTime();
            Generator.Summary s = new Generator(in, scenario, seed, scale).years(years)
                    .generate(out, line -> System.err.println("generate: " + line));
            System.err.printf("generate: done in %.1f s: %d districts, %d students, %d enrollments, earned %d of potential %d%n",
                    (System.nanoTime() - start) / 1e9, s.districts(), s.students(), s.enrollments(), s.earned(), s.potential());
            return 0;
        } catch (NoSuchFileException e) {
            return Exit.error("generate", "no such file or folder: " + e.getFile());
        } catch (IOException | IllegalArgumentException | ConfigException e) {
            return Exit.error("generate", e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }
}
