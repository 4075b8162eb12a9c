package org.credentialhub.generate;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Postsecondary credit awards (layout {@code mappings/creditawards.yaml}): a share of the students who earned a
 * credential that has an articulation agreement holding in the year are awarded its credit hours by one of its
 * institutions, 1 to 8 weeks after they earned it (within the year). Drawn from a random stream of its own, after
 * every other file, so no other generated value changes; the students are shown as the roster has them (the
 * awards match by state ID). {@code expected/articulation-credit.csv} records what the articulation-credit report
 * must show: per agreement, the students who earned the credential (Table 11's earners), those awarded credit and
 * the credit hours.
 */
final class ArticulationAwards {
    /** The share of earners of a credential with an agreement who are awarded credit, in percent. */
    static final int AWARDED_PERCENT = 12;
    static final String DIR = "sftp/creditawards";
    static final String EXPECTED = "expected/articulation-credit.csv";

    private record Award(int person, Catalog.Agreement agreement, LocalDate on) { }

    private final StatePlan plan;
    private final Roster roster;
    private final SplittableRandom rnd;

    ArticulationAwards(StatePlan plan, Roster roster, SplittableRandom rnd) {
        this.plan = plan;
        this.roster = roster;
        this.rnd = rnd;
    }

    /** Writes the award files and the expected report; returns the files written with their rows. */
    Map<String, Long> write(Path out, Attempts attempts) throws IOException {
        Map<String, List<Catalog.Agreement>> byCredential = new LinkedHashMap<>();
        for (Catalog.Agreement a : plan.catalog.agreements) {
            if (a.holdsIn(Roster.YEAR)) {
                byCredential.computeIfAbsent(a.credential(), k -> new ArrayList<>()).add(a);
            }
        }
        Map<String, Long> files = new TreeMap<>();
        if (byCredential.isEmpty()) {
            return files;
        }
        List<Award> awards = new ArrayList<>();
        for (List<Attempts.Attempt> feed : attempts.byFeed.values()) {
            for (Attempts.Attempt a : feed) {
                List<Catalog.Agreement> agreements = byCredential.get(a.credential);
                if (a.kind != Attempts.Kind.EARNED || agreements == null || rnd.nextInt(100) >= AWARDED_PERCENT) {
                    continue;
                }
                LocalDate on = a.date.plusDays(7 + rnd.nextInt(50));
                awards.add(new Award(a.person, agreements.get(rnd.nextInt(agreements.size())),
                        on.isAfter(Roster.YEAR_END) ? Roster.YEAR_END : on));
            }
        }
        awards.sort(java.util.Comparator.comparing(Award::on).thenComparingInt(Award::person));
        TreeMap<LocalDate, List<Award>> monthly = new TreeMap<>();
        for (Award a : awards) {
            monthly.computeIfAbsent(a.on().with(TemporalAdjusters.lastDayOfMonth()), k -> new ArrayList<>()).add(a);
        }
        Files.createDirectories(out.resolve(DIR));
        int id = 0;
        for (Map.Entry<LocalDate, List<Award>> m : monthly.entrySet()) {
            String name = "credit_awards_" + Feeds.YMD.format(m.getKey()) + ".csv";
            try (Writer w = Files.newBufferedWriter(out.resolve(DIR).resolve(name), StandardCharsets.UTF_8);
                 CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180.builder().setRecordSeparator("\r\n").build())) {
                p.printRecord("AwardID", "Institution", "Program", "CollegeStudentID", "StateStudentID", "FirstName",
                        "LastName", "BirthDate", "CredentialCode", "CreditHours", "AwardDate");
                for (Award a : m.getValue()) {
                    id++;
                    p.printRecord(String.format("AW%06d", id), a.agreement().institution(), a.agreement().program(),
                            String.format("S%07d", a.person()), roster.stateId[a.person()], roster.first[a.person()],
                            roster.last[a.person()], roster.birth[a.person()], a.agreement().credential(),
                            a.agreement().creditHours().toPlainString(), a.on());
                }
            }
            files.put(DIR + "/" + name, (long) m.getValue().size());
        }
        writeExpected(out.resolve(EXPECTED), byCredential, awards);
        files.put(EXPECTED, byCredential.values().stream().mapToLong(List::size).sum());
        return files;
    }

    /** The report's figures per agreement: earners of the credential (Table 11's), students awarded, credit hours. */
    private void writeExpected(Path file, Map<String, List<Catalog.Agreement>> byCredential, List<Award> awards)
            throws IOException {
        Map<String, Set<Integer>> earners = new HashMap<>();
        for (StatePlan.Earned e : plan.earned) {
            earners.computeIfAbsent(plan.tables.courseCredentials.get(e.row()).credentialCode(), k -> new HashSet<>())
                    .add(e.student());
        }
        Map<Catalog.Agreement, Set<Integer>> awarded = new HashMap<>();
        Map<Catalog.Agreement, BigDecimal> hours = new HashMap<>();
        for (Award a : awards) {
            awarded.computeIfAbsent(a.agreement(), k -> new HashSet<>()).add(a.person());
            hours.merge(a.agreement(), a.agreement().creditHours(), BigDecimal::add);
        }
        Files.createDirectories(file.getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180.builder().setRecordSeparator("\n").build())) {
            p.printRecord("credential_code", "institution", "program", "earned", "awarded", "credit_hours_awarded");
            for (List<Catalog.Agreement> list : byCredential.values()) {
                for (Catalog.Agreement a : list) {
                    p.printRecord(a.credential(), a.institution(), a.program(),
                            earners.getOrDefault(a.credential(), Set.of()).size(),
                            awarded.getOrDefault(a, Set.of()).size(),
                            hours.getOrDefault(a, BigDecimal.ZERO).setScale(0, java.math.RoundingMode.HALF_UP).toPlainString());
                }
            }
        }
    }
}
