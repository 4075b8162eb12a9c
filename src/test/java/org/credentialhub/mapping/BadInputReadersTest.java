package org.credentialhub.mapping;

import org.apache.poi.ss.usermodel.SheetVisibility;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.credentialhub.support.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The readers on bad input, without a database: where an encoding error is, the mapping options for
 * over-long fixed-width lines and hidden sheets, and that strict decoding loses nothing across buffers.
 * ({@link BadInputCatalogTest} takes every layout through staging.)
 */
class BadInputReadersTest {
    private static final Mappings MAPPINGS = LayoutsTest.MAPPINGS;

    @TempDir
    Path dir;

    private static List<SourceRow> readAll(Mapping m, String name, byte[] content) throws Exception {
        List<SourceRow> rows = new ArrayList<>();
        try (RecordReader r = m.open(new ByteArrayInputStream(content), name)) {
            SourceRow row;
            while ((row = r.next()) != null) {
                rows.add(row);
            }
            r.finish(rows.size());
        }
        return rows;
    }

    private static String refused(Mapping m, String name, byte[] content) {
        return assertThrows(FileRejectedException.class, () -> readAll(m, name, content)).getMessage();
    }

    private static byte[] certexam(int rows, int badRow) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,examFormId,"
                + "deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n")
                .getBytes(StandardCharsets.UTF_8));
        for (int i = 2; i <= rows + 1; i++) {
            out.writeBytes(("C" + i + ",1000000001,Ana,").getBytes(StandardCharsets.UTF_8));
            if (i == badRow) {
                out.write(0xC3);   // a lead byte with no continuation: not UTF-8
                out.write('x');
            } else {
                out.writeBytes("Peña".getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes((",a@example.org,2007-05-01,Excel,CE-420CC,F1,2025-03-14T09:12:00-04:00,Pass,812,700,40,50,81,"
                    + "TC1,\"Riverside High\"\r\n").getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void anEncodingErrorNamesTheRowThatHoldsTheByte() throws Exception {
        Mapping m = MAPPINGS.get("certexam");
        assertEquals("the file is not in its declared encoding: row 5 holds a byte sequence that does not decode",
                refused(m, "certexam_results_20250318.csv", certexam(10, 5)));
        // far past the first buffer of the decoder and of the CSV parser
        assertTrue(refused(m, "certexam_results_20250318.csv", certexam(5000, 4321)).contains("row 4321 holds"));
    }

    @Test
    void strictDecodingLosesNothingAcrossBuffers() throws Exception {
        // 5000 rows of multi-byte names: every buffer boundary falls somewhere inside a character sometime
        List<SourceRow> rows = readAll(MAPPINGS.get("certexam"), "certexam_results_20250318.csv", certexam(5000, -1));
        assertEquals(5000, rows.size());
        for (SourceRow r : rows) {
            assertEquals("Peña", r.get("lastName"));
            assertEquals("Riverside High", r.get("testCenterName"));
        }
    }

    @Test
    void anEncodingErrorInAFixedWidthFileNamesTheLine() throws Exception {
        StringBuilder sb = new StringBuilder("H20250318WORKSKILLS\r\n");
        for (int i = 0; i < 3000; i++) {
            sb.append(LayoutFiles.detail("1000000001", i == 2221 ? "Pen\u00e9" : "Pena", "Ana", "20070501", "910",
                    "910301", "WO-25219", "20250314", "085", "070", "Y"));
        }
        sb.append("T000003000\r\n");
        // line 1 is the header record: detail 2221 (0-based) is line 2223
        assertEquals("the file is not in its declared encoding: line 2223 holds a byte sequence that does not decode",
                refused(MAPPINGS.get("workskills"), "WS20250318.DAT", sb.toString().getBytes(StandardCharsets.ISO_8859_1)));
    }

    private Mapping variant(String layout, String find, String replace) throws Exception {
        String yaml = Files.readString(Path.of("mappings", layout + ".yaml"));
        assertTrue(yaml.contains(find), find);
        Path f = dir.resolve(layout + ".yaml");
        Files.writeString(f, yaml.replace(find, replace));
        return Mapping.load(f);
    }

    @Test
    void overLongFixedWidthLinesAreRejectedRowsOrQuarantineTheFile() throws Exception {
        String longLine = LayoutFiles.detail("1000000003", "Lopez", "Cara", "20071123", "920", "920301", "WO-25219",
                "20250314", "090", "070", "Y").replace("\r\n", "SURPLUS\r\n");
        byte[] file = ("H20250318WORKSKILLS\r\n"
                + LayoutFiles.detail("1000000001", "Pena", "Ana", "20070501", "910", "910301", "WO-25219", "20250314", "085", "070", "Y")
                + longLine + "T000000002\r\n").getBytes(StandardCharsets.US_ASCII);
        Mapping rows = MAPPINGS.get("workskills");
        List<SourceRow> read = readAll(rows, "WS20250318.DAT", file);
        assertEquals(new RowRejection(3, "*", "the record has 101 characters; the layout ends at column 94 (the rest would be dropped)"),
                rows.apply(read.get(1)).rejections().get(0));
        Mapping strict = variant("workskills", "  detail-tag: D\n", "  detail-tag: D\n  over-long-lines: quarantine\n");
        assertEquals("line 3: the record has 101 characters; the layout ends at column 94 (the rest would be dropped)",
                refused(strict, "WS20250318.DAT", file));
        ConfigException typo = assertThrows(ConfigException.class,
                () -> variant("workskills", "  detail-tag: D\n", "  detail-tag: D\n  over-long-lines: drop\n"));
        assertTrue(typo.getMessage().contains("source.over-long-lines: 'drop' is not reject or quarantine"), typo.getMessage());
        assertThrows(ConfigException.class, () -> variant("certexam", "  header: true\n", "  header: true\n  over-long-lines: reject\n"));
    }

    private static byte[] workbook(Set<String> hidden) {
        Map<String, List<Map<String, String>>> sheets = new java.util.TreeMap<>();
        for (String s : List.of("Pine Ridge High", "Riverside High", "Scratch")) {
            List<Map<String, String>> rows = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                Map<String, String> r = new java.util.LinkedHashMap<>(BadInputCatalogTest.SKILLSXLSX.good(s.length(), i));
                r.put("School", s);
                rows.add(r);
            }
            sheets.put(s, rows);
        }
        return BadInputCatalogTest.Workbook.workbook(BadInputCatalogTest.SKILLSXLSX.columns, sheets, hidden);
    }

    @Test
    void hiddenSheetsAreSkippedWithAWarningUnlessListed() throws Exception {
        byte[] file = workbook(Set.of("Scratch"));
        Mapping m = MAPPINGS.get("skillsxlsx");
        try (RecordReader r = m.open(new ByteArrayInputStream(file), "skills_910_20250318.xlsx")) {
            List<String> schools = new ArrayList<>();
            SourceRow row;
            while ((row = r.next()) != null) {
                schools.add(row.part());
            }
            assertEquals(List.of("Pine Ridge High", "Pine Ridge High", "Riverside High", "Riverside High"), schools);
            assertEquals(List.of("sheet 'Scratch' is hidden and the mapping does not list it by name: skipped"), r.warnings());
        }
        // listed by name, a hidden sheet is read
        Mapping listed = variant("skillsxlsx", "  header-row: 3\n", "  header-row: 3\n  sheets: [Riverside High, Scratch]\n");
        assertEquals(List.of("Riverside High", "Riverside High", "Scratch", "Scratch"),
                readAll(listed, "skills_910_20250318.xlsx", file).stream().map(SourceRow::part).toList());
        // or the file is refused
        Mapping strict = variant("skillsxlsx", "  header-row: 3\n", "  header-row: 3\n  hidden-sheets: quarantine\n");
        assertEquals("sheet 'Scratch' is hidden and the mapping does not list it by name",
                refused(strict, "skills_910_20250318.xlsx", file));
        // a visible workbook is not affected
        assertEquals(6, readAll(strict, "skills_910_20250318.xlsx", workbook(Set.of())).size());
    }

    @Test
    void aHeaderThatNamesAColumnTwiceIsRefusedUnlessTheColumnIsIgnored() throws Exception {
        Mapping m = MAPPINGS.get("certexam");
        String header = "candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,examFormId,"
                + "deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName";
        String row = "C1,1000000001,Ana,Pena,a@example.org,2007-05-01,Excel,CE-420CC,F1,2025-03-14T09:12:00-04:00,Pass,"
                + "812,700,40,50,81,TC1,Riverside";
        assertEquals("the header names column 'lastName' twice", refused(m, "certexam_results_20250318.csv",
                (header + ",lastName\r\n" + row + ",Other\r\n").getBytes(StandardCharsets.UTF_8)));
        Mapping wide = variant("certexam", "  header: true\n", "  header: true\n  extra-columns: ignore\n");
        assertEquals(1, readAll(wide, "certexam_results_20250318.csv",
                (header + ",notes,notes\r\n" + row + ",a,b\r\n").getBytes(StandardCharsets.UTF_8)).size());
        assertEquals("the header names column 'percent' twice", refused(wide, "certexam_results_20250318.csv",
                (header + ",percent\r\n" + row + ",82\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void hiddenStateIsReadFromTheWorkbook() throws Exception {
        // a workbook POI marks very hidden is skipped too
        try (XSSFWorkbook wb = new XSSFWorkbook(new ByteArrayInputStream(workbook(Set.of())));
             ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            wb.setSheetVisibility(wb.getSheetIndex("Scratch"), SheetVisibility.VERY_HIDDEN);
            wb.write(out);
            assertEquals(4, readAll(MAPPINGS.get("skillsxlsx"), "skills_910_20250318.xlsx", out.toByteArray()).size());
        }
    }
}
