package org.credentialhub.mapping;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every vendor layout of docs/vendor-layouts.md parses through its mapping file, quirks included. */
class LayoutsTest {
    static final Mappings MAPPINGS = Mappings.load(Path.of("mappings"));

    record Parsed(List<CanonicalResult> results, List<RowRejection> rejections) {
        CanonicalResult result(int row) {
            return results.stream().filter(r -> r.row() == row).findFirst().orElseThrow(() -> new AssertionError("no row " + row));
        }
    }

    static Parsed parse(Mapping m, String name, InputStream in) throws Exception {
        List<CanonicalResult> ok = new ArrayList<>();
        List<RowRejection> bad = new ArrayList<>();
        try (RecordReader r = m.open(in, name)) {
            SourceRow row;
            int n = 0;
            while ((row = r.next()) != null) {
                n++;
                Mapping.Outcome o = m.apply(row);
                if (o.accepted()) {
                    ok.add(o.result());
                } else {
                    bad.addAll(o.rejections());
                }
            }
            r.finish(n);
        }
        return new Parsed(ok, bad);
    }

    static Parsed parse(String layout, String name, byte[] bytes) throws Exception {
        return parse(MAPPINGS.get(layout), name, new ByteArrayInputStream(bytes));
    }

    static String rejected(String layout, String name, byte[] bytes) {
        return assertThrows(FileRejectedException.class, () -> parse(layout, name, bytes)).getMessage();
    }

    @Test
    void everyLayoutHasItsMapping() {
        assertEquals(List.of("badges", "certexam", "clr", "creditawards", "district", "foodsafe", "issuedbadges", "skillsxlsx",
                "tradesreg", "workskills"), List.copyOf(MAPPINGS.all().keySet()));
        assertTrue(MAPPINGS.get("creditawards").awards());
        assertFalse(MAPPINGS.get("certexam").awards());
        assertTrue(MAPPINGS.get("workskills").attemptKeyIsPersonal());
        assertFalse(MAPPINGS.get("certexam").attemptKeyIsPersonal());
    }

    @Test
    void creditAwardsCarryInstitutionProgramAndCreditHours() throws Exception {
        byte[] file = ("AwardID,Institution,Program,CollegeStudentID,StateStudentID,FirstName,LastName,BirthDate,"
                + "CredentialCode,CreditHours,AwardDate\r\n"
                + "A-1,\"Wake Technical Community College\",A30120,S-1,1000000001,Ana,Pena,2007-05-01,NC-83A7F8,1.5,2025-04-20\r\n"
                + "A-2,Wake Technical Community College,,S-2,1000000002,Ben,Okafor,2008-01-09,NC-83A7F8,3,2025-04-21\r\n"
                + "A-3,Wake Technical Community College,A30120,S-3,1000000003,Cara,Lopez,2007-11-23,NC-83A7F8,0,2025-04-22\r\n")
                .getBytes(StandardCharsets.UTF_8);
        Parsed p = parse("creditawards", "credit_awards_20250501.csv", file);
        CanonicalResult r = p.result(2);
        assertEquals("NC-83A7F8", r.credentialCode());
        assertEquals(new CanonicalResult.Award("Wake Technical Community College", "A30120", new java.math.BigDecimal("1.5")),
                r.award());
        assertEquals(LocalDate.of(2025, 4, 20), r.attemptedOn());
        assertTrue(r.passed());
        assertEquals(List.of("3 Program required value is missing", "4 CreditHours credit hours must be above 0 and below 100"),
                p.rejections().stream().map(x -> x.row() + " " + x.field() + " " + x.reason()).toList());
        assertNull(parse("certexam", "certexam_results_20250318.csv", ("\uFEFFcandidateId,orgCandidateId,firstName,lastName,"
                + "email,birthDate,examName,examCode,examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,"
                + "maxRawScore,percent,testCenterId,testCenterName\r\nC1,,Ana,Pena,,,Excel,CE-420CC,F1,"
                + "2025-03-14T09:12:00-04:00,Pass,812,700,40,50,81,TC1,Riverside High\r\n").getBytes(StandardCharsets.UTF_8))
                .result(2).award(), "an exam attempt is no award");
    }

    @Test
    void certexamBomCrlfQuotedNames() throws Exception {
        byte[] file = ("\uFEFFcandidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,examFormId,"
                + "deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n"
                + "C1,1000000001,Ana,\"Peña, Jr\",a@example.org,2007-05-01,Excel,CE-420CC,F1,2025-03-14T09:12:00-04:00,Pass,812,700,40,50,81,TC1,\"Riverside High\"\r\n")
                .getBytes(StandardCharsets.UTF_8);
        Parsed p = parse("certexam", "certexam_results_20250318.csv", file);
        assertEquals("Peña, Jr", p.result(2).lastName());
        assertEquals(LocalDate.of(2025, 3, 14), p.result(2).attemptedOn());
        // cut short: the last record stops mid-line
        String cut = new String(file, StandardCharsets.UTF_8);
        assertTrue(rejected("certexam", "certexam_results_20250318.csv",
                cut.substring(0, cut.length() - 30).getBytes(StandardCharsets.UTF_8)).contains("cut short"));
    }

    @Test
    void tradesregTabsNoQuotingUsDates() throws Exception {
        Parsed p = parse("tradesreg", "tradesreg_modules_2025-03-18.tsv", LayoutFiles.tradesreg());
        assertEquals(3, p.results().size());
        CanonicalResult ana = p.result(2);
        assertEquals("NC1001|00101-NC", ana.attemptKey());
        assertEquals("1000000001", ana.stateStudentId());
        assertEquals("Peña", ana.lastName());
        assertEquals(LocalDate.of(2007, 5, 1), ana.birthDate());
        assertEquals(LocalDate.of(2025, 3, 14), ana.attemptedOn());
        assertTrue(ana.passed());
        assertEquals(new BigDecimal("88"), ana.score());
        CanonicalResult ben = p.result(3);
        assertNull(ben.stateStudentId(), "a local ID is not a state ID");
        assertEquals("O\"Neil", ben.lastName(), "no quoting: a quote is a character");
        assertEquals(List.of(new RowRejection(4, "CompletionDate", "not a valid date in the format MM/dd/yyyy")), p.rejections());
        assertTrue(rejected("tradesreg", "modules.tsv", LayoutFiles.tradesreg()).contains("file name"));
    }

    @Test
    void foodsafeWindows1252PipesTrailer() throws Exception {
        Parsed p = parse("foodsafe", "FOODSAFE_EXPORT_000123.txt", LayoutFiles.foodsafe(3));
        assertEquals("Peña", p.result(2).lastName());
        assertEquals("CERT-1", p.result(2).certificateNumber());
        assertFalse(p.result(3).passed());
        assertEquals(List.of(new RowRejection(4, "Result", "not one of [P] / [F]")), p.rejections());
        assertEquals("the trailer counts 5 detail record(s) but the file holds 3 (cut short or padded)",
                rejected("foodsafe", "FOODSAFE_EXPORT_000123.txt", LayoutFiles.foodsafe(5)));
        String noTrailer = new String(LayoutFiles.foodsafe(3), "windows-1252").replace("TRL|3\r\n", "");
        assertEquals("the file was cut short: its trailer record (TRL) is missing",
                rejected("foodsafe", "FOODSAFE_EXPORT_000123.txt", noTrailer.getBytes("windows-1252")));
        // the same file saved as UTF-8: Peña would be read as PeÃ±a
        byte[] utf8 = new String(LayoutFiles.foodsafe(3), "windows-1252").getBytes(StandardCharsets.UTF_8);
        assertTrue(rejected("foodsafe", "FOODSAFE_EXPORT_000123.txt", utf8).contains("not in its declared encoding"));
        // a byte Windows-1252 does not define
        byte[] undefined = LayoutFiles.foodsafe(3);
        undefined[FOODSAFE_HEADER_LENGTH + 8] = (byte) 0x81;
        assertTrue(rejected("foodsafe", "FOODSAFE_EXPORT_000123.txt", undefined).contains("not in its declared encoding"));
    }

    private static final int FOODSAFE_HEADER_LENGTH = LayoutFiles.FOODSAFE_HEADER.length();

    @Test
    void workskillsFixedWidthHeaderTrailer() throws Exception {
        Parsed p = parse("workskills", "WS20250318.DAT", LayoutFiles.workskills(3));
        assertEquals(2, p.results().size());
        CanonicalResult ana = p.result(2);
        assertEquals("1000000001", ana.stateStudentId());
        assertEquals("Pena", ana.lastName());
        assertEquals("910", ana.districtCode());
        assertEquals("910301", ana.schoolCode());
        assertEquals("WO-25219", ana.examCode());
        assertEquals(new BigDecimal("85"), ana.score());
        assertTrue(ana.passed());
        assertNull(p.result(3).stateStudentId());
        assertFalse(p.result(3).passed());
        assertEquals(List.of(new RowRejection(4, "testDate", "not a valid date in the format yyyyMMdd")), p.rejections());
        assertTrue(rejected("workskills", "WS20250318.DAT", LayoutFiles.workskills(4)).startsWith("the trailer counts 4"));
        String noHeader = new String(LayoutFiles.workskills(3), StandardCharsets.US_ASCII).replaceFirst("H[^\r]*\r\n", "");
        assertEquals("the file does not open with its header record (H)",
                rejected("workskills", "WS20250318.DAT", noHeader.getBytes(StandardCharsets.US_ASCII)));
        assertTrue(rejected("workskills", "WS20250318.DAT", new byte[0]).contains("empty"));
        byte[] latin = new String(LayoutFiles.workskills(3), StandardCharsets.US_ASCII).replace("Pena", "Peña")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(rejected("workskills", "WS20250318.DAT", latin).contains("not in its declared encoding"));
    }

    @Test
    void skillsxlsxSheetsDateAndBooleanCellsLastFirstNames() throws Exception {
        Parsed p = parse("skillsxlsx", "skills_910_20250318.xlsx", LayoutFiles.skillsxlsx());
        assertEquals(3, p.results().size(), p.toString());
        CanonicalResult ana = p.result(4);
        assertEquals("Peña", ana.lastName());
        assertEquals("Ana", ana.firstName());
        assertEquals("1000000001", ana.stateStudentId());
        assertEquals("910", ana.districtCode());
        assertEquals(LocalDate.of(2025, 3, 14), ana.attemptedOn());
        assertTrue(ana.passed());
        assertEquals(new BigDecimal("88"), ana.score());
        CanonicalResult ben = p.result(5);
        assertNull(ben.stateStudentId());
        assertFalse(ben.passed());
        assertEquals(new BigDecimal("51.5"), ben.score());
        // the second sheet's rows number on after the first sheet's last row (5)
        CanonicalResult cara = p.result(5 + 4);
        assertEquals("Pine Ridge High", cara.schoolName());
        assertEquals(LocalDate.of(2025, 4, 2), cara.attemptedOn());
        assertEquals(1, p.rejections().size());
        RowRejection noDate = p.rejections().get(0);
        assertEquals(10, noDate.row());
        assertEquals("Date Taken", noDate.field());
        assertEquals("required value is missing (sheet 'Pine Ridge High' row 5)", noDate.reason());
        // header drift on one sheet quarantines the workbook
        List<String> drifted = new ArrayList<>(LayoutFiles.SKILLS_HEADER);
        drifted.set(6, "Points");
        byte[] bad = LayoutFiles.skillsxlsx(drifted, List.of(List.of(new LayoutFiles.SheetRow("1", "A, B", "E", "SK-0046E",
                LocalDate.of(2025, 1, 1), 1.0, true, "S"))), List.of("S"));
        assertEquals("sheet 'S': header drift: missing column(s) Score; unknown column(s) Points",
                rejected("skillsxlsx", "skills_910_20250318.xlsx", bad));
        byte[] whole = LayoutFiles.skillsxlsx();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
        assertTrue(rejected("skillsxlsx", "skills_910_20250318.xlsx", cut).contains("not a readable Excel workbook"));
    }

    @Test
    void badgesOpenBadges3Page() throws Exception {
        String page = "{\"credential\": [" + LayoutFiles.ob3Credential("urn:uuid:b1", "1000000001", "a@example.org", "BA-32AAB",
                "2025-03-14T09:00:00Z") + "," + LayoutFiles.ob3Credential("urn:uuid:b2", null, "b@example.org", "BA-3946D",
                "2025-03-15T09:00:00-04:00") + "]}";
        Parsed p = parse("badges", "page", page.getBytes(StandardCharsets.UTF_8));
        assertEquals(2, p.results().size());
        assertEquals("1000000001", p.result(1).stateStudentId());
        assertEquals("urn:uuid:b1", p.result(1).sourceRef());
        assertEquals("BA-32AAB", p.result(1).examCode());
        assertNull(p.result(2).stateStudentId(), "a hashed identifier cannot be read back");
        assertEquals("b@example.org", p.result(2).email());
        assertEquals(LocalDate.of(2025, 3, 15), p.result(2).attemptedOn());
        assertTrue(rejected("badges", "page", page.substring(0, page.length() / 2).getBytes(StandardCharsets.UTF_8))
                .contains("not valid JSON"));
    }

    @Test
    void issuedBadgesRevocations() throws Exception {
        String page = "{\"data\": [" + LayoutFiles.issuedBadge("ib-1", "accepted", "2025-03-14T10:00:00.000-04:00", "1000000001", "IS-19F2C")
                + "," + LayoutFiles.issuedBadge("ib-2", "revoked", "2025-03-15T10:00:00Z", null, "IS-24A52")
                + "], \"metadata\": {\"count\": 2, \"current_page\": 1, \"total_pages\": 1, \"next_page_url\": null}}";
        Parsed p = parse("issuedbadges", "page", page.getBytes(StandardCharsets.UTF_8));
        assertFalse(p.result(1).revoked());
        assertTrue(p.result(2).revoked());
        assertEquals("ib-2", p.result(2).sourceRef());
        assertEquals("IS-24A52", p.result(2).examCode());
        assertEquals("Peña", p.result(1).lastName());
    }

    @Test
    void districtCsv() throws Exception {
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file\n"
                + "910,1000000001,Ana,Peña,2007-05-01,NC-84A78D,2025-03-14,,cert1.pdf\n"
                + "910,12345,Ben,Okafor,2008-01-09,NC-84A78D,2025-03-14,,cert2.pdf\n";
        Parsed p = parse("district", "upload.csv", csv.getBytes(StandardCharsets.UTF_8));
        assertEquals("NC-84A78D", p.result(2).credentialCode());
        assertEquals("cert1.pdf", p.result(2).evidenceFile());
        assertEquals(List.of(new RowRejection(3, "state_id", "does not match the expected pattern \\d{10}")), p.rejections());
    }

    @Test
    void readmeExampleVendorNeedsOnlyAMappingFile() throws Exception {
        String file = "CareerSafe export 2025-03-18\r\n"
                + "LearnerID;StudentNumber;Learner;Born;Course;Completed;Outcome;Points\r\n"
                + "L-1;1000000001;Peña, Ana;01.05.2007;OSHA10-GI;14.03.2025;Passed;92\r\n"
                + "L-2;;\"Okafor, Ben\";09.01.2008;OSHA10-CON;2025-03-15;Incomplete;\r\n"
                + "L-3;;Lopez, Cara;23.11.2007;OSHA10-GI;31.02.2025;Passed;80\r\n";
        Parsed p = parse(example("careersafe"), "careersafe_910_20250318.csv",
                new ByteArrayInputStream(file.getBytes(StandardCharsets.ISO_8859_1)));
        CanonicalResult ana = p.result(3);
        assertEquals("Peña", ana.lastName());
        assertEquals("Ana", ana.firstName());
        assertEquals("WO-25219", ana.examCode());
        assertEquals("910", ana.districtCode());
        assertEquals(LocalDate.of(2025, 3, 14), ana.attemptedOn());
        assertEquals(LocalDate.of(2007, 5, 1), ana.birthDate());
        assertFalse(p.result(4).passed());
        assertEquals("WO-6F1AF", p.result(4).examCode());
        assertEquals(List.of(new RowRejection(5, "Completed", "not a valid date in the format dd.MM.yyyy or yyyy-MM-dd")),
                p.rejections());
    }

    // --- real public files from src/test/resources/fixtures through mappings written for them ---

    private static Mapping example(String name) {
        return Mapping.load(Path.of("mappings/examples/" + name + ".yaml"));
    }

    @Test
    void openBadges3FixturesParse() throws Exception {
        Mapping m = example("ob3-credential");
        for (String f : List.of("simple.json", "complete.json")) {
            Path file = Path.of("src/test/resources/fixtures/ob3-clr2/ob30/" + f);
            try (InputStream in = Files.newInputStream(file)) {
                Parsed p = parse(m, f, in);
                assertEquals(1, p.results().size(), f + ": " + p.rejections());
                CanonicalResult r = p.results().get(0);
                assertTrue(r.sourceRef().startsWith("http"), f);
                assertEquals(f.equals("simple.json") ? "https://example.com/achievements/21st-century-skills/teamwork" : "R1",
                        r.examCode(), "humanCode, else the achievement's id");
            }
        }
        try (InputStream in = Files.newInputStream(Path.of("src/test/resources/fixtures/ob3-clr2/ob30/complete.json"))) {
            CanonicalResult r = parse(m, "complete.json", in).results().get(0);
            assertEquals("student@1edtech.edu", r.email());
            assertEquals(LocalDate.of(2010, 1, 1), r.attemptedOn());
        }
        // an (older, 3.0 draft) credential without an achievement: the record is rejected, naming the field
        try (InputStream in = Files.newInputStream(Path.of("src/test/resources/fixtures/ob3-clr2/ob30/simple-noproof.json"))) {
            Parsed p = parse(m, "simple-noproof.json", in);
            assertEquals(List.of(new RowRejection(1, "code", "required value is missing")), p.rejections());
        }
    }

    @Test
    void edfiVendorCsvFixtureParses() throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("src/test/resources/fixtures/edfi-assessment-vendor-files/SAT.csv"))) {
            Parsed p = parse(example("edfi-sat"), "SAT.csv", in);
            assertEquals(9, p.results().size(), p.rejections().toString());
            CanonicalResult first = p.result(2);
            assertEquals(LocalDate.of(2000, 11, 21), first.birthDate());
            assertEquals(LocalDate.of(2018, 4, 10), first.attemptedOn());
            assertEquals(new BigDecimal("1150"), first.score());
            assertEquals("FirstName1", first.firstName());
        }
    }

    @Test
    void edfiFixedWidthFixtureParses() throws Exception {
        Path f = Path.of("src/test/resources/fixtures/edfi-dataimport/DI-QA-STUDENT-ASSESSMENTS-2018-GrandBend - Fixed Width.txt");
        try (InputStream in = Files.newInputStream(f)) {
            Parsed p = parse(example("edfi-fixed-width"), f.getFileName().toString(), in);
            assertEquals(10, p.results().size(), p.rejections().toString());
            CanonicalResult first = p.result(2);
            assertEquals("604825", first.vendorCandidateId());
            assertEquals("255901", first.districtCode());
            assertEquals("Grand Bend Elementary School", first.schoolName());
            assertEquals(LocalDate.of(2018, 1, 1), first.attemptedOn());
            assertEquals(new BigDecimal("283"), first.score());
        }
        // the same file with a column moved is header drift
        String moved = Files.readString(f).replaceFirst("adminyear  DistrictNumber", "adminyear   DistrictNumber");
        assertTrue(assertThrows(FileRejectedException.class, () -> parse(example("edfi-fixed-width"), "x",
                new ByteArrayInputStream(moved.getBytes(StandardCharsets.US_ASCII)))).getMessage().startsWith("header drift"));
    }
}
