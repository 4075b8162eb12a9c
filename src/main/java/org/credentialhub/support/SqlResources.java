package org.credentialhub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SQL statements kept as classpath resources ({@code src/main/resources/sql/...}, one statement a file)
 * rather than built as strings in Java: loads one, read once and kept. A file's leading {@code --} lines
 * say what it is and are left out; the statement is the rest, as written (without the final newline).
 */
public final class SqlResources {
    private static final Map<String, String> LOADED = new ConcurrentHashMap<>();

    private SqlResources() {
    }

    /** The statement of {@code sql/<name>.sql} on the classpath, e.g. {@code sis/districts}. */
    public static String load(String name) {
        return LOADED.computeIfAbsent(name, SqlResources::read);
    }

    private static String read(String name) {
        String path = "sql/" + name + ".sql";
        try (InputStream in = SqlResources.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the hub has no SQL resource " + path);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
            int start = 0;
            while (start < text.length() && (text.startsWith("--", start) || text.startsWith("\n", start))) {
                int eol = text.indexOf('\n', start);
                start = eol < 0 ? text.length() : eol + 1;
            }
            return text.substring(start).stripTrailing();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the SQL resource " + path, e);
        }
    }
}
