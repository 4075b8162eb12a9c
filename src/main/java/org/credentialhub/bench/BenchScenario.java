package org.credentialhub.bench;

import java.math.BigDecimal;
import java.nio.file.Path;
import org.credentialhub.generate.Generator;

/** The generated state a bench starts from: {@code ./hub generate --scenario S --seed N --scale F}. */
public record BenchScenario(String scenario, long seed, BigDecimal scale) {

    /** The generator of this state, on the hub's own reference data. */
    Generator generator() {
        return new Generator(Generator.Inputs.of(scenario, Path.of("")), scenario, seed, scale);
    }

    /** "scenario S seed N scale F", for a bench's log. */
    String describe() {
        return "scenario " + scenario + " seed " + seed + " scale " + Figure.scale(scale);
    }
}
