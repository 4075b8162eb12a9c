package org.credentialhub.mapping;

import org.credentialhub.support.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MappingTest {
    private static final String VALID = """
            layout: demo
            source:
              format: delimited
              delimiter: "|"
              columns: [id, sid, dob, code, when, ok]
            attempt-key: [id, code, when]
            fields:
              vendor_candidate_id: { column: id }
              state_student_id: { column: sid, pattern: '\\\\d{10}', invalid: blank }
              birth_date: { column: dob, format: MM/dd/yyyy }
              exam_code: { column: code }
              attempted_at: { column: when, format: yyyyMMdd }
              passed: { column: ok, true: [P], false: [F] }
            """;

    @TempDir
    Path dir;

    private Mapping write(String yaml) throws Exception {
        Path f = dir.resolve("demo.yaml");
        Files.writeString(f, yaml);
        return Mapping.load(f);
    }

    @Test
    void misspeltKeyNamesFileAndKey() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> write(VALID.replace("delimiter:", "delimeter:")));
        assertTrue(e.getMessage().contains("demo.yaml: unknown key 'source.delimeter'"), e.getMessage());
    }

    @Test
    void unknownCanonicalFieldIsNamed() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> write(VALID.replace("birth_date:", "birthday:")));
        assertTrue(e.getMessage().contains("fields.birthday: not a canonical field"), e.getMessage());
    }

    @Test
    void fieldFromAColumnTheLayoutLacksIsNamed() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> write(VALID.replace("{ column: code }", "{ column: exam }")));
        assertTrue(e.getMessage().contains("fields.exam_code.column: 'exam' is not in source.columns"), e.getMessage());
    }

    @Test
    void dateFieldWithoutFormatIsRefused() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> write(VALID.replace(", format: MM/dd/yyyy", "")));
        assertTrue(e.getMessage().contains("fields.birth_date.format"), e.getMessage());
    }

    @Test
    void attemptKeyAlternativeTakesTheFirstNonBlankColumn() throws Exception {
        Mapping m = write(VALID.replace("attempt-key: [id, code, when]", "attempt-key: [sid|id, code, when]"));
        String data = "id|sid|dob|code|when|ok\n"
                + "Ann|1234567890|02/28/2008|X1|20250301|P\n"
                + "Ann||02/28/2008|X1|20250301|P\n"
                + "Bob||02/28/2008|X1|20250301|P\n";
        try (RecordReader r = m.open(new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)))) {
            assertEquals("0:1234567890|X1|20250301", m.apply(r.next()).result().attemptKey());
            assertEquals("1:ann|X1|20250301", m.apply(r.next()).result().attemptKey());
            assertEquals("1:bob|X1|20250301", m.apply(r.next()).result().attemptKey(),
                    "two students without an ID, same exam and day: two attempts");
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> write(VALID.replace("attempt-key: [id, code, when]", "attempt-key: [sid|name, code, when]")));
        assertTrue(e.getMessage().contains("attempt-key: 'name' is not in source.columns"), e.getMessage());
    }

    @Test
    void rowsMapToCanonicalResultsOrRejections() throws Exception {
        Mapping m = write(VALID);
        String data = "id|sid|dob|code|when|ok\n"
                + "A1|1234567890|02/28/2008|X1|20250301|P\n"
                + "A2|12345|02/30/2008|X1|20250302|P\n"
                + "A3||01/01/2008|X1|20250303|maybe\n"
                + "A4|1234567890|01/01/2008|X1|20250303\n";
        try (RecordReader r = m.open(new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)))) {
            Mapping.Outcome ok = m.apply(r.next());
            assertTrue(ok.accepted());
            assertEquals("A1|X1|20250301", ok.result().attemptKey());
            assertEquals(LocalDate.of(2008, 2, 28), ok.result().birthDate());
            assertEquals(LocalDate.of(2025, 3, 1), ok.result().attemptedOn());
            assertTrue(ok.result().passed());
            assertEquals(2, ok.result().row());

            Mapping.Outcome badDate = m.apply(r.next());
            assertFalse(badDate.accepted());
            assertEquals(new RowRejection(3, "dob", "not a valid date in the format MM/dd/yyyy"), badDate.rejections().get(0));
            assertEquals(1, badDate.rejections().size(), "a short ID is blanked, not a rejection");

            Mapping.Outcome badBool = m.apply(r.next());
            assertEquals(new RowRejection(4, "ok", "not one of [P] / [F]"), badBool.rejections().get(0));

            Mapping.Outcome shortRow = m.apply(r.next());
            assertEquals(new RowRejection(5, "*", "the row has 5 fields; the header has 6"), shortRow.rejections().get(0));
            assertNull(r.next());
        }
    }

    @Test
    void fileWithoutRowsOrWithWrongEncodingIsRejectedWhole() throws Exception {
        Mapping m = write(VALID);
        FileRejectedException empty = assertThrows(FileRejectedException.class,
                () -> m.open(new ByteArrayInputStream(new byte[0])));
        assertTrue(empty.getMessage().startsWith("the file is empty"));
        byte[] latin1 = "id|sid|dob|code|when|ok\nA1||01/01/2008|X1|20250303|P\nPe\u00f1a".getBytes(StandardCharsets.ISO_8859_1);
        FileRejectedException enc = assertThrows(FileRejectedException.class, () -> {
            try (RecordReader r = m.open(new ByteArrayInputStream(latin1))) {
                while (r.next() != null) {
                    // read to the end
                }
            }
        });
        assertTrue(enc.getMessage().contains("not in its declared encoding"), enc.getMessage());
    }
}
