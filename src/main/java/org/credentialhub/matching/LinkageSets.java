package org.credentialhub.matching;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Converts the public person-linkage sets (FEBRL 1/2, FEBRL generator sets D/F, Splink fake_1000) into the
 * roster/results CSV pair plus truth that {@code ./hub link} reads. Student-shaped reading: given name → first name,
 * surname → last name, date of birth → birth date, postcode (fake_1000: city) → school, and as state ID:
 * <ul>
 *   <li>FEBRL 1/2 and generator sets: {@code soc_sec_id} as delivered (the generators corrupt it in some
 *       duplicates, like a vendor typing an ID wrong);</li>
 *   <li>generator sets, variant {@code synid}: a synthetic clean ID, the person number ({@code rec_id} without its last
 *       digit), i.e. a state ID copied correctly;</li>
 *   <li>fake_1000 (no ID column): synthetic ID from {@code cluster}.</li>
 * </ul>
 * FEBRL 1/2 (one file each): originals ({@code -org}) become the roster, duplicates the results. Generator sets:
 * {@code org} file → roster, {@code dup} file → results. fake_1000: the most complete record of each cluster (ties: lowest
 * {@code unique_id}) → roster, the others → results. Results are written three times: state ID on all rows, on every second row, on none.
 */
public final class LinkageSets {
    private LinkageSets() {
    }

    /** Roster rows, result rows (both {@code id,state_id,first_name,last_name,birth_date,school}), truth pairs. */
    public record Converted(String name, List<String[]> roster, List<String[]> results, List<String[]> truth) {
    }

    /** ID conditions written for each set. */
    public static final String[] CONDITIONS = {"none", "half", "all"};

    /** All sets found under {@code dataDir} (the hub's copy: {@code Reference.path("linkage")}). */
    public static List<Converted> all(Path dataDir) throws IOException {
        List<Converted> out = new ArrayList<>();
        for (String f : new String[] {"dataset1", "dataset2"}) {
            Path p = dataDir.resolve("febrl").resolve(f + ".csv");
            if (Files.exists(p)) {
                out.add(febrl("febrl_" + f, p));
            }
        }
        for (String s : new String[] {"D", "F"}) {
            for (int n : new int[] {1000, 2500, 5000}) {
                Path dir = dataDir.resolve("febrl-dsgen");
                Path org = dir.resolve("dataset_" + s + "_org_" + n + ".csv");
                if (Files.exists(org)) {
                    out.add(dsgen("dsgen_" + s + "_" + n, dir, s, n, false));
                    out.add(dsgen("dsgen_" + s + "_" + n + "_synid", dir, s, n, true));
                }
            }
        }
        Path fake = dataDir.resolve("splink-fake1000").resolve("fake_1000.csv");
        if (Files.exists(fake)) {
            out.add(fake1000("splink_fake1000", fake));
        }
        return out;
    }

    /** Writes {@code roster.csv}, {@code results_<condition>.csv} and {@code truth.csv} into {@code dir}. */
    public static void write(Converted c, Path dir) throws IOException {
        Files.createDirectories(dir);
        String[] header = {"id", "state_id", "first_name", "last_name", "birth_date", "school"};
        writeCsv(dir.resolve("roster.csv"), header, c.roster());
        for (String cond : CONDITIONS) {
            List<String[]> rows = new ArrayList<>(c.results().size());
            for (int i = 0; i < c.results().size(); i++) {
                String[] r = c.results().get(i).clone();
                boolean keep = cond.equals("all") || (cond.equals("half") && i % 2 == 0);
                if (!keep) {
                    r[1] = "";
                }
                rows.add(r);
            }
            writeCsv(dir.resolve("results_" + cond + ".csv"), header, rows);
        }
        writeCsv(dir.resolve("truth.csv"), new String[] {"result_id", "roster_id"}, c.truth());
    }

    private static void writeCsv(Path file, String[] header, List<String[]> rows) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header).setRecordSeparator('\n')
                     .get())) {
            for (String[] r : rows) {
                p.printRecord((Object[]) r);
            }
        }
    }

    private static List<Map<String, String>> readCsv(Path file) throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                     .setIgnoreSurroundingSpaces(true).get().parse(r)) {
            List<String> names = new ArrayList<>();
            for (String h : p.getHeaderNames()) {
                names.add(h.trim());
            }
            for (CSVRecord rec : p) {
                Map<String, String> m = new HashMap<>();
                for (int i = 0; i < names.size() && i < rec.size(); i++) {
                    m.put(names.get(i), rec.get(i).trim());
                }
                out.add(m);
            }
        }
        return out;
    }

    /** YYYYMMDD → YYYY-MM-DD, blank when not a valid date. */
    static String isoDate(String yyyymmdd) {
        if (yyyymmdd == null || !yyyymmdd.matches("\\d{8}")) {
            return "";
        }
        int d = Integer.parseInt(yyyymmdd);
        if (!Comparisons.validDate(d)) {
            return "";
        }
        return yyyymmdd.substring(0, 4) + "-" + yyyymmdd.substring(4, 6) + "-" + yyyymmdd.substring(6, 8);
    }

    private static String[] row(String id, String stateId, Map<String, String> m, String firstCol, String lastCol,
                                String dob, String school) {
        return new String[] {id, nz(stateId), nz(m.get(firstCol)), nz(m.get(lastCol)), dob, nz(school)};
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    static Converted febrl(String name, Path file) throws IOException {
        List<String[]> roster = new ArrayList<>();
        List<String[]> results = new ArrayList<>();
        List<String[]> truth = new ArrayList<>();
        Map<String, String> orgOf = new HashMap<>();
        List<Map<String, String>> rows = readCsv(file);
        for (Map<String, String> m : rows) {
            String id = m.get("rec_id");
            String[] r = row(id, m.get("soc_sec_id"), m, "given_name", "surname", isoDate(m.get("date_of_birth")),
                    m.get("postcode"));
            if (id.endsWith("-org")) {
                roster.add(r);
                orgOf.put(id.substring(0, id.length() - 4), id);
            } else {
                results.add(r);
            }
        }
        for (String[] r : results) {
            String person = r[0].substring(0, r[0].indexOf("-dup-"));
            String org = orgOf.get(person);
            if (org != null) {
                truth.add(new String[] {r[0], org});
            }
        }
        return new Converted(name, roster, results, truth);
    }

    static Converted dsgen(String name, Path dir, String set, int size, boolean syntheticId) throws IOException {
        List<String[]> roster = new ArrayList<>();
        List<String[]> results = new ArrayList<>();
        for (Map<String, String> m : readCsv(dir.resolve("dataset_" + set + "_org_" + size + ".csv"))) {
            roster.add(dsgenRow(m, syntheticId));
        }
        for (Map<String, String> m : readCsv(dir.resolve("dataset_" + set + "_dup_" + size + ".csv"))) {
            results.add(dsgenRow(m, syntheticId));
        }
        Map<String, String> orgOfPerson = new HashMap<>();
        for (String[] r : roster) {
            orgOfPerson.put(person(r[0]), r[0]);
        }
        List<String[]> truth = new ArrayList<>();
        for (String[] r : results) {
            String org = orgOfPerson.get(person(r[0]));
            if (org != null) {
                truth.add(new String[] {r[0], org});
            }
        }
        return new Converted(name, roster, results, truth);
    }

    private static String person(String recId) {
        return recId.substring(0, recId.length() - 1);
    }

    private static String[] dsgenRow(Map<String, String> m, boolean syntheticId) {
        String id = m.get("rec_id");
        String sid = syntheticId ? "P" + person(id) : m.get("soc_sec_id");
        return row(id, sid, m, "given_name", "surname", isoDate(m.get("date_of_birth")), m.get("postcode"));
    }

    private static int filled(Map<String, String> m) {
        int k = 0;
        for (String c : new String[] {"first_name", "surname", "dob", "city"}) {
            String v = m.get(c);
            if (v != null && !v.isBlank()) {
                k++;
            }
        }
        return k;
    }

    static Converted fake1000(String name, Path file) throws IOException {
        Map<String, List<Map<String, String>>> clusters = new TreeMap<>();
        for (Map<String, String> m : readCsv(file)) {
            clusters.computeIfAbsent(m.get("cluster"), k -> new ArrayList<>()).add(m);
        }
        List<String[]> roster = new ArrayList<>();
        List<String[]> results = new ArrayList<>();
        List<String[]> truth = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (List<Map<String, String>> members : clusters.values()) {
            members.sort((a, b) -> Integer.compare(Integer.parseInt(a.get("unique_id")),
                    Integer.parseInt(b.get("unique_id"))));
            // the most complete record of the cluster plays the roster (ties: lowest unique_id)
            Map<String, String> rep = members.get(0);
            for (Map<String, String> m : members) {
                if (filled(m) > filled(rep)) {
                    rep = m;
                }
            }
            members.remove(rep);
            members.add(0, rep);
            String rosterId = null;
            for (Map<String, String> m : members) {
                String dob = m.get("dob");
                String[] r = row(m.get("unique_id"), "C" + m.get("cluster"), m, "first_name", "surname",
                        dob != null && dob.matches("\\d{4}-\\d{2}-\\d{2}") ? dob : "", m.get("city"));
                if (rosterId == null) {
                    rosterId = r[0];
                    roster.add(r);
                } else {
                    results.add(r);
                    truth.add(new String[] {r[0], rosterId});
                }
            }
            seen.put(rosterId, rosterId);
        }
        return new Converted(name, roster, results, truth);
    }
}
