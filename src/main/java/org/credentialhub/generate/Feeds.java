package org.credentialhub.generate;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.CreationHelper;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.util.WorkbookUtil;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.credentialhub.generate.Attempts.Attempt;

/** Writes each feed's files in its vendor layout (see docs/vendor-layouts.md), recording every row in the ledger. */
final class Feeds {

    static final DateTimeFormatter YMD = DateTimeFormatter.ofPattern("yyyyMMdd");
    static final DateTimeFormatter MDY = DateTimeFormatter.ofPattern("MM/dd/yyyy");
    static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
    static final ZoneId EASTERN = ZoneId.of("America/New_York");
    static final Charset CP1252 = Charset.forName("windows-1252");

    /** How certexam and skillsxlsx rows show their students (IDs, mistypes, missing birth dates, name noise). */
    static final Shown.Profile CERTEXAM = new Shown.Profile(720, 0, 30, 200, 120, true, 10);
    static final Shown.Profile SKILLS = new Shown.Profile(760, 160, 20, 1000, 100, true, 10);

    private final Path out;
    private final StatePlan plan;
    private final Roster roster;
    private final Ledger ledger;
    private final SplittableRandom rnd;
    final Map<String, Long> counts = new TreeMap<>();

    Feeds(Path out, StatePlan plan, Roster roster, Ledger ledger, SplittableRandom rnd) {
        this.out = out;
        this.plan = plan;
        this.roster = roster;
        this.ledger = ledger;
        this.rnd = rnd;
    }

    private Catalog.Credential cred(Attempt a) {
        return plan.catalog.credentials.get(a.credential);
    }

    private StatePlan.School school(int person) {
        return plan.schools.get(roster.school[person]);
    }

    private String psu(int person) {
        return plan.tables.districts.get(school(person).district).psu();
    }

    private String rel(Path p) {
        return out.relativize(p).toString().replace('\\', '/');
    }

    /** A row of a file: the attempt and how it shows its student. */
    record Line(Attempt a, Shown s) { }

    /** Groups attempts into deliveries: file key (date) -> lines; corrections go into the next delivery. */
    private TreeMap<LocalDate, List<Line>> deliveries(List<Attempt> attempts, Shown.Profile prof,
                                                     java.util.function.Function<LocalDate, LocalDate> fileDate,
                                                     int correctionsPerThousand, int identityChangesPerThousand) {
        TreeMap<LocalDate, List<Line>> files = new TreeMap<>();
        for (Attempt a : attempts) {
            Shown s = Shown.of(roster, a.person, prof, rnd);
            LocalDate f = fileDate.apply(a.date);
            LocalDate later = fileDate.apply(f.plusDays(1));
            if (!s.idCorrect && a.person < roster.rosterSize && rnd.nextInt(1000) < correctionsPerThousand) {
                files.computeIfAbsent(f, k -> new ArrayList<>()).add(new Line(a, s));
                Shown fixed = Shown.clean(roster, a.person);
                fixed.corrected = true;
                files.computeIfAbsent(later, k -> new ArrayList<>()).add(new Line(a, fixed));
                continue;
            }
            // identity-changing corrections: another person's details first, the right ones in the next file
            Shown wrong = IdentityCorrections.wrongVersion(roster, a, prof, identityChangesPerThousand);
            files.computeIfAbsent(f, k -> new ArrayList<>()).add(new Line(a, wrong != null ? wrong : s));
            if (wrong != null) {
                files.computeIfAbsent(later, k -> new ArrayList<>()).add(new Line(a, IdentityCorrections.corrected(roster, a)));
            }
        }
        return files;
    }

    private Writer writer(Path file, Charset cs, boolean bom) throws IOException {
        Files.createDirectories(file.getParent());
        OutputStream o = Files.newOutputStream(file);
        if (bom) {
            o.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        }
        return new BufferedWriter(new OutputStreamWriter(o, cs.newEncoder()
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)), 1 << 16);
    }

    /** Re-sends {@code count} files of a feed: identical bytes under another name; their rows go to truth only. */
    private void resend(String feed, List<Path> files, Map<Path, List<Integer>> persons, int count,
                        java.util.function.Function<Path, Path> rename, java.util.function.LongUnaryOperator rowOf)
            throws IOException {
        if (files.isEmpty()) {
            return;
        }
        for (int i = 0; i < count; i++) {
            Path original = files.get(rnd.nextInt(files.size()));
            Path copy = rename.apply(original);
            if (Files.exists(copy)) {
                continue;
            }
            Files.copy(original, copy);
            List<Integer> people = persons.get(original);
            for (int r = 0; r < people.size(); r++) {
                ledger.record(feed, copy.getFileName().toString(), rowOf.applyAsLong(r), people.get(r), false, false);
            }
            counts.put(rel(copy), (long) people.size());
        }
    }

    // ---------------------------------------------------------------- flat files: one writer, a layout a vendor

    /** Writes a dated delivery a file, then re-sends {@code resends} of them a day later. */
    private void dated(FlatLayout layout, TreeMap<LocalDate, List<Line>> files, int resends) throws IOException {
        Path dir = out.resolve(layout.folder());
        Map<Path, List<Integer>> persons = new LinkedHashMap<>();
        for (var e : files.entrySet()) {
            Path f = dir.resolve(layout.name(e.getKey()));
            persons.put(f, write(layout, f, e.getKey(), e.getValue(), rows(layout, e.getValue()), e.getValue().size(), true));
        }
        resend(layout.feed(), new ArrayList<>(persons.keySet()), persons, resends, layout::nextDay, r -> r + 2);
    }

    private static List<List<?>> rows(FlatLayout layout, List<Line> lines) {
        List<List<?>> rows = new ArrayList<>(lines.size());
        for (Line l : lines) {
            rows.add(layout.row().apply(l));
        }
        return rows;
    }

    /**
     * Writes one file: the header, the first {@code n} rows (each in the ledger, the header being row 1) and the
     * trailer, which counts every row of the delivery (a file cut short says so). Returns the rows' persons.
     */
    private List<Integer> write(FlatLayout layout, Path f, LocalDate date, List<Line> lines, List<List<?>> rows, int n,
                                boolean complete) throws IOException {
        List<Integer> people = new ArrayList<>();
        try (FlatLayout.LineWriter w = layout.lines().open(writer(f, layout.charset(), layout.bom()))) {
            w.write(layout.header().apply(date));
            for (int k = 0; k < n; k++) {
                w.write(rows.get(k));
                Line l = lines.get(k);
                ledger.record(layout.feed(), f.getFileName().toString(), k + 2, l.a().person, l.s().needsDecision(), complete);
                people.add(l.a().person);
            }
            if (layout.trailer() != null) {
                w.write(layout.trailer().apply(rows.size()));
            }
        }
        counts.put(rel(f), (long) n);
        return people;
    }

    // ---------------------------------------------------------------- certexam

    void certexam(List<Attempt> attempts) throws IOException {
        dated(certexamLayout(), deliveries(attempts, CERTEXAM, d -> d.with(TemporalAdjusters.next(DayOfWeek.MONDAY)), 8,
                IdentityCorrections.CERTEXAM_PER_THOUSAND), 2);
    }

    private FlatLayout certexamLayout() {
        return new FlatLayout("certexam", "sftp/certexam", "certexam_results_", YMD, ".csv", StandardCharsets.UTF_8, true,
                FlatLayout.csv(CSVFormat.RFC4180.builder().setRecordSeparator("\r\n").build()),
                date -> List.of("candidateId", "orgCandidateId", "firstName", "lastName", "email", "birthDate", "examName",
                        "examCode", "examFormId", "deliveryDateTime", "passFail", "reportedScore", "cutScore", "rawScore",
                        "maxRawScore", "percent", "testCenterId", "testCenterName"),
                this::certexamRow, null);
    }

    /**
     * One certexam file of these lines, written as they come ({@link BenchStates} writes a million: they are never all
     * in memory), each row in the ledger; each row's person to {@code people}.
     */
    void certexamFile(Path f, Iterable<Line> lines, java.util.function.IntConsumer people) throws IOException {
        FlatLayout layout = certexamLayout();
        long n = 0;
        try (FlatLayout.LineWriter w = layout.lines().open(writer(f, layout.charset(), layout.bom()))) {
            w.write(layout.header().apply(null));
            for (Line l : lines) {
                w.write(layout.row().apply(l));
                n++;
                ledger.record(layout.feed(), f.getFileName().toString(), n + 1, l.a().person, l.s().needsDecision(), true);
                people.accept(l.a().person);
            }
        }
        counts.put(rel(f), n);
    }

    private List<?> certexamRow(Line l) {
        Attempt a = l.a();
        Shown s = l.s();
        Catalog.Credential c = cred(a);
        SplittableRandom r = new SplittableRandom(a.person * 31L + a.credential.hashCode() + a.date.toEpochDay());
        int raw = a.passed ? 35 + r.nextInt(16) : 12 + r.nextInt(23);
        int reported = a.passed ? 700 + (raw - 35) * 20 : 300 + (raw - 12) * 17;
        String email = switch (r.nextInt(5)) {
            case 0, 1, 2 -> roster.email[a.person];
            case 3 -> roster.personalEmail(a.person);
            default -> "";
        };
        String when = LocalDateTime.of(a.date, java.time.LocalTime.of(a.minute / 60, a.minute % 60))
                .atZone(EASTERN).toOffsetDateTime().format(OFFSET);
        StatePlan.School sch = school(a.person);
        return Arrays.asList("C" + (10_000_000 + a.person), s.id, s.first, s.last, email,
                s.birth == null ? "" : s.birth.toString(), c.name(), c.examCode(),
                c.examCode() + "-F" + (1 + r.nextInt(3)), when, a.passed ? "Pass" : "Fail", reported, 700, raw,
                50, raw * 2, "TC" + sch.code, sch.name);
    }

    // ---------------------------------------------------------------- tradesreg

    void tradesreg(List<Attempt> attempts) throws IOException {
        Shown.Profile prof = new Shown.Profile(780, 70, 30, 80, 100, true, 10);
        TreeMap<LocalDate, List<Line>> files = new TreeMap<>();
        for (Attempt a : attempts) {
            Shown s = Shown.of(roster, a.person, prof, rnd);
            LocalDate f = a.date.withDayOfMonth(1).plusMonths(1);
            files.computeIfAbsent(f, k -> new ArrayList<>()).add(new Line(a, s));
            if (a.date.getDayOfMonth() >= a.date.lengthOfMonth() - 2 && rnd.nextBoolean()) {
                files.computeIfAbsent(f.plusMonths(1), k -> new ArrayList<>()).add(new Line(a, s));
            }
        }
        dated(new FlatLayout("tradesreg", "sftp/tradesreg", "tradesreg_modules_", DateTimeFormatter.ISO_LOCAL_DATE, ".tsv",
                StandardCharsets.UTF_8, false, FlatLayout.joined("\t", "\n"),
                date -> List.of("CardNumber", "AlternateID", "LastName", "FirstName", "MI", "DOB", "ModuleID",
                        "ModuleTitle", "CompletionDate", "WrittenScore", "PerformanceProfile", "InstructorName",
                        "TrainingSponsorCode", "TrainingLocation"),
                this::tradesregRow, null), files, 1);
    }

    private List<?> tradesregRow(Line l) {
        Attempt a = l.a();
        Shown s = l.s();
        Catalog.Credential c = cred(a);
        SplittableRandom r = new SplittableRandom(a.person * 17L + a.credential.hashCode());
        StatePlan.School sch = school(a.person);
        return Arrays.asList(String.valueOf(20_000_000 + a.person), s.id, s.last, s.first,
                r.nextInt(4) == 0 ? "" : s.middle, s.birth == null ? "" : s.birth.format(MDY), c.examCode(),
                c.name().replace("NC NCCER Module ", "Module "), a.date.format(MDY),
                String.valueOf(70 + r.nextInt(31)), c.name().contains("Performance Profile") ? "Y" : "",
                "Instructor " + (char) ('A' + r.nextInt(26)) + ". " + sch.name.split(" ")[0],
                "TS" + psu(a.person), sch.name);
    }

    // ---------------------------------------------------------------- foodsafe

    void foodsafe(List<Attempt> attempts) throws IOException {
        Shown.Profile prof = new Shown.Profile(0, 0, 0, 40, 120, true);
        LocalDate start = LocalDate.of(2024, 7, 1);
        var files = deliveries(attempts, prof, d -> start.plusDays(14 * (Math.floorDiv(d.toEpochDay()
                - start.toEpochDay(), 14) + 1)), 0, IdentityCorrections.FOODSAFE_PER_THOUSAND);
        int seq = 1;
        int cut = files.isEmpty() ? -1 : rnd.nextInt(files.size());
        int resent = files.isEmpty() ? -1 : rnd.nextInt(files.size());
        int i = 0;
        long[] examId = {5_000_000};
        // an attempt sent again (an identity-changing correction) keeps its ExamID: the attempt key
        Map<Attempt, Long> examIds = new java.util.IdentityHashMap<>();
        FlatLayout layout = new FlatLayout("foodsafe", "sftp/foodsafe", "FOODSAFE_EXPORT_", null, ".txt", CP1252, false,
                FlatLayout.joined("|", "\r\n"),
                date -> List.of("ExamID", "LastName", "FirstName", "BirthDate", "SchoolName", "SchoolCity", "ExamType",
                        "Score", "Result", "ExamDate", "CertificateNumber", "ExpirationDate"),
                l -> {
                    Long known = examIds.get(l.a());
                    long id = known != null ? known : examId[0]++;
                    examIds.put(l.a(), id);
                    return foodsafeRow(l, id);
                },
                rows -> List.of("TRL", rows));
        Path dir = out.resolve(layout.folder());
        for (var e : files.entrySet()) {
            List<Line> lines = e.getValue();
            List<List<?>> rows = rows(layout, lines);
            if (i == cut && lines.size() >= 4) {
                write(layout, dir.resolve(layout.name(seq++)), null, lines, rows, lines.size() / 2, false);
            }
            Path f = dir.resolve(layout.name(seq++));
            write(layout, f, null, lines, rows, lines.size(), true);
            if (i == resent) {
                Path copy = dir.resolve(layout.name(seq++));
                Files.copy(f, copy);
                for (int k = 0; k < lines.size(); k++) {
                    ledger.record("foodsafe", copy.getFileName().toString(), k + 2, lines.get(k).a().person, false, false);
                }
                counts.put(rel(copy), (long) lines.size());
            }
            i++;
        }
    }

    private List<?> foodsafeRow(Line l, long id) {
        Attempt a = l.a();
        Shown s = l.s();
        Catalog.Credential c = cred(a);
        StatePlan.School sch = school(a.person);
        SplittableRandom r = new SplittableRandom(a.person * 13L + a.credential.hashCode() + a.date.toEpochDay());
        int score = a.passed ? 75 + r.nextInt(26) : 40 + r.nextInt(35);
        String city = plan.tables.districts.get(sch.district).name().split(" ")[0];
        return Arrays.asList("FS" + id, s.last, s.first, s.birth == null ? "" : s.birth.format(YMD),
                sch.name, city, c.examCode(), String.valueOf(score), a.passed ? "P" : "F", a.date.format(YMD),
                a.passed ? "NC" + (7_000_000 + id + 1) : "", a.passed ? a.date.plusYears(5).format(YMD) : "");
    }

    // ---------------------------------------------------------------- workskills

    void workskills(List<Attempt> attempts) throws IOException {
        Shown.Profile prof = new Shown.Profile(820, 0, 30, 50, 100, false, 10);
        dated(new FlatLayout("workskills", "sftp/workskills", "WS", YMD, ".DAT", StandardCharsets.US_ASCII, false,
                FlatLayout.joined("", "\r\n"),
                date -> List.of("H" + date.format(YMD) + pad("WORKSKILLS", 10)),
                this::workskillsRow,
                rows -> List.of("T" + String.format("%09d", rows))),
                deliveries(attempts, prof, d -> d.with(TemporalAdjusters.next(DayOfWeek.FRIDAY)), 0, 0), 1);
    }

    private List<?> workskillsRow(Line l) {
        Attempt a = l.a();
        Shown s = l.s();
        SplittableRandom r = new SplittableRandom(a.person * 7L + a.credential.hashCode() + a.date.toEpochDay());
        int score = a.passed ? 70 + r.nextInt(30) : 30 + r.nextInt(40);
        return List.of("D" + pad(s.id, 10) + pad(Names.ascii(s.last).toUpperCase(), 25)
                + pad(Names.ascii(s.first).toUpperCase(), 15) + pad(s.birth == null ? "" : s.birth.format(YMD), 8)
                + pad(psu(a.person), 6) + pad(school(a.person).code, 6) + pad(cred(a).examCode(), 8)
                + a.date.format(YMD) + String.format("%03d%03d", score, 70) + (a.passed ? "Y" : "N"));
    }

    static String pad(String s, int width) {
        if (s.length() >= width) {
            return s.substring(0, width);
        }
        return s + " ".repeat(width - s.length());
    }

    // ---------------------------------------------------------------- skillsxlsx

    void skillsxlsx(List<Attempt> attempts) throws IOException {
        Path dir = out.resolve("sftp/skillsxlsx");
        Files.createDirectories(dir);
        Shown.Profile prof = SKILLS;
        // file (district, date) -> school -> lines
        TreeMap<String, TreeMap<Integer, List<Line>>> files = new TreeMap<>();
        for (Attempt a : attempts) {
            Shown s = Shown.of(roster, a.person, prof, rnd);
            LocalDate f = a.date.isBefore(Roster.YEAR_START) ? LocalDate.of(2024, 7, 15)
                    : a.date.isBefore(LocalDate.of(2025, 1, 25)) ? LocalDate.of(2025, 1, 31) : LocalDate.of(2025, 6, 20);
            String name = "skills_" + psu(a.person) + "_" + f.format(YMD) + ".xlsx";
            files.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(roster.school[a.person],
                    k -> new ArrayList<>()).add(new Line(a, s));
        }
        List<Path> written = new ArrayList<>();
        Map<Path, List<String[]>> rowsOf = new LinkedHashMap<>();
        for (var e : files.entrySet()) {
            Path f = dir.resolve(e.getKey());
            List<String[]> records = skillsWorkbook(f, e.getValue());
            written.add(f);
            rowsOf.put(f, records);
            counts.put(rel(f), (long) records.size());
        }
        if (!written.isEmpty()) {
            Path original = written.get(rnd.nextInt(written.size()));
            String name = original.getFileName().toString();
            int us = name.lastIndexOf('_');
            Path copy = original.resolveSibling(name.substring(0, us + 1)
                    + LocalDate.parse(name.substring(us + 1, us + 9), YMD).plusDays(1).format(YMD) + ".xlsx");
            if (!Files.exists(copy)) {
                Files.copy(original, copy);
                for (String[] r : rowsOf.get(original)) {
                    ledger.record("skillsxlsx", copy.getFileName() + "#" + r[0], Long.parseLong(r[1]),
                            Integer.parseInt(r[2]), false, false);
                }
                counts.put(rel(copy), (long) rowsOf.get(original).size());
            }
        }
    }

    /**
     * One end-of-program workbook (a district's file): a sheet per school of these lines; returns each row's sheet,
     * row number and person. {@link BenchStates} writes its small monthly workbooks with it.
     */
    List<String[]> skillsWorkbook(Path f, Map<Integer, List<Line>> bySchool) throws IOException {
        Date created = Date.from(LocalDate.of(2025, 6, 30).atStartOfDay().toInstant(ZoneOffset.UTC));
        List<String[]> records = new ArrayList<>();
        String fileName = f.getFileName().toString();
        try (XSSFWorkbook wb = new XSSFWorkbook()) {
            wb.getProperties().getCoreProperties().setCreated(Optional.of(created));
            wb.getProperties().getCoreProperties().setCreator("Skills Assessment Portal");
            CreationHelper h = wb.getCreationHelper();
            CellStyle dateStyle = wb.createCellStyle();
            dateStyle.setDataFormat(h.createDataFormat().getFormat("m/d/yyyy"));
            java.util.Set<String> used = new java.util.HashSet<>();
            for (var se : bySchool.entrySet()) {
                StatePlan.School sch = plan.schools.get(se.getKey());
                String sheetName = WorkbookUtil.createSafeSheetName(sch.name);
                for (int k = 2; !used.add(sheetName.toLowerCase()); k++) {
                    sheetName = WorkbookUtil.createSafeSheetName(sch.name.substring(0, Math.min(26, sch.name.length()))
                            + " " + k);
                }
                Sheet sh = wb.createSheet(sheetName);
                sh.createRow(0).createCell(0).setCellValue("End-of-Program Exam Results - " + sch.name);
                Row head = sh.createRow(2);
                String[] cols = {"Student ID", "Student Name", "Grade", "Exam", "Exam Code", "Date Taken", "Score",
                    "Passed", "School"};
                for (int c = 0; c < cols.length; c++) {
                    head.createCell(c).setCellValue(cols[c]);
                }
                int rowIndex = 3;
                for (Line l : se.getValue()) {
                    Attempt a = l.a();
                    Shown s = l.s();
                    Catalog.Credential c = cred(a);
                    SplittableRandom r = new SplittableRandom(a.person * 11L + a.credential.hashCode() + a.date.toEpochDay());
                    Row row = sh.createRow(rowIndex++);
                    row.createCell(0).setCellValue(s.id);
                    row.createCell(1).setCellValue(s.last + ", " + s.first);
                    row.createCell(2).setCellValue(roster.grade[a.person]);
                    row.createCell(3).setCellValue(c.name());
                    row.createCell(4).setCellValue(c.examCode());
                    var dc = row.createCell(5);
                    dc.setCellValue(a.date);
                    dc.setCellStyle(dateStyle);
                    row.createCell(6).setCellValue(a.passed ? 70 + r.nextInt(31) : 30 + r.nextInt(40));
                    row.createCell(7).setCellValue(a.passed);
                    row.createCell(8).setCellValue(sch.name);
                    ledger.record("skillsxlsx", fileName + "#" + sheetName, rowIndex, a.person, s.needsDecision(), true);
                    records.add(new String[] {sheetName, String.valueOf(rowIndex), String.valueOf(a.person)});
                }
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            wb.write(bytes);
            Files.write(f, fixedTimes(bytes.toByteArray()));
        }
        return records;
    }

    /** The same zip with every entry dated 2025-06-30, so that the same seed gives the same bytes. */
    static byte[] fixedTimes(byte[] zip) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(zip.length);
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip));
             var z = new java.util.zip.ZipOutputStream(out)) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                var n = new java.util.zip.ZipEntry(e.getName());
                n.setTimeLocal(LocalDateTime.of(2025, 6, 30, 0, 0));
                z.putNextEntry(n);
                in.transferTo(z);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- badges APIs (BadgeFeeds)

    void badges(List<Attempt> attempts) throws IOException {
        new BadgeFeeds(out, plan.catalog, roster, ledger, rnd, counts).badges(attempts);
    }

    void issuedbadges(List<Attempt> attempts) throws IOException {
        new BadgeFeeds(out, plan.catalog, roster, ledger, rnd, counts).issuedbadges(attempts);
    }

    // ---------------------------------------------------------------- district entries

    void district(List<Attempt> attempts) throws IOException {
        Path dir = out.resolve("district");
        Path ev = dir.resolve("evidence");
        Files.createDirectories(ev);
        Shown.Profile prof = new Shown.Profile(930, 0, 30, 20, 20, true, 10);
        List<Attempt> sorted = new ArrayList<>(attempts);
        sorted.sort(java.util.Comparator.comparing((Attempt a) -> psu(a.person)).thenComparing(Attempts.ORDER));
        long n = 0;
        java.util.Set<Path> dirs = new java.util.HashSet<>();
        try (CSVPrinter p = Roster.printer(dir.resolve("entries.csv"))) {
            p.printRecord("district_code", "state_id", "first_name", "last_name", "birth_date", "credential_code",
                    "earned_on", "score", "evidence_file");
            for (Attempt a : sorted) {
                Shown s = Shown.of(roster, a.person, prof, rnd);
                n++;
                String psu = psu(a.person);
                boolean png = rnd.nextInt(5) == 0;
                String evidence = psu + "/E" + String.format("%07d", n) + (png ? ".png" : ".pdf");
                Path ef = ev.resolve(evidence);
                if (dirs.add(ef.getParent())) {
                    Files.createDirectories(ef.getParent());
                }
                Files.write(ef, png ? Evidence.png() : Evidence.pdf("Certificate E" + String.format("%07d", n)));
                p.printRecord(psu, s.id, s.first, s.last, s.birth == null ? "" : s.birth.toString(), a.credential,
                        a.date.toString(), rnd.nextInt(3) == 0 ? String.valueOf(70 + rnd.nextInt(31)) : "", evidence);
                // an entry dated in an earlier school year is refused at entry (the credential is not one the
                // catalog of that year lets districts enter): no result, so no district decision either
                ledger.record("district", "entries.csv", n + 1, a.person, s.needsDecision(),
                        a.kind != Attempts.Kind.PRIOR_YEAR);
            }
        }
        counts.put("district/entries.csv", n);
    }
}
