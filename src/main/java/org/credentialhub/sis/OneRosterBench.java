package org.credentialhub.sis;

import org.credentialhub.store.Database;
import org.credentialhub.support.Hmac;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Measures a OneRoster import at state scale on a private embedded PostgreSQL ({@code ./hub bench oneroster
 * --students N --enrollments-per-student K}, or
 * {@code java -cp 'target/credential-hub.jar:target/lib/*' org.credentialhub.sis.OneRosterBench 1500000 4}
 * (students, enrollments per student). Writes a synthetic bulk bundle in a temporary folder, imports it
 * three times (a first load; the same rows as a new export, a bulk replacing them; that export again, a
 * duplicate that is skipped), prints the times and removes everything.
 */
public final class OneRosterBench {
    private OneRosterBench() {
    }

    public static void main(String[] args) throws Exception {
        int students = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perStudent = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = Files.createTempDirectory("oneroster-bench");
        try {
            long t0 = System.nanoTime();
            SyntheticBundle.write(dir.resolve("bundle"), students, perStudent, 1);
            System.out.printf("bundle: %,d students, %,d enrollments written in %.1f s%n", students,
                    (long) students * perStudent, (System.nanoTime() - t0) / 1e9);
            try (Database db = Database.open(null, null, null, dir.resolve("data"), 0, 2)) {
                OneRosterImport importer = new OneRosterImport(db.dataSource(),
                        new Hmac("bench-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)), 7,
                        OneRosterImport.defaultStateIdTypes());
                Path bundle = dir.resolve("bundle");
                for (String run : new String[]{"first load", "bulk again (replaces)", "same bundle again"}) {
                    if (run.startsWith("bulk again")) {
                        markNewExport(bundle);
                    }
                    long t = System.nanoTime();
                    Verdict v = importer.importBundle(bundle);
                    double secs = (System.nanoTime() - t) / 1e9;
                    System.out.printf("%s: %s in %.1f s (%,.0f students/s, %,.0f enrollments/s), rows %s%n", run,
                            v.status(), secs, students / secs, (double) students * perStudent / secs, v.rows());
                }
            }
        } finally {
            org.credentialhub.support.PrivateFiles.deleteTree(dir);
        }
    }

    /** The same rows as a new export (another manifest property): not a duplicate, so imported as a bulk again. */
    private static void markNewExport(Path bundle) throws java.io.IOException {
        Path manifest = bundle.resolve("manifest.csv");
        Files.writeString(manifest, Files.readString(manifest) + "source.exportedAt," + System.currentTimeMillis() + "\n");
    }
}
