package org.credentialhub.mapping;

import org.credentialhub.support.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

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

    private static final String TWO_ARRAYS = """
            layout: demo
            source:
              format: json
              records: [credential, compactJwsString]
              columns:
                - { name: id, path: id }
                - { name: code, path: code }
                - { name: when, path: when }
                - { name: ok, path: ok }
            attempt-key: [id, code, when]
            fields:
              vendor_candidate_id: { column: id }
              exam_code: { column: code }
              attempted_at: { column: when, format: yyyyMMdd }
              passed: { column: ok, true: [P], false: [F] }
            """;

    /** The ids (or texts) of the records a reader gives, in order. */
    private static List<String> ids(Mapping m, String json) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (RecordReader r = m.open(new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
            for (SourceRow row = r.next(); row != null; row = r.next()) {
                out.add(row.rowNumber() + ":" + (row.get("id") == null ? "-" : row.get("id")));
            }
            r.finish(out.size());
        }
        return out;
    }

    @Test
    void severalArraysOfRecordsAreReadOneAfterTheOtherInTheDocumentsOrder() throws Exception {
        Mapping m = write(TWO_ARRAYS);
        assertEquals(List.of("1:a", "2:b", "3:-", "4:-"),
                ids(m, "{\"credential\": [{\"id\": \"a\"}, {\"id\": \"b\"}], \"other\": {\"x\": [1]},"
                        + " \"compactJwsString\": [\"j.w.s\", \"k.w.s\"]}"));
        assertEquals(List.of("1:-", "2:a"), ids(m, "{\"compactJwsString\": [\"j.w.s\"], \"credential\": [{\"id\": \"a\"}]}"));
        assertEquals(List.of("1:a"), ids(m, "{\"credential\": [{\"id\": \"a\"}], \"compactJwsString\": null}"));
        assertEquals(List.of(), ids(m, "{\"credential\": [], \"x\": [{\"id\": \"b\"}], \"compactJwsString\": []}"));
        FileRejectedException none = assertThrows(FileRejectedException.class, () -> ids(m, "{\"data\": []}"));
        assertTrue(none.getMessage().contains("the document has none of 'credential', 'compactJwsString'"), none.getMessage());
        FileRejectedException notArray = assertThrows(FileRejectedException.class,
                () -> ids(m, "{\"credential\": [], \"compactJwsString\": \"j.w.s\"}"));
        assertTrue(notArray.getMessage().contains("'compactJwsString' is not an array of records"), notArray.getMessage());
    }

    @Test
    void withDollarADocumentWithoutTheArraysIsItselfTheRecords() throws Exception {
        Mapping m = write(TWO_ARRAYS.replace("records: [credential, compactJwsString]", "records: [credential, compactJwsString, $]"));
        assertEquals(List.of("1:a", "2:-"), ids(m, "{\"credential\": [{\"id\": \"a\"}], \"compactJwsString\": [\"j.w.s\"]}"),
                "an API page: its arrays");
        assertEquals(List.of("1:c"), ids(m, "{\"id\": \"c\", \"type\": [\"ClrCredential\"]}"), "a file of one record");
        assertEquals(List.of("1:d", "2:e"), ids(m, "[{\"id\": \"d\"}, {\"id\": \"e\"}]"), "a file of an array of records");
        FileRejectedException scalar = assertThrows(FileRejectedException.class, () -> ids(m, "\"x\""));
        assertTrue(scalar.getMessage().contains("neither an array of records nor a record"), scalar.getMessage());
        FileRejectedException cut = assertThrows(FileRejectedException.class, () -> ids(m, "{\"id\": \"c\""));
        assertTrue(cut.getMessage().contains("not valid JSON"), cut.getMessage());
    }

    @Test
    void misspeltKeyNamesFileAndKey() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> write(VALID.replace("delimiter:", "delimeter:")));
        assertTrue(e.getMessage().contains("demo.yaml: unknown key 'source.delimeter'"), e.getMessage());
    }

    @Test
    void aCreditAwardMappingMapsAllOfTheAward() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> write(VALID.replace("birth_date: { column: dob, format: MM/dd/yyyy }", "credit_hours: { column: dob }")));
        assertTrue(e.getMessage().contains("fields.credential_code is required in a credit-award mapping"), e.getMessage());
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
