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
 * A command that ends can be profiled: {@code HUB_JAVA_OPTS=-XX:StartFlightRecording=... ./hub <command>} (the way
 * docs/performance.md finds where time goes), after earlier runs of the same command, ends as the command does and
 * leaves its recording. Session 45's class-data archive of a command's classes made JDK 17 crash there (SIGSEGV in
 * {@code KlassFactory::check_shared_class_file_load_hook}, JDK-8343427): a class that exists only in a multi-release
 * jar's versioned folder, as the database driver's {@code LazyCleanerImpl} does, loaded from the archive while a class
 * file load hook is on (JFR's, started with the JVM or later by {@code jcmd JFR.start}; a Java agent's). Run on a copy of
 * the script beside a small multi-release jar of that shape (the hub's jar is made after the tests).
 */
class HubScriptProfilingTest {
    /** The small jar's program: loads its helper (a class of the jar's versioned folder only), exits with the status given. */
    public static final class Hello {
        public static void main(String[] args) throws Exception {
            Class<?> helper = Class.forName(Hello.class.getName() + "Helper");
            System.out.println("hello " + String.join(" ", args) + " " + helper.getName());
            System.exit(args.length > 1 ? Integer.parseInt(args[1]) : 0);
        }
    }

    /** The small jar's helper (in its versioned folder only). */
    public static final class HelloHelper {
    }

    @Test
    void aCommandRunUnderJfrAfterEarlierRunsEndsAsItDoes(@TempDir Path dir) throws Exception {
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

        String first = run(hub, Map.of(), "greet", "0");
        assertTrue(first.contains("hello greet 0 " + HelloHelper.class.getName()), first);
        String second = run(hub, Map.of(), "greet", "2");
        assertTrue(second.contains("hello greet 2"), second);

        Path recording = dir.resolve("greet.jfr");
        String profiled = run(hub, Map.of("HUB_JAVA_OPTS", "-XX:StartFlightRecording=filename=" + recording),
                "greet", "3");
        assertTrue(profiled.contains("hello greet 3"), profiled);
        assertTrue(Files.size(recording) > 0, "the recording was written");
        assertFalse(Files.exists(dir.resolve("target/cds")), "no class-data archive is kept");
    }

    /** Runs the script; returns its output, after checking that its status is the program's. */
    private static String run(Path hub, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", hub.toString(), args[0], args[1]))
                .directory(hub.getParent().toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(Integer.parseInt(args[1]), p.exitValue(), out);
        return out;
    }

    /**
     * A multi-release jar (as the database driver's is): the program at its usual place, its helper only in the
     * versioned folder of Java 9, where a Java 17 reads it.
     */
    private static void writeJar(Path jar) throws Exception {
        Files.createDirectories(jar.getParent());
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Hello.class.getName());
        m.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
        String program = Hello.class.getName().replace('.', '/') + ".class";
        String helper = HelloHelper.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            copy(j, program, program);
            copy(j, helper, "META-INF/versions/9/" + helper);
        }
    }

    private static void copy(JarOutputStream j, String resource, String entry) throws Exception {
        try (InputStream in = HubScriptProfilingTest.class.getClassLoader().getResourceAsStream(resource)) {
            j.putNextEntry(new JarEntry(entry));
            in.transferTo(j);
            j.closeEntry();
        }
    }
}
