package org.credentialhub.mapping;

import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.SheetVisibility;
import org.apache.poi.xssf.eventusermodel.ReadOnlySharedStringsTable;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.apache.poi.xssf.model.StylesTable;
import org.apache.poi.xssf.usermodel.XSSFCellStyle;
import org.apache.poi.xssf.usermodel.XSSFRichTextString;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.credentialhub.support.ZipBounds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link XlsxPackage} reads what POI's package, shared strings and styles read: the same sheets in the same order, the
 * same shared strings (escapes decoded, rich text joined, phonetic runs left out), the same verdict on every cell style
 * being a date; and it keeps to {@link ZipBounds}. POI (which writes the workbooks and stays the generator's and the
 * reports' library) is the reference, read here the way the reader read workbooks before.
 */
class XlsxPackageTest {
    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        ZipBounds.configure(ZipBounds.Limits.defaults());
    }

    /** A workbook of every kind of cell and style the readers meet, hidden and very hidden sheets among them. */
    private static byte[] workbook() throws Exception {
        try (XSSFWorkbook wb = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            List<CellStyle> styles = new ArrayList<>();
            for (String format : List.of("General", "m/d/yy", "yyyy-mm-dd", "dd/mm/yyyy hh:mm", "[h]:mm:ss", "0.00",
                    "mmm d, yyyy", "#,##0", "@", "[$-409]d-mmm-yy;@", "\"due\" yyyy", "0.00E+00", "h:mm AM/PM")) {
                CellStyle s = wb.createCellStyle();
                s.setDataFormat(wb.createDataFormat().getFormat(format));
                styles.add(s);
            }
            for (int builtin : new int[] {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47, 1, 2, 9, 49}) {
                CellStyle s = wb.createCellStyle();
                s.setDataFormat((short) builtin);
                styles.add(s);
            }
            for (String name : List.of("Riverside High", "Scratch", "Archive", "Ünïcödé & <sheet>")) {
                Sheet sheet = wb.createSheet(name);
                int r = 0;
                for (CellStyle s : styles) {
                    Row row = sheet.createRow(r++);
                    row.createCell(0).setCellValue(45_000.5 + r);
                    row.getCell(0).setCellStyle(s);
                    row.createCell(1).setCellValue(name + " text " + r);
                    row.createCell(2).setCellValue(r % 2 == 0);
                    row.createCell(3).setCellValue("Raven_x0000_s, Io _x00e9_ _X00E9_ _x12_ __x0041__ " + r);
                    row.createCell(4).setCellFormula("B" + r);
                }
                XSSFRichTextString rich = new XSSFRichTextString("bold and plain");
                rich.applyFont(0, 4, wb.createFont());
                sheet.createRow(r).createCell(0).setCellValue(rich);
            }
            wb.setSheetVisibility(1, SheetVisibility.HIDDEN);
            wb.setSheetVisibility(2, SheetVisibility.VERY_HIDDEN);
            wb.write(out);
            return out.toByteArray();
        }
    }

    /** The zip with the entries {@code change} gives a new content for (by name; null: unchanged). */
    private static byte[] rewritten(byte[] zip, java.util.function.Function<String, UnaryOperator<String>> change)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip)); ZipOutputStream z = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] content = in.readAllBytes();
                UnaryOperator<String> f = change.apply(e.getName());
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(f == null ? content : f.apply(new String(content, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private Path file(String name, byte[] content) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    /** What POI reads of a workbook: its sheets' names, its shared strings, and which of its styles are dates. */
    private record Read(List<String> sheets, List<String> strings, List<Boolean> dateStyles) {
    }

    private static Read poi(Path file) throws Exception {
        try (OPCPackage pkg = OPCPackage.open(file.toFile(), PackageAccess.READ)) {
            XSSFReader reader = new XSSFReader(pkg);
            ReadOnlySharedStringsTable sst = new ReadOnlySharedStringsTable(pkg, false);
            List<String> strings = new ArrayList<>();
            for (int i = 0; i < sst.getUniqueCount(); i++) {
                strings.add(sst.getItemAt(i).getString());
            }
            StylesTable st = reader.getStylesTable();
            List<Boolean> dates = new ArrayList<>();
            for (int i = -1; i < st.getNumCellStyles() + 3; i++) {
                XSSFCellStyle cs = st.getStyleAt(i);
                dates.add(cs != null && DateUtil.isADateFormat(cs.getDataFormat(), cs.getDataFormatString()));
            }
            List<String> sheets = new ArrayList<>();
            XSSFReader.SheetIterator it = (XSSFReader.SheetIterator) reader.getSheetsData();
            while (it.hasNext()) {
                it.next().close();
                sheets.add(it.getSheetName());
            }
            pkg.revert();
            return new Read(sheets, strings, dates);
        }
    }

    private static Read ours(Path file, int styles) throws Exception {
        try (XlsxPackage p = XlsxPackage.open(file)) {
            List<String> strings = new ArrayList<>();
            for (int i = 0; ; i++) {
                try {
                    strings.add(p.sharedString(i));
                } catch (IndexOutOfBoundsException end) {
                    break;
                }
            }
            List<Boolean> dates = new ArrayList<>();
            for (int i = -1; i < styles + 3; i++) {
                dates.add(p.isDateStyle(i));
            }
            return new Read(p.sheets().stream().map(XlsxPackage.Sheet::name).toList(), strings, dates);
        }
    }

    private void assertSameAsPoi(Path file) throws Exception {
        Read expected = poi(file);
        Read actual = ours(file, expected.dateStyles().size() - 4);
        assertEquals(expected.sheets(), actual.sheets(), "sheets");
        assertEquals(expected.strings(), actual.strings(), "shared strings");
        assertEquals(expected.dateStyles(), actual.dateStyles(), "date styles");
        assertTrue(expected.dateStyles().contains(true) && expected.dateStyles().contains(false));
        assertTrue(expected.strings().stream().anyMatch(s -> s.indexOf('\0') >= 0), "an escape decoded");
    }

    @Test
    void readsWhatPoiReads() throws Exception {
        assertSameAsPoi(file("book.xlsx", workbook()));
    }

    @Test
    void hiddenAndVeryHiddenSheetsAreMarked() throws Exception {
        try (XlsxPackage p = XlsxPackage.open(file("book.xlsx", workbook()))) {
            Map<String, Boolean> hidden = new LinkedHashMap<>();
            p.sheets().forEach(s -> hidden.put(s.name(), s.hidden()));
            assertEquals(Map.of("Riverside High", false, "Scratch", true, "Archive", true, "Ünïcödé & <sheet>", false),
                    hidden);
        }
    }

    @Test
    void richTextJoinedAndPhoneticRunsLeftOutAsPoiDoes() throws Exception {
        // shared strings written by hand: runs of rich text, a phonetic reading (rPh), spaces kept, an entity, CDATA
        String sst = """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">\
                <si><r><rPr><b/></rPr><t>Ra</t></r><r><t xml:space="preserve">ven </t></r><r><t>Io</t></r></si>\
                <si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>\
                <si><t xml:space="preserve">  two  spaces &amp; &lt;tags&gt;  </t></si>\
                <si><t><![CDATA[cdata _x0041_]]></t></si>\
                </sst>""";
        byte[] book = rewritten(workbook(), name -> name.equals("xl/sharedStrings.xml") ? s -> sst : null);
        Path p = file("rich.xlsx", book);
        Read expected = poi(p);
        assertEquals(List.of("Raven Io", "東京", "  two  spaces & <tags>  ", "cdata A"), expected.strings());
        assertEquals(expected.strings(), ours(p, expected.dateStyles().size() - 4).strings());
    }

    @Test
    void targetsFromThePackageRootAndWithDotSegmentsAreFound() throws Exception {
        // a producer that writes targets from the package's root, and one with . and .. segments
        byte[] book = rewritten(workbook(), name -> name.equals("xl/_rels/workbook.xml.rels")
                ? s -> s.replace("Target=\"worksheets/", "Target=\"/xl/worksheets/").replace("Target=\"styles.xml\"",
                "Target=\"../xl/./styles.xml\"")
                : null);
        assertSameAsPoi(file("absolute.xlsx", book));
    }

    @Test
    void aSheetListedWithoutItsPartIsABrokenWorkbook() throws Exception {
        // the workbook's first sheet points at a part the zip does not hold: refused, not read as a sheet fewer
        byte[] book = rewritten(workbook(), name -> name.equals("xl/_rels/workbook.xml.rels")
                ? s -> s.replace("worksheets/sheet1.xml", "worksheets/gone.xml") : null);
        Mapping m = LayoutsTest.MAPPINGS.get("skillsxlsx");
        FileRejectedException e = assertThrows(FileRejectedException.class,
                () -> m.open(new ByteArrayInputStream(book), "skills_910_20250318.xlsx").close());
        assertTrue(e.getMessage().startsWith("the file is not a readable Excel workbook (.xlsx): "), e.getMessage());
    }

    @Test
    void aTargetIsAUri() {
        assertEquals("xl/worksheets/sheet 1.xml", XlsxPackage.resolve("xl/", "worksheets/sheet%201.xml"));
        assertEquals("xl/styles.xml", XlsxPackage.resolve("xl/", "/xl/styles.xml"));
        assertEquals("xl/styles.xml", XlsxPackage.resolve("xl/worksheets/", "../styles.xml"));
        assertEquals("docProps/app.xml", XlsxPackage.resolve("", "docProps/app.xml"));
    }

    @Test
    void escapesDecodeAsPoiDecodesThem() {
        Random random = new Random(50);
        String[] pieces = {"_x", "_x0000_", "_x00E9_", "_xD800_", "_x12_", "_X0041_", "_x005F_", "__", "x", "0", "F", "_",
                "a", "é", " "};
        for (int n = 0; n < 20_000; n++) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(8); k >= 0; k--) {
                s.append(pieces[random.nextInt(pieces.length)]);
            }
            String text = s.toString();
            assertEquals(new XSSFRichTextString(text).getString(), XlsxPackage.decode(text), text);
        }
    }

    @Test
    void aSheetThatExpandsBeyondTheRatioIsRefusedAsAZipBomb() throws Exception {
        // 20 MB of blanks inside a sheet (valid XML, ~20 KB compressed)
        byte[] bomb = rewritten(workbook(), name -> name.startsWith("xl/worksheets/")
                ? s -> s.replaceFirst("\\?>", "?>" + " ".repeat(20 * 1024 * 1024)) : null);
        assertTrue(bomb.length < 500_000, "small on disk: " + bomb.length);
        Mapping m = LayoutsTest.MAPPINGS.get("skillsxlsx");
        FileRejectedException e = assertThrows(FileRejectedException.class, () -> {
            try (RecordReader r = m.open(new ByteArrayInputStream(bomb), "skills_910_20250318.xlsx")) {
                while (r.next() != null) {
                    // reading
                }
            }
        });
        assertTrue(e.getMessage().contains("refused as a possible zip bomb")
                && e.getMessage().contains("expands more than 100 times"), e.getMessage());
    }

    @Test
    void aDirectoryBeyondTheBoundsIsRefusedBeforeReading() throws Exception {
        ZipBounds.configure(new ZipBounds.Limits(1024L * 1024 * 1024, 4096L * 1024 * 1024, 100, 5));
        Mapping m = LayoutsTest.MAPPINGS.get("skillsxlsx");
        byte[] book = workbook();
        FileRejectedException e = assertThrows(FileRejectedException.class,
                () -> m.open(new ByteArrayInputStream(book), "skills_910_20250318.xlsx").close());
        assertTrue(e.getMessage().startsWith("the file is not a readable Excel workbook (.xlsx): refused as a possible "
                + "zip bomb:") && e.getMessage().contains("entries, more than 5"), e.getMessage());
    }

    @Test
    void notAWorkbookIsRefusedByKind() throws Exception {
        Mapping m = LayoutsTest.MAPPINGS.get("skillsxlsx");
        for (byte[] content : List.of("name,score\nIo,3\n".getBytes(StandardCharsets.UTF_8),
                zipOf("readme.txt", "no workbook here"))) {
            FileRejectedException e = assertThrows(FileRejectedException.class,
                    () -> m.open(new ByteArrayInputStream(content), "skills_910_20250318.xlsx").close());
            assertTrue(e.getMessage().startsWith("the file is not a readable Excel workbook (.xlsx): "), e.getMessage());
        }
    }

    private static byte[] zipOf(String name, String content) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(content.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        return out.toByteArray();
    }
}
