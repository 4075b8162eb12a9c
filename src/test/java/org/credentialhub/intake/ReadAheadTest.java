package org.credentialhub.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.credentialhub.mapping.Mapping;
import org.credentialhub.mapping.Mappings;
import org.credentialhub.mapping.RecordReader;
import org.credentialhub.mapping.SourceRow;
import org.junit.jupiter.api.Test;

/**
 * Staging reads, maps and checks a file's rows on a thread of their own ({@link ReadAhead}): the rows, their
 * rejections and the file's failures come out as reading the file directly gives them, in its order, across many
 * batches; a failure comes after the rows before it; closing stops the reading thread.
 */
class ReadAheadTest {
    private static final Mapping CERTEXAM = Mappings.load(Path.of("mappings")).get("certexam");
    private static final String HEADER = "candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,"
            + "examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,"
            + "testCenterName\r\n";

    @Test
    void rowsComeInTheFilesOrderWithTheirRejections() throws Exception {
        byte[] file = file(2_000, 0, true);
        List<String> direct = direct(file);
        assertEquals(2_000, direct.size());
        assertTrue(direct.stream().filter(s -> s.startsWith("rejected")).count() > 250, "every seventh row is rejected");
        assertEquals(direct, ahead(file));
    }

    @Test
    void aFailureOfTheReaderComesAfterTheRowsBeforeIt() throws Exception {
        byte[] file = file(2_000, 1_500, true);   // bytes that are no UTF-8 in row 1,500
        List<String> direct = direct(file);
        assertTrue(direct.get(direct.size() - 1).startsWith("failed"), direct.get(direct.size() - 1));
        assertTrue(direct.size() > 1_000, "the rows before the bad bytes come first");
        assertEquals(direct, ahead(file));
    }

    @Test
    void aCheckOfTheWholeFileComesAfterItsRows() throws Exception {
        byte[] file = file(1_000, 0, false);   // the last record is not ended: the file was cut short
        List<String> direct = direct(file);
        assertTrue(direct.get(direct.size() - 1).startsWith("failed"), direct.get(direct.size() - 1));
        assertEquals(direct, ahead(file));
    }

    @Test
    void closingStopsTheReadingThread() throws Exception {
        byte[] file = file(100_000, 0, true);
        try (RecordReader reader = CERTEXAM.open(new ByteArrayInputStream(file), "certexam_results_20250301.csv")) {
            ReadAhead rows = new ReadAhead(reader, CERTEXAM, Intake.Hooks.NONE);
            assertNotNull(rows.next());
            rows.close();   // the staging gave up after one row: the thread reading ahead stops, its queue full
            assertFalse(rows.reading());
        }
    }

    /** The file's rows as the staging loop sees them when it reads and maps them itself. */
    private static List<String> direct(byte[] file) {
        List<String> out = new ArrayList<>();
        int read = 0;
        try (RecordReader reader = CERTEXAM.open(new ByteArrayInputStream(file), "certexam_results_20250301.csv")) {
            SourceRow row;
            while ((row = reader.next()) != null) {
                read++;
                Mapping.Outcome o = CERTEXAM.apply(row);
                out.add(o.accepted() ? "row " + o.result().row() + " " + o.result().attemptKey()
                        : "rejected " + o.rejections());
            }
            reader.finish(read);
        } catch (Exception e) {
            out.add("failed " + e.getClass().getName() + ": " + e.getMessage());
        }
        return out;
    }

    /** The same through {@link ReadAhead}. */
    private static List<String> ahead(byte[] file) {
        List<String> out = new ArrayList<>();
        try (RecordReader reader = CERTEXAM.open(new ByteArrayInputStream(file), "certexam_results_20250301.csv");
             ReadAhead rows = new ReadAhead(reader, CERTEXAM, Intake.Hooks.NONE)) {
            ReadAhead.Row r;
            while ((r = rows.next()) != null) {
                out.add(r.rejections() == null ? "row " + r.result().row() + " " + r.result().attemptKey()
                        : "rejected " + r.rejections());
            }
        } catch (Exception e) {
            out.add("failed " + e.getClass().getName() + ": " + e.getMessage());
        }
        return out;
    }

    /**
     * {@code n} certexam rows of made-up people (no one's data), every seventh with a birth date that is no date; bytes
     * that are not UTF-8 in row {@code badAt} (0: none); the last record ended or not.
     */
    private static byte[] file(int n, int badAt, boolean ended) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HEADER.getBytes(StandardCharsets.UTF_8));
        for (int i = 1; i <= n; i++) {
            String born = i % 7 == 0 ? "someday" : String.format("2007-%02d-%02d", 1 + i % 12, 1 + i % 28);
            String line = "C" + i + ",,Test" + (i % 50) + ",Person" + (i % 40) + ",," + born + ",Exam,CE-1,F1,"
                    + String.format("2025-02-%02dT09:00:00-05:00", 1 + i % 28) + ",Pass,800,700,40,50,80,910301,School";
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
            if (i == badAt) {
                out.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28});
            }
            if (i < n || ended) {
                out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
