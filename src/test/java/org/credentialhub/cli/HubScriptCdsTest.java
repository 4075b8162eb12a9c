package org.credentialhub.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./hub}'s class data sharing for a command that ends: the first run of a command after a build writes the
 * command's archive of the classes it loaded ({@code target/cds/<command>.jsa}), later runs load their classes from
 * it, an archive older than the jar is made again, a run killed before its end leaves no archive, and none of this
 * shows a word of the JVM's about archives. Run on a
 * copy of the script beside a small jar of its own (the hub's jar is made after the tests).
 */
class HubScriptCdsTest {
    /** The small jar's program: says hello, exits with the status it is given. */
    public static final class Hello {
        public static void main(String[] args) throws Exception {
            System.out.println("hello " + String.join(" ", args));
            if (args.length > 1 && args[1].equals("137")) {
                // killed: no shutdown, no archive written
                new ProcessBuilder("kill", "-9", String.valueOf(ProcessHandle.current().pid())).start().waitFor();
                Thread.sleep(60_000);
            }
            System.exit(args.length > 1 ? Integer.parseInt(args[1]) : 0);
        }
    }

    @Test
    void aCommandsClassesComeFromItsArchiveAfterItsFirstRun(@TempDir Path dir) throws Exception {
        Path hub = dir.resolve("hub");
        Files.copy(Path.of("hub"), hub);
        Files.createDirectories(dir.resolve("config"));
        Files.copy(Path.of("config/jvm-command.options"), dir.resolve("config/jvm-command.options"));
        Files.copy(Path.of("config/jit-directives.json"), dir.resolve("config/jit-directives.json"));
        Files.createDirectories(dir.resolve("src/main"));
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        FileTime past = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(dir.resolve("src/main"), past);
        Files.setLastModifiedTime(dir.resolve("pom.xml"), past);
        Path jar = dir.resolve("target/credential-hub.jar");
        writeJar(jar);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(1800)));
        Path archive = dir.resolve("target/cds/greet.jsa");

        // a first run killed (kill -9) writes no archive and leaves nothing behind
        String killed = run(hub, Map.of(), "greet", "137");
        assertTrue(killed.contains("hello greet 137"), killed);
        assertFalse(Files.exists(archive.getParent()) && Files.list(archive.getParent()).findAny().isPresent(),
                "a killed run left an archive or a part of one");

        String first = run(hub, Map.of(), "greet", "0");
        assertTrue(first.contains("hello greet 0"), first);
        assertTrue(Files.size(archive) > 0, "the first run wrote the command's archive");
        try (var left = Files.list(archive.getParent())) {
            assertEquals(List.of(archive), left.toList(), "only the archive is left, under its own name");
        }

        String second = run(hub, Map.of("HUB_JAVA_OPTS", "-Xlog:class+load=info"), "greet", "3");
        assertTrue(second.contains("hello greet 3"), second);
        assertTrue(second.lines().anyMatch(l -> l.contains(Hello.class.getName())
                && l.contains("source: shared objects file (top)")), "the program's class came from the archive");

        // a new jar: its first run makes the archive again, without a word about the old one
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(1800)));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        String third = run(hub, Map.of(), "greet", "0");
        assertTrue(Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0,
                "the archive was made again");
        for (String out : List.of(killed, first, second, third)) {
            assertFalse(out.contains("[cds") || out.contains("shared archive"), out);
        }
    }

    /** Runs the script; returns its output, after checking that its status is the program's. */
    private static String run(Path hub, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", hub.toString(), args[0], args[1]))
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(Integer.parseInt(args[1]), p.exitValue(), out);
        return out;
    }

    private static void writeJar(Path jar) throws Exception {
        Files.createDirectories(jar.getParent());
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Hello.class.getName());
        String entry = Hello.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m);
             InputStream in = HubScriptCdsTest.class.getClassLoader().getResourceAsStream(entry)) {
            j.putNextEntry(new JarEntry(entry));
            in.transferTo(j);
            j.closeEntry();
        }
    }
}
