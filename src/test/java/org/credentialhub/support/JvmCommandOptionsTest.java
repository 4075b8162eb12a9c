package org.credentialhub.support;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM options {@code ./hub} gives a command that ends ({@code config/jvm-command.options} with
 * {@code config/jit-directives.json}): a JVM starts with them (a directive the JVM cannot parse stops every command),
 * compiles the JDK's SHA-256 and Commons CSV's lexer with the optimizing JIT (level 4), and leaves the program's other
 * methods to the quick JIT (not compilable at level 4, compiled at level 1); {@link Jit#optimizing()} says so, which picks the platform's Mac
 * and AES-GCM.
 */
class JvmCommandOptionsTest {
    @Test
    void aCommandsJvmCompilesTheCryptoAndCsvParsingWithTheOptimizingJit() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "@config/jvm-command.options",
                "-XX:+PrintCompilation", "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "the JVM did not start with the command's options");
        assertTrue(text.contains("compiler directives added"), "the directives were not read");
        assertTrue(text.contains("optimizing: true, C2 where config/jit-directives.json keeps it, C1 otherwise"),
                "Jit under the command's options: " + text.lines().filter(l -> l.contains("optimizing")).toList());
        assertTrue(compiledAt(text, 4, "sun.security.provider.SHA2::implCompress0")
                        || compiledAt(text, 4, "sun.security.provider.DigestBase::implCompressMultiBlock0"),
                "SHA-256 was not compiled by the optimizing JIT");
        assertTrue(compiledAt(text, 4, "org.apache.commons.csv.Lexer::nextToken"),
                "Commons CSV's lexer was not compiled by the optimizing JIT");
        String own = Probe.class.getName() + "::mix";
        assertTrue(text.contains("made not compilable on level 4  " + own), "the probe's own method went to C2");
        assertTrue(compiledAt(text, 1, own), "the probe's own method was not compiled by the quick JIT");
        assertFalse(compiledAt(text, 4, own));
    }

    /** Whether -XX:+PrintCompilation shows a compilation of the method at the level (its lines: time, id, flags, level, method). */
    private static boolean compiledAt(String text, int level, String method) {
        return text.lines().filter(l -> !l.startsWith("made not compilable")).anyMatch(l -> {
            String[] f = l.trim().split("\\s+");
            for (int i = 2; i + 1 < f.length; i++) {
                if (f[i].equals(String.valueOf(level)) && f[i + 1].equals(method)) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Hashes 64 MB, parses 100,000 CSV records and runs a loop of its own, then says which JIT {@link Jit} sees. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            byte[] block = new byte[1 << 16];
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long sum = 0;
            for (int i = 0; i < 1024; i++) {
                sha.update(block);
                sum += mix(i);
            }
            StringBuilder csv = new StringBuilder();
            for (int i = 0; i < 100_000; i++) {
                csv.append("e").append(i).append(",active,\"2024-08-01\",c").append(i % 97).append('\n');
            }
            try (var parser = org.apache.commons.csv.CSVFormat.RFC4180.parse(new java.io.StringReader(csv.toString()))) {
                for (var rec : parser) {
                    sum += rec.get(3).length();
                }
            }
            System.out.println("digest " + sha.digest()[0] + " " + sum + " optimizing: " + Jit.optimizing() + ", "
                    + Jit.describe());
        }

        static long mix(int x) {
            long s = x;
            for (int i = 0; i < 1000; i++) {
                s = s * 31 + (s >>> 7) + i;
            }
            return s;
        }
    }
}
