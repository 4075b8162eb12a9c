package org.credentialhub.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The next bulk export of a synthetic OneRoster bundle ({@code sis.SyntheticBundle}) with one row in
 * {@code every} of users, demographics and enrollments changed (every = 100: 1 %): a student's grade, a student's
 * sex, an enrollment's end date; the manifest marks it as another export, so it is imported, not skipped as a
 * duplicate. Every other file and row is the same.
 */
final class ChangedBundle {
    private ChangedBundle() {
    }

    /** Writes the changed bundle to {@code to}; returns the number of rows changed. */
    static long write(Path from, Path to, int every) throws IOException {
        Files.createDirectories(to);
        long changed = 0;
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                Path out = to.resolve(name);
                switch (name) {
                    case "users.csv" -> changed += rewrite(f, out, every, ChangedBundle::otherGrade);
                    case "demographics.csv" -> changed += rewrite(f, out, every, ChangedBundle::otherSex);
                    case "enrollments.csv" -> changed += rewrite(f, out, every, ChangedBundle::earlierEnd);
                    case "manifest.csv" -> Files.writeString(out, Files.readString(f, StandardCharsets.UTF_8)
                            + "source.exportedAt,2025-01-15T00:00:00Z\n", StandardCharsets.UTF_8);
                    default -> Files.copy(f, out);
                }
            }
        }
        return changed;
    }

    private interface Change {
        /** The changed line, or the same line when it has nothing to change. */
        String apply(String line);
    }

    private static long rewrite(Path in, Path out, int every, Change change) throws IOException {
        long n = 0;
        long changed = 0;
        try (BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8);
             BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            String line = r.readLine();
            if (line != null) {
                w.write(line);   // the header
                w.write('\n');
            }
            while ((line = r.readLine()) != null) {
                if (n++ % every == every / 2) {
                    String c = change.apply(line);
                    changed += c.equals(line) ? 0 : 1;
                    line = c;
                }
                w.write(line);
                w.write('\n');
            }
        }
        return changed;
    }

    /** users.csv rows end with {@code ,<grade>,,N} (grades, password, ext_lunch): the next grade (12 becomes 11). */
    private static String otherGrade(String line) {
        int end = line.lastIndexOf(",,");
        int start = line.lastIndexOf(',', end - 1);
        if (end < 0 || start < 0) {
            return line;
        }
        String grade = line.substring(start + 1, end);
        String other = switch (grade) {
            case "9" -> "10";
            case "10" -> "11";
            case "11" -> "12";
            case "12" -> "11";
            default -> grade;
        };
        return line.substring(0, start + 1) + other + line.substring(end);
    }

    private static String otherSex(String line) {
        return line.contains(",female,") ? line.replaceFirst(",female,", ",male,") : line.replaceFirst(",male,", ",female,");
    }

    private static String earlierEnd(String line) {
        return line.replaceFirst(",2025-06-06,", ",2025-05-30,");
    }
}
