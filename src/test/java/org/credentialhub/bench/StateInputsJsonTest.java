package org.credentialhub.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench's COPY baseline turns an API page into one line per record. At {@code --scale 5} the badges page is 350 MB
 * and reading it whole as a tree ran out of the bench's 1-GB heap after the hub's ingest had finished; it is read as a
 * stream: a page twice the child JVM's heap goes through.
 */
class StateInputsJsonTest {

    @Test
    void recordsOfEachShapeOfPage(@TempDir Path dir) throws Exception {
        assertEquals(List.of("{\"a\":1}", "{\"a\":[2,3]}"), lines(dir, "{\"meta\":{\"n\":2},\"credentials\":[{\"a\":1},{\"a\":[2,3]}]}", "credentials"));
        assertEquals(List.of("{\"b\":\"x\"}"), lines(dir, "[{\"b\":\"x\"}]", null));
        // the named field absent: the page's first array
        assertEquals(List.of("{\"c\":1}"), lines(dir, "{\"n\":1,\"items\":[{\"c\":1}],\"other\":[{\"d\":2}]}", "data"));
        // the named field after another array: the named one
        assertEquals(List.of("{\"d\":2}"), lines(dir, "{\"items\":[{\"c\":1}],\"data\":[{\"d\":2}]}", "data"));
        assertEquals(List.of(), lines(dir, "{\"n\":1}", "data"));
    }

    @Test
    void aPageLargerThanTheHeapGoesThrough(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("page.json");
        int records = 400_000;
        try (BufferedWriter w = Files.newBufferedWriter(page, StandardCharsets.UTF_8)) {
            w.write("{\"total\":" + records + ",\"credentials\":[");
            for (int i = 0; i < records; i++) {
                w.write((i > 0 ? "," : "") + "{\"id\":\"urn:uuid:" + i + "\",\"name\":\"Badge " + i
                        + "\",\"credentialSubject\":{\"identifier\":[{\"type\":\"IdentityObject\",\"identityHash\":\"h" + i
                        + "\"}],\"result\":[{\"value\":\"pass\"}]},\"issuanceDate\":\"2025-01-01T00:00:00Z\"}");
            }
            w.write("]}");
        }
        assertTrue(Files.size(page) > 64L << 20, "the page is larger than the child's heap");
        Path out = dir.resolve("out.txt");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), Child.class.getName(), page.toString(), out.toString())
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), text);
        try (var s = Files.lines(out)) {
            assertEquals(records, s.count());
        }
    }

    private static List<String> lines(Path dir, String json, String field) throws Exception {
        Path page = Files.writeString(dir.resolve("p.json"), json);
        Path out = dir.resolve("p.txt");
        StateInputs.jsonLines(page, field, out);
        return new ArrayList<>(Files.readAllLines(out));
    }

    public static final class Child {
        public static void main(String[] args) throws Exception {
            StateInputs.jsonLines(Path.of(args[0]), "credentials", Path.of(args[1]));
        }
    }
}
