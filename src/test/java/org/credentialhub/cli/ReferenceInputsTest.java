package org.credentialhub.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.credentialhub.generate.Generator;
import org.credentialhub.support.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
        Run r = run(new GenerateCommand(), "--seed", "5", "--scale", "0.02", "--out", tmp.resolve("out").toString(),
                "--reference", tmp.resolve("absent").toString());
        assertEquals(2, r.code);
        assertEquals("generate: no such file or folder: "
                + tmp.resolve("absent/nc-2024-25/table10_attainment_by_psu.csv"), r.text.strip());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");

        Run b = run(new BenchCommand.Linkage(), "--data", tmp.resolve("absent").toString());
        assertEquals(2, b.code);
        assertEquals("bench linkage: no such folder: " + tmp.resolve("absent"), b.text.strip());
    }

    private record Run(int code, String text) {
    }

    private static Run run(Object command, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int code;
        try (PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            System.setErr(ps);
            code = new CommandLine(command).execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Run(code, console.toString(StandardCharsets.UTF_8));
    }
}
