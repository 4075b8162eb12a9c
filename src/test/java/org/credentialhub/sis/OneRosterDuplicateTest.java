package org.credentialhub.sis;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Content idempotency: a bundle is known by its content, not by its zip. The same folder zipped again
 * (other timestamps, entry order, compression) is recorded as a duplicate of the delivery that took it
 * and skipped; a changed bundle is imported; the older content sent again after a change is imported
 * too (it changes the data back).
 */
class OneRosterDuplicateTest extends OneRosterTestCase {
    OneRosterDuplicateTest() {
        super("oneroster-duplicate");
    }

    @Test
    void sameContentRezippedIsADuplicateAndAChangeIsImported() throws Exception {
        Path folder = dir.resolve("roster");
        SyntheticBundle.write(folder, 30, 2, 5);
        Path first = zip(folder, dir.resolve("roster-1.zip"), Instant.parse("2024-09-01T06:00:00Z"), false, ZipOutputStream.DEFLATED);
        Path again = zip(folder, dir.resolve("roster-2.zip"), Instant.parse("2024-09-02T06:00:00Z"), true, ZipOutputStream.STORED);
        assertFalse(Arrays.equals(Files.readAllBytes(first), Files.readAllBytes(again)), "the zips themselves differ");

        Verdict v1 = importer.importBundle("sis", first, "roster-1.zip");
        assertTrue(v1.accepted(), () -> v1.problems().toString());
        assertNull(v1.duplicateOf());

        Verdict v2 = importer.importBundle("sis", again, "roster-2.zip");
        assertTrue(v2.duplicate());
        assertFalse(v2.accepted());
        assertEquals("duplicate", v2.status());
        assertEquals(v1.deliveryId(), v2.duplicateOf());
        assertEquals("duplicate", string("select status from delivery where delivery_id = " + v2.deliveryId()));
        assertEquals(v1.deliveryId(), count("select duplicate_of from delivery where delivery_id = " + v2.deliveryId()));
        assertTrue(string("select reason from delivery where delivery_id = " + v2.deliveryId()).startsWith("same content as roster-1.zip"));
        assertEquals(0, count("select count(*) from sis_enrollment where delivery_id <> " + v1.deliveryId()), "nothing re-imported");
        assertEquals("duplicate", SisIntake.toJson("sis", "roster-2.zip", v2).get("status"));
        // the folder itself holds the same content too
        assertTrue(importer.importBundle("sis", folder, "roster").duplicate());

        // one student renamed: a change, imported
        Path users = folder.resolve("users.csv");
        Files.writeString(users, Files.readString(users).replaceFirst("(usr-3,[^\\n]*?\\}\",)(\\w+),(\\w+),", "$1$2,Renamed,"));
        Verdict v3 = importer.importBundle("sis", zip(folder, dir.resolve("roster-3.zip"), Instant.parse("2024-09-03T06:00:00Z"),
                false, ZipOutputStream.DEFLATED), "roster-3.zip");
        assertTrue(v3.accepted(), () -> v3.problems().toString());
        assertNull(v3.duplicateOf());
        assertEquals(1, count("select count(*) from student where sourced_id = 'usr-3' and last_name = 'Renamed'"));

        // the first content again, after the change: it changes the data back, so it is imported
        Verdict v4 = importer.importBundle("sis", first, "roster-1-again.zip");
        assertTrue(v4.accepted(), () -> v4.problems().toString());
        assertEquals(0, count("select count(*) from student where last_name = 'Renamed'"));
        assertEquals(3, count("select count(*) from delivery where feed_code = 'sis' and status = 'accepted'"));
    }

    /** Zips a folder's files with the given entry times, in name order or reversed, stored or deflated. */
    private static Path zip(Path folder, Path zip, Instant time, boolean reversed, int method) throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = new ArrayList<>(list.sorted().toList());
        }
        if (reversed) {
            Collections.reverse(files);
        }
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.setMethod(method);
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                ZipEntry e = new ZipEntry(f.getFileName().toString());
                e.setLastModifiedTime(FileTime.from(time));
                if (method == ZipOutputStream.STORED) {
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(bytes);
                    e.setSize(bytes.length);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(bytes);
                z.closeEntry();
            }
        }
        return zip;
    }
}
