package org.credentialhub.dropbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.sftp.client.SftpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listing of an inbox whose files are renamed meanwhile (a vendor's client uploads a file under a temporary name
 * and renames it, as SftpUpload and WinSCP do; the hub's intake moves each file it takes into {@code .taken/}) lists
 * what was there and never fails. The server read each entry's attributes again after reading the folder, and an entry
 * renamed in between failed the whole listing ("No such file or directory"): the hub's consumer then dropped its
 * connection and tried again at its next poll, a second or more later (2 to 3.5 s of the NC year's longest chain of
 * files, docs/performance.md, session 62).
 */
class DropBoxListingTest {

    @Test
    void aListingBesideRenamesListsWhatIsThereAndNeverFails(@TempDir Path dir) throws Exception {
        DropBox.Account vendor = new DropBox.Account("certexam", "vendor-password-0123", null);
        DropBox.Account service = new DropBox.Account("hub", "service-password-0123", null);
        try (DropBox box = new DropBox(dir.resolve("root"), "127.0.0.1", 0, dir.resolve("hostkey"), List.of(vendor),
                service)) {
            box.start();
            Path inbox = dir.resolve("root/certexam/inbox");
            // files that stay, with sizes and times a listing must tell as they are, and the intake's folder
            Files.createDirectories(inbox.resolve(".taken"));
            for (int i = 0; i < 20; i++) {
                Path f = inbox.resolve("kept-" + i + ".csv");
                Files.write(f, new byte[100 + i]);
                Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_000_000L + i * 1000L));
                Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread renames = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        Path part = inbox.resolve(".upload-" + i + ".part");
                        Files.write(part, new byte[10]);
                        Path file = inbox.resolve("moving-" + i + ".csv");
                        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
                        Files.move(file, inbox.resolve(".taken").resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "renames");
            renames.start();
            int listings = 0;
            int failed = 0;
            String failure = null;
            try (SftpUpload hub = new SftpUpload("127.0.0.1", box.port(), "hub", "service-password-0123")) {
                long until = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < until) {
                    listings++;
                    try {
                        Map<String, SftpClient.Attributes> listed = new HashMap<>();
                        for (SftpClient.DirEntry e : hub.sftp().readDir("certexam/inbox")) {
                            listed.put(e.getFilename(), e.getAttributes());
                        }
                        for (int i = 0; i < 20; i++) {
                            SftpClient.Attributes a = listed.get("kept-" + i + ".csv");
                            assertTrue(a != null && a.isRegularFile(), "a file that stays is listed as a file");
                            assertEquals(100 + i, a.getSize());
                            assertEquals(1_700_000_000_000L + i * 1000L, a.getModifyTime().toMillis());
                            assertEquals(0600, a.getPermissions() & 0777);
                        }
                        assertTrue(listed.get(".taken").isDirectory(), "the intake's folder is listed as a folder");
                    } catch (org.apache.sshd.sftp.common.SftpException | java.io.UncheckedIOException e) {
                        failed++;
                        failure = e.getMessage();
                    }
                }
            } finally {
                stop.set(true);
                renames.join();
            }
            assertTrue(listings > 50, "listings: " + listings);
            assertEquals(0, failed, failed + " of " + listings + " listings failed: " + failure);
        }
    }
}
