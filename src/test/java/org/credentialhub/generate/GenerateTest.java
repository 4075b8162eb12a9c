package org.credentialhub.generate;

import org.apache.commons.csv.CSVRecord;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Generator.Inputs INPUTS = Generator.Inputs.of("nc-2024-25", ROOT);

    @TempDir
    static Path tmp;
    static Path small;
    static Catalog catalog;

    @BeforeAll
    static void generateSmallState() throws IOException {
        catalog = Catalog.load(INPUTS.catalogDir());
        small = tmp.resolve("small");
        new Generator(INPUTS, "nc-2024-25", 42, new BigDecimal("0.05")).generate(small, s -> { });
    }

    @Test
    void smallStateRecountsToItsExpectedTables() throws IOException {
        assertRecountEqualsExpected(small);
    }

    @Tag("slow")
    @Test
    void fullStateRecountsToThePublishedTables() throws IOException {
        Path full = tmp.resolve("full");
        new Generator(INPUTS, "nc-2024-25", 42, BigDecimal.ONE).generate(full, s -> { });
        assertArrayEquals(Files.readAllBytes(INPUTS.table10()),
                Files.readAllBytes(full.resolve("expected/attainment-by-district.csv")));
        assertArrayEquals(Files.readAllBytes(INPUTS.table11()),
                Files.readAllBytes(full.resolve("expected/attainment-by-course-credential.csv")));
        assertRecountEqualsExpected(full);
    }

    @Test
    void expectedTablesAtScaleOneArePublishedTables() throws IOException {
        PublishedTables t = PublishedTables.load(INPUTS.table10(), INPUTS.table11(), catalog);
        Path d = tmp.resolve("tables");
        Files.createDirectories(d);
        t.scaled(BigDecimal.ONE).writeTable10(d.resolve("t10.csv"));
        t.scaled(BigDecimal.ONE).writeTable11(d.resolve("t11.csv"));
        assertEquals(parse(INPUTS.table10(), 0), parse(d.resolve("t10.csv"), 0));
        assertEquals(parse(INPUTS.table11(), 1), parse(d.resolve("t11.csv"), 1));
        assertArrayEquals(Files.readAllBytes(INPUTS.table10()), Files.readAllBytes(d.resolve("t10.csv")));
        assertArrayEquals(Files.readAllBytes(INPUTS.table11()), Files.readAllBytes(d.resolve("t11.csv")));
        assertEquals(t.totalEarned(), t.districts.stream().mapToLong(PublishedTables.DistrictRow::earned).sum());
        assertEquals(t.totalPotential(), t.districts.stream().mapToLong(PublishedTables.DistrictRow::potential).sum());
    }

    @Test
    void scaledTablesAgreeAndKeepRates() throws IOException {
        PublishedTables t = PublishedTables.load(INPUTS.table10(), INPUTS.table11(), catalog)
                .scaled(new BigDecimal("0.05"));
        assertEquals(t.totalEarned(), t.districts.stream().mapToLong(PublishedTables.DistrictRow::earned).sum());
        assertEquals(t.totalPotential(), t.districts.stream().mapToLong(PublishedTables.DistrictRow::potential).sum());
        for (PublishedTables.DistrictRow r : t.districts) {
            assertTrue(r.earned() <= r.potential() && r.potential() > 0, r.label());
        }
        assertEquals("41.0%", PublishedTables.rate(7159, 17457, 1));
        assertEquals("65%", PublishedTables.rate(10807, 16679, 0));
    }

    @Test
    void sameSeedSameFiles() throws IOException {
        Path a = tmp.resolve("det-a");
        Path b = tmp.resolve("det-b");
        new Generator(INPUTS, "nc-2024-25", 9, new BigDecimal("0.02")).generate(a, s -> { });
        new Generator(INPUTS, "nc-2024-25", 9, new BigDecimal("0.02")).generate(b, s -> { });
        List<Path> fa = list(a);
        assertEquals(fa.stream().map(a::relativize).toList(), list(b).stream().map(b::relativize).toList());
        for (Path f : fa) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(a.relativize(f))), a.relativize(f).toString());
        }
    }

    @Test
    void layoutQuirks() throws IOException {
        // certexam: BOM and CRLF
        Path cert = Recount.files(small.resolve("sftp/certexam")).get(0);
        byte[] c = Files.readAllBytes(cert);
        assertEquals((byte) 0xEF, c[0]);
        assertEquals((byte) 0xBB, c[1]);
        assertEquals((byte) 0xBF, c[2]);
        String text = new String(c, StandardCharsets.UTF_8);
        assertTrue(text.contains("\r\n"));
        assertFalse(text.replace("\r\n", "").contains("\n"));
        assertTrue(text.substring(1).startsWith("candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName"));
        // foodsafe: Windows-1252 bytes for accented names, TRL trailer
        boolean accent = false;
        int trailersOk = 0;
        for (Path f : Recount.files(small.resolve("sftp/foodsafe"))) {
            byte[] bytes = Files.readAllBytes(f);
            String s = new String(bytes, Charset.forName("windows-1252"));
            List<String> lines = List.of(s.split("\r\n"));
            assertTrue(lines.get(lines.size() - 1).startsWith("TRL|"));
            if (lines.get(lines.size() - 1).equals("TRL|" + (lines.size() - 2))) {
                trailersOk++;
            }
            for (byte x : bytes) {
                if (x == (byte) 0xF1 || x == (byte) 0xE1 || x == (byte) 0xE9 || x == (byte) 0xED || x == (byte) 0xF3
                        || x == (byte) 0xFA) {
                    accent = true;
                }
            }
            assertFalse(s.contains("\u00C3"), "not UTF-8 bytes read as 1252: " + f.getFileName());
        }
        assertTrue(accent, "an accented name (e.g. Peña) written in Windows-1252");
        assertTrue(trailersOk >= 1);
        // workskills: H/T records, fixed width, positions
        Path ws = Recount.files(small.resolve("sftp/workskills")).get(0);
        String w = Files.readString(ws, StandardCharsets.US_ASCII);
        assertTrue(w.endsWith("\r\n"));
        String[] lines = w.split("\r\n");
        assertTrue(lines[0].matches("H\\d{8}WORKSKILLS"));
        assertEquals("T" + String.format("%09d", lines.length - 2), lines[lines.length - 1]);
        for (int i = 1; i < lines.length - 1; i++) {
            String l = lines[i];
            assertEquals(94, l.length());
            assertTrue(l.substring(79, 87).matches("20\\d{6}"), l);
            assertTrue(l.substring(87, 93).matches("\\d{6}"), l);
            assertTrue(l.charAt(93) == 'Y' || l.charAt(93) == 'N');
            assertTrue(l.substring(1, 11).matches("\\d{10}|\\d{9} | {10}"), l);
        }
        // skillsxlsx: title row 1, blank row 2, header row 3, date and boolean cells
        Path x = Recount.files(small.resolve("sftp/skillsxlsx")).get(0);
        assertTrue(x.getFileName().toString().matches("skills_[0-9A-Z]+_\\d{8}\\.xlsx"));
        try (InputStream in = Files.newInputStream(x); Workbook wb = WorkbookFactory.create(in)) {
            Sheet sh = wb.getSheetAt(0);
            assertEquals(CellType.STRING, sh.getRow(0).getCell(0).getCellType());
            assertTrue(sh.getRow(1) == null);
            assertEquals("Student ID", sh.getRow(2).getCell(0).getStringCellValue());
            assertEquals("Passed", sh.getRow(2).getCell(7).getStringCellValue());
            Row r = sh.getRow(3);
            Cell date = r.getCell(5);
            assertEquals(CellType.NUMERIC, date.getCellType());
            assertTrue(DateUtil.isCellDateFormatted(date));
            assertEquals(CellType.BOOLEAN, r.getCell(7).getCellType());
            assertTrue(r.getCell(1).getStringCellValue().contains(", "));
        }
        // district entries: header and evidence files present
        List<CSVRecord> entries = Recount.csv(small.resolve("district/entries.csv"));
        assertFalse(entries.isEmpty());
        for (CSVRecord e : entries.subList(0, Math.min(50, entries.size()))) {
            Path ev = small.resolve("district/evidence").resolve(e.get("evidence_file"));
            byte[] b = Files.readAllBytes(ev);
            assertTrue(new String(b, 0, 4, StandardCharsets.ISO_8859_1).equals("%PDF")
                    || (b[1] == 'P' && b[2] == 'N' && b[3] == 'G'));
        }
        assertEquals("district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file",
                Files.readAllLines(small.resolve("district/entries.csv")).get(0));
    }

    @Test
    void decisionsCoverEveryRecordWithoutItsStateId() throws IOException {
        Map<String, String> truth = new TreeMap<>();
        for (CSVRecord r : Recount.csv(small.resolve("truth.csv"))) {
            truth.put(r.get("feed") + "|" + r.get("source") + "|" + r.get("row"), r.get("state_id"));
        }
        int rejects = 0;
        for (CSVRecord r : Recount.csv(small.resolve("district-decisions.csv"))) {
            String t = truth.get(r.get("feed") + "|" + r.get("source") + "|" + r.get("row"));
            assertEquals(t.isEmpty() ? "reject" : t, r.get("decision"));
            if (r.get("decision").equals("reject")) {
                rejects++;
            }
        }
        assertTrue(rejects > 0);
    }

    /**
     * Identity-changing corrections (issue 12): a foodsafe ExamID sent again in a later file under another person;
     * truth names the attempt's own student for both rows, and only the corrected row has a district decision.
     */
    @Test
    void identityChangingCorrectionsAreInTheFilesTruthAndDecisions() throws IOException {
        Map<String, String> firstSeen = new TreeMap<>();   // ExamID -> file|row|last name
        List<String[]> changed = new java.util.ArrayList<>(); // {earlier file|row, later file|row}
        for (Path f : Recount.files(small.resolve("sftp/foodsafe"))) {
            List<String> lines = Files.readAllLines(f, java.nio.charset.Charset.forName("windows-1252"));
            if (!lines.get(lines.size() - 1).equals("TRL|" + (lines.size() - 2))) {
                continue; // the cut-short file
            }
            for (int i = 1; i < lines.size() - 1; i++) {
                String[] c = lines.get(i).split("\\|", -1);
                String here = f.getFileName() + "|" + (i + 1);
                String before = firstSeen.putIfAbsent(c[0], here + "|" + c[1] + "|" + c[3]);
                if (before != null && !before.substring(before.indexOf('|', before.indexOf('|') + 1) + 1)
                        .equals(c[1] + "|" + c[3]) && !before.startsWith(f.getFileName() + "|")) {
                    changed.add(new String[] {before.substring(0, before.indexOf('|', before.indexOf('|') + 1)), here});
                }
            }
        }
        assertFalse(changed.isEmpty(), "some foodsafe exams are sent again under another person");
        Map<String, String> truth = new TreeMap<>();
        for (CSVRecord r : Recount.csv(small.resolve("truth.csv"))) {
            truth.put(r.get("feed") + "|" + r.get("source") + "|" + r.get("row"), r.get("state_id"));
        }
        java.util.Set<String> decided = new java.util.HashSet<>();
        for (CSVRecord r : Recount.csv(small.resolve("district-decisions.csv"))) {
            decided.add(r.get("feed") + "|" + r.get("source") + "|" + r.get("row"));
        }
        for (String[] ch : changed) {
            assertEquals(truth.get("foodsafe|" + ch[0]), truth.get("foodsafe|" + ch[1]), "whose attempt it is");
            assertFalse(truth.get("foodsafe|" + ch[1]).isEmpty());
            assertFalse(decided.contains("foodsafe|" + ch[0]), "no decision for the replaced version");
            assertTrue(decided.contains("foodsafe|" + ch[1]), "the held version is decided");
        }
    }

    static void assertRecountEqualsExpected(Path dir) throws IOException {
        Recount rc = new Recount(dir, catalog);
        assertTrue(rc.skippedDuplicates > 0);
        assertTrue(rc.quarantined > 0);
        Map<String, List<Long>> t10 = new TreeMap<>();
        for (var e : rc.byDistrict.entrySet()) {
            t10.put(e.getKey(), List.of(e.getValue()[0], e.getValue()[1]));
        }
        Map<String, List<Long>> want10 = new TreeMap<>();
        for (CSVRecord r : Recount.csv(dir.resolve("expected/attainment-by-district.csv"))) {
            String label = r.get(0);
            want10.put(label.substring(label.lastIndexOf('(') + 1, label.length() - 1),
                    List.of(PublishedTables.number(r.get(1)), PublishedTables.number(r.get(2))));
        }
        assertEquals(want10, t10);
        PublishedTables published = PublishedTables.load(dir.resolve("expected/attainment-by-district.csv"),
                dir.resolve("expected/attainment-by-course-credential.csv"), catalog);
        Map<String, List<Long>> want11 = new TreeMap<>();
        for (PublishedTables.CourseCredentialRow r : published.courseCredentials) {
            want11.put(r.courseCode() + "|" + r.credentialCode(), List.of(r.earned(), r.potential()));
        }
        Map<String, List<Long>> t11 = new TreeMap<>();
        for (var e : rc.byCourseCredential.entrySet()) {
            t11.put(e.getKey(), List.of(e.getValue()[0], e.getValue()[1]));
        }
        assertEquals(want11, t11);
    }

    static Map<String, List<String>> parse(Path f, int keyColumns) throws IOException {
        Map<String, List<String>> m = new TreeMap<>();
        for (CSVRecord r : Recount.csv(f)) {
            String key = keyColumns == 0 ? r.get(0) : r.get(0) + "|" + r.get(1);
            int n = keyColumns + 1;
            m.put(key, List.of(String.valueOf(PublishedTables.number(r.get(n))),
                    String.valueOf(PublishedTables.number(r.get(n + 1))), r.get(n + 2)));
        }
        return m;
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
