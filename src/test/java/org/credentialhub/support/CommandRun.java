package org.credentialhub.support;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A picocli command run in the test's JVM with System.out and System.err captured: its exit code and all it printed
 * (and logged: logback's default console appender, or SLF4J's stderr fallback, writes there too).
 */
public record CommandRun(int code, String text) {

    public static CommandRun of(Object command, String... args) {
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
        return new CommandRun(code, console.toString(StandardCharsets.UTF_8));
    }
}
