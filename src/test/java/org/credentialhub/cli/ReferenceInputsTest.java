package org.credentialhub.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.credentialhub.generate.Generator;
import org.credentialhub.support.CommandRun;
import org.credentialhub.support.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inputs of {@code generate} and {@code bench} come with the hub; a missing one is a one-line error. */
class ReferenceInputsTest {

    @Test
    void generateReadsTheShippedReferenceData() {
        Generator.Inputs in = Generator.Inputs.of("nc-2024-25", Path.of(""));
        assertEquals(java.util.Optional.empty(), in.missing());
        assertTrue(in.table10().startsWith(Reference.root()), in.table10().toString());
        assertTrue(in.people().startsWith(Reference.root()), in.people().toString());
        assertTrue(Files.isDirectory(Reference.path("linkage/febrl-dsgen")));
    }

    @Test
    void aMissingInputIsOneLine(@TempDir Path tmp) {
        CommandRun r = CommandRun.of(new GenerateCommand(), "--seed", "5", "--scale", "0.02",
                "--out", tmp.resolve("out").toString(), "--reference", tmp.resolve("absent").toString());
        assertEquals(2, r.code());
        assertEquals("generate: no such file or folder: "
                + tmp.resolve("absent/nc-2024-25/table10_attainment_by_psu.csv"), r.text().strip());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");

        CommandRun b = CommandRun.of(new BenchCommand.Linkage(), "--data", tmp.resolve("absent").toString());
        assertEquals(2, b.code());
        assertEquals("bench linkage: no such folder: " + tmp.resolve("absent"), b.text().strip());
    }

    @Test
    void aScaleTooSmallForTheTablesIsOneLine(@TempDir Path tmp) {
        CommandRun r = CommandRun.of(new GenerateCommand(), "--seed", "5", "--scale", "0.01",
                "--out", tmp.resolve("out").toString());
        assertEquals(2, r.code(), r.text());
        assertTrue(r.text().strip().endsWith("generate: the scaled tables' earned counts cannot be placed in the"
                + " districts' classes (30 tries): the scale is too small for them; a larger --scale (0.02 or more) works"),
                r.text());
        assertFalse(r.text().contains("\tat "), "no stack trace: " + r.text());
    }
}
