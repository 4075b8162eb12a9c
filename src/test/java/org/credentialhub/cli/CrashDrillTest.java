package org.credentialhub.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crash drill in the suite, kept small (the suite's time): a generated state cut down to the SIS bundle, a
 * dozen of one vendor's files and the district entries; the hub killed with SIGKILL in the middle of ingest, restarted, and the
 * run compared with an uninterrupted one. {@code ./hub drill --points 20} runs it over the whole state.
 */
@Tag("crash")
class CrashDrillTest {

    @Test
    void runsKilledAtAnyPointEndAsTheUninterruptedRunDoes() throws Exception {
        Path work = Files.createTempDirectory("hub-drill");
        Path state = work.resolve("state");
        assertEquals(0, new CommandLine(new Hub()).execute("generate", "--scenario", "nc-2024-25", "--seed", "5",
                "--scale", "0.02", "--out", state.toString()));
        // keep the SIS bundle, the district entries and one vendor's first twelve files (of its 54 weekly files, taken
        // one at a time: the drill's class took 145 s in a suite run with all of them, 111-128 s with twelve)
        delete(state.resolve("api"));
        try (Stream<Path> feeds = Files.list(state.resolve("sftp"))) {
            for (Path feed : feeds.toList()) {
                if (!List.of("certexam").contains(feed.getFileName().toString())) {
                    delete(feed);
                }
            }
        }
        try (Stream<Path> files = Files.list(state.resolve("sftp").resolve("certexam"))) {
            for (Path f : files.sorted().skip(12).toList()) {
                Files.delete(f);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream was = System.out;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine hub = new CommandLine(new Hub());
            // an exception of the drill itself shows in the failure too
            hub.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
            code = hub.execute("drill", "--state", state.toString(), "--work",
                    work.resolve("runs").toString(), "--points", "1", "--steps", "ingest", "--seed", "3");
        } finally {
            System.setOut(was);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, code, printed);
        assertTrue(printed.contains("drill: 1/1 runs identical to the uninterrupted run (1 killed a running command)"), printed);
        delete(work);
    }

    @Test
    void aFailedCommandShowsItsLogsWarningsErrorsAndTraces() throws Exception {
        Path log = Files.createTempFile("drill", ".log");
        Files.writeString(log, String.join("\n",
                "12:00:00.000 INFO  o.a.c.main.MainSupport - Apache Camel is starting",
                "12:00:01.000 WARN  o.c.intake.Intake - Feed certexam: a warning",
                "12:00:02.000 INFO  o.c.store.Database - Started",
                "Exception in thread \"main\" java.lang.IllegalStateException: broken",
                "\tat org.credentialhub.cli.IngestCommand.call(IngestCommand.java:1)",
                "Caused by: java.net.BindException: Address already in use",
                "\t... 3 more",
                "12:00:03.000 INFO  o.c.store.Database - Stopped", ""));
        assertEquals(List.of(
                "12:00:01.000 WARN  o.c.intake.Intake - Feed certexam: a warning",
                "Exception in thread \"main\" java.lang.IllegalStateException: broken",
                "\tat org.credentialhub.cli.IngestCommand.call(IngestCommand.java:1)",
                "Caused by: java.net.BindException: Address already in use",
                "\t... 3 more"), DrillCommand.excerpt(log));
        Files.delete(log);
    }

    private static void delete(Path p) throws Exception {
        if (Files.exists(p)) {
            org.credentialhub.support.Fixtures.deleteTree(p);
        }
    }
}
