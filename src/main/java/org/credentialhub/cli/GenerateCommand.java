package org.credentialhub.cli;

import org.credentialhub.generate.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Write a synthetic state (OneRoster roster, vendor files, API fixtures, district entries, truth, "
                + "district decisions) whose counts reproduce a scenario's published attainment tables.")
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--scenario", defaultValue = "nc-2024-25", description = "Scenario (default ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed; the same seed gives the same files.")
    long seed;

    @Option(names = "--scale", defaultValue = "1", description = "Fraction of the state, e.g. 0.05 (default 1).")
    BigDecimal scale;

    @Option(names = "--out", required = true, description = "Folder to write (must be empty or absent).")
    Path out;

    @Option(names = "--shared", defaultValue = "../shared",
            description = "Shared data folder (published tables, names; default ${DEFAULT-VALUE}).")
    Path shared;

    @Option(names = "--catalog", description = "Catalog folder (default: config/catalog/nc/2024-2025).")
    Path catalog;

    @Override
    public Integer call() throws Exception {
        // Apache POI logs through the Log4j API; without a provider it complains on stderr
        System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        Generator.Inputs in = Generator.Inputs.of(scenario, Path.of(""), shared);
        if (catalog != null) {
            in = new Generator.Inputs(catalog, in.table10(), in.table11(), in.people());
        }
        long start = System.nanoTime();
        Generator.Summary s = new Generator(in, scenario, seed, scale)
                .generate(out, line -> System.err.println("generate: " + line));
        System.err.printf("generate: done in %.1f s: %d districts, %d students, %d enrollments, earned %d of potential %d%n",
                (System.nanoTime() - start) / 1e9, s.districts(), s.students(), s.enrollments(), s.earned(), s.potential());
        return 0;
    }
}
