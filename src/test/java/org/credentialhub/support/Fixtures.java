package org.credentialhub.support;

import org.credentialhub.accounts.Role;
import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.roster.RosterLoader;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

/**
 * A small two-district world for web tests: a roster in districts 910 and 920, accounts of every role,
 * and one certexam delivery whose rows without a state ID become exceptions of each district.
 */
public final class Fixtures {
    public static final String PASSWORD = "correct-horse-battery";

    /** Roster students of the intake tests, known there by state ID (Ana's name with its accent). */
    public static final RosterLoader.Student ANA = new RosterLoader.Student("1000000001", "Ana", "Peña", LocalDate.of(2007, 5, 1), "910", "910301");
    public static final RosterLoader.Student BEN = new RosterLoader.Student("1000000002", "Ben", "Okafor", LocalDate.of(2008, 1, 9), "910", "910301");
    public static final RosterLoader.Student CARA = new RosterLoader.Student("1000000003", "Cara", "Lopez", LocalDate.of(2007, 11, 23), "920", "920301");

    private Fixtures() {
    }

    public static void twoDistricts(TestHub hub) throws Exception {
        try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
            st.execute("insert into district values ('910', 'Demo City Schools'), ('920', 'Demo County Schools')");
            st.execute("insert into school values ('910301', '910', 'Riverside High'), ('920301', '920', 'Pine Ridge High')");
        }
        hub.runtime.services().roster.load(List.of(
                new RosterLoader.Student("2000000001", "Maria", "Alvarez", LocalDate.of(2007, 3, 4), "910", "910301"),
                new RosterLoader.Student("2000000002", "Jamal", "Brooks", LocalDate.of(2008, 6, 7), "910", "910301"),
                new RosterLoader.Student("2000000003", "Lena", "Chen", LocalDate.of(2007, 9, 10), "920", "920301"),
                new RosterLoader.Student("2000000004", "Omar", "Dawson", LocalDate.of(2008, 1, 2), "920", "920301")));
        var accounts = hub.runtime.services().accounts;
        accounts.create("ops1", Role.OPS, null, null, PASSWORD, "test");
        accounts.create("staff910", Role.DISTRICT_STAFF, "910", null, PASSWORD, "test");
        accounts.create("admin910", Role.DISTRICT_ADMIN, "910", null, PASSWORD, "test");
        accounts.create("staff920", Role.DISTRICT_STAFF, "920", null, PASSWORD, "test");
        accounts.create("vendor-certexam", Role.VENDOR, null, "certexam", PASSWORD, "test");
        accounts.create("vendor-other", Role.VENDOR, null, "tradesreg", PASSWORD, "test");
        String file = "\uFEFFcandidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,examFormId,"
                + "deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n"
                + "K1,,Tomas,Nadie,,2006-12-30,Premiere,CE-420CC,F1,2025-02-03T09:00:00-05:00,Pass,800,700,40,50,80,910301,Riverside High\r\n"
                + "K2,,Ana,Ninguno,,2005-01-15,Premiere,CE-420CC,F1,2025-02-04T09:00:00-05:00,Pass,800,700,40,50,80,910301,Riverside High\r\n"
                + "K3,,Jo,Nobody,,2006-02-20,Premiere,CE-420CC,F1,2025-02-05T09:00:00-05:00,Pass,800,700,40,50,80,920301,Pine Ridge High\r\n"
                + "K4,2000000004,Omar,Dawson,,2008-01-02,Premiere,CE-420CC,F1,2025-02-06T09:00:00-05:00,Pass,800,700,40,50,80,920301,Pine Ridge High\r\n";
        try (SftpUpload up = new SftpUpload("127.0.0.1", hub.sftpPort(), "certexam", TestHub.CERTEXAM_PASSWORD)) {
            up.put("inbox/certexam_results_20250210.csv", file.getBytes(StandardCharsets.UTF_8));
        }
        TestHub.await("three exceptions", Duration.ofSeconds(40),
                () -> hub.count("select count(*) from result_exception") == 3);
    }

    /** A folder's files (not its subfolders), by name, as the bytes of one zip file: a OneRoster bundle to drop. */
    public static byte[] zip(java.nio.file.Path dir) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bytes);
             java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path f : files.sorted().toList()) {
                z.putNextEntry(new java.util.zip.ZipEntry(f.getFileName().toString()));
                java.nio.file.Files.copy(f, z);
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Deletes a test's temporary folder and everything in it. */
    public static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
        org.credentialhub.support.PrivateFiles.deleteTree(dir);
    }

    /** Closes each that was opened (nulls skipped), in order: a test class's hub, servers and clients. */
    public static void closeAll(AutoCloseable... opened) throws Exception {
        for (AutoCloseable c : opened) {
            if (c != null) {
                c.close();
            }
        }
    }
}
