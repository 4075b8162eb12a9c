package org.credentialhub.matching;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File-level linkage behind {@code ./hub link}: reads roster and result CSVs ({@code id,state_id,first_name,last_name,
 * birth_date,school}; optional {@code district}, {@code group_key}, {@code candidate_key}), hashes state IDs with a
 * per-run HMAC key, fits the model, matches, writes {@code result_id,roster_id,decision,score} and, given a truth
 * file ({@code result_id,roster_id}), evaluates the auto-matches.
 */
public final class LinkRunner {
    private static final Logger LOG = LoggerFactory.getLogger(LinkRunner.class);

    /** Evaluation of one run against truth. */
    public record Metrics(int resultRows, int matches, int reviews, int nones, int truthPairs, int correct,
                          double precision, double recall, double f1, double reviewRate) {
        /** The line external checks parse. */
        public String line() {
            return String.format(Locale.ROOT, "precision=%.4f recall=%.4f f1=%.4f review_rate=%.4f",
                    precision, recall, f1, reviewRate);
        }
    }

    private record Table(List<String> ids, List<String[]> rows, boolean hasGroup, boolean hasCandidate,
                         boolean hasDistrict) {
    }

    private static final String[] COLS = {"id", "state_id", "first_name", "last_name", "birth_date", "school",
        "district", "group_key", "candidate_key"};

    private final MatchSettings settings;
    private byte[] hmacKey;
    private Path explain;

    public LinkRunner(MatchSettings settings) {
        this.settings = settings;
    }

    /** Uses this HMAC key for state IDs instead of a random per-run key. */
    public LinkRunner hmacKey(byte[] key) {
        this.hmacKey = key.clone();
        return this;
    }

    /** Also writes the candidates of every review and their reasons to this CSV. */
    public LinkRunner explainTo(Path file) {
        this.explain = file;
        return this;
    }

    /**
     * Runs the linkage.
     *
     * @param crosswalk optional CSV {@code candidate_key,roster_id}
     * @param truth     optional CSV {@code result_id,roster_id}
     * @param console   where the summary lines go (last line = metrics when truth is given)
     * @return metrics when truth is given, else null
     */
    public Metrics run(Path roster, Path results, Path out, Path truth, Path crosswalk, PrintStream console)
            throws IOException {
        byte[] key = hmacKey;
        if (key == null) {
            key = new byte[32];
            new SecureRandom().nextBytes(key);
        }
        org.credentialhub.support.Hmac hasher = new org.credentialhub.support.Hmac(key);
        long t0 = System.nanoTime();
        Table rt = read(roster, "roster");
        RosterIndex.Builder ib = RosterIndex.builder(rt.rows.size());
        int[] badDates = new int[1];
        for (int i = 0; i < rt.rows.size(); i++) {
            String[] c = rt.rows.get(i);
            ib.add(new RosterRecord(i, hasher.stateId(c[1]), c[2], c[3], date(c[4], badDates), c[5], c[6],
                    hasher.stateIdNear(c[1])));
        }
        RosterIndex index = ib.build();
        long t1 = System.nanoTime();
        Table st = read(results, "results");
        List<ResultRecord> batch = new ArrayList<>(st.rows.size());
        for (int i = 0; i < st.rows.size(); i++) {
            String[] c = st.rows.get(i);
            batch.add(new ResultRecord(i, blankToNull(c[7]), hasher.stateId(c[1]), c[2], c[3], date(c[4], badDates),
                    c[5], c[6], blankToNull(c[8]), hasher.stateIdNear(c[1])));
        }
        Map<String, Integer> rosterRow = new HashMap<>();
        for (int i = 0; i < rt.ids.size(); i++) {
            rosterRow.putIfAbsent(rt.ids.get(i), i);
        }
        Crosswalk cw = crosswalk == null ? Crosswalk.empty() : readCrosswalk(crosswalk, rosterRow);
        Matcher matcher = Matcher.trained(index, batch, settings, cw);
        long t2 = System.nanoTime();
        List<Decision> decisions = matcher.matchBatch(batch);
        long t3 = System.nanoTime();
        if (badDates[0] > 0) {
            LOG.info("{} birth dates were not YYYY-MM-DD and were treated as blank", badDates[0]);
        }
        int matches = 0;
        int reviews = 0;
        int nones = 0;
        Map<String, String> matched = new HashMap<>();
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Writer wr = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
             CSVPrinter p = new CSVPrinter(wr, CSVFormat.DEFAULT.builder()
                     .setHeader("result_id", "roster_id", "decision", "score").setRecordSeparator('\n').get())) {
            for (Decision d : decisions) {
                String resultId = st.ids.get((int) d.resultId());
                String rosterId = "";
                String dec;
                switch (d.outcome()) {
                    case MATCH -> {
                        matches++;
                        dec = "match";
                        rosterId = rt.ids.get((int) (long) d.rosterId());
                        matched.put(resultId, rosterId);
                    }
                    case REVIEW -> {
                        reviews++;
                        dec = "review";
                    }
                    default -> {
                        nones++;
                        dec = "none";
                    }
                }
                p.printRecord(resultId, rosterId, dec, String.format(Locale.ROOT, "%.6f", d.score()));
            }
        }
        if (explain != null) {
            writeExplanations(decisions, st.ids, rt.ids);
        }
        console.print(matcher.model().describe());
        console.printf(Locale.ROOT, "roster=%d results=%d index_build_ms=%d fit_ms=%d match_ms=%d%n",
                rt.rows.size(), st.rows.size(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
        console.printf(Locale.ROOT, "match=%d review=%d none=%d%n", matches, reviews, nones);
        if (truth == null) {
            return null;
        }
        Set<String> truthPairs = readTruth(truth);
        int correct = 0;
        for (Map.Entry<String, String> e : matched.entrySet()) {
            if (truthPairs.contains(e.getKey() + '\u0001' + e.getValue())) {
                correct++;
            }
        }
        int n = st.rows.size();
        double precision = matches == 0 ? 0.0 : correct / (double) matches;
        double recall = truthPairs.isEmpty() ? 0.0 : correct / (double) truthPairs.size();
        double f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
        Metrics m = new Metrics(n, matches, reviews, nones, truthPairs.size(), correct, precision, recall, f1,
                n == 0 ? 0.0 : reviews / (double) n);
        console.printf(Locale.ROOT, "truth_pairs=%d correct_matches=%d wrong_matches=%d%n", truthPairs.size(), correct,
                matches - correct);
        console.println(m.line());
        return m;
    }

    /** {@code result_id,rank,roster_id,score,reasons}: the reasons name comparison levels, never values. */
    private void writeExplanations(List<Decision> decisions, List<String> resultIds, List<String> rosterIds)
            throws IOException {
        try (Writer wr = Files.newBufferedWriter(explain, StandardCharsets.UTF_8);
             CSVPrinter p = new CSVPrinter(wr, CSVFormat.DEFAULT.builder()
                     .setHeader("result_id", "rank", "roster_id", "score", "reasons").setRecordSeparator('\n').get())) {
            for (Decision d : decisions) {
                if (d.outcome() != Outcome.REVIEW) {
                    continue;
                }
                int rank = 0;
                for (Candidate c : d.candidates()) {
                    p.printRecord(resultIds.get((int) d.resultId()), ++rank, rosterIds.get((int) c.rosterId()),
                            String.format(Locale.ROOT, "%.3f", c.score()), String.join("; ", c.reasons()));
                }
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static LocalDate date(String s, int[] bad) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(s.trim());
        } catch (DateTimeParseException e) {
            bad[0]++;
            return null;
        }
    }

    private static Table read(Path file, String what) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                     .setIgnoreEmptyLines(true).get().parse(r)) {
            Map<String, Integer> h = p.getHeaderMap();
            if (!h.containsKey("id")) {
                throw new IOException(what + " file has no 'id' column");
            }
            int[] idx = new int[COLS.length];
            for (int i = 0; i < COLS.length; i++) {
                idx[i] = h.getOrDefault(COLS[i], -1);
            }
            List<String> ids = new ArrayList<>();
            List<String[]> rows = new ArrayList<>();
            for (CSVRecord rec : p) {
                String[] c = new String[COLS.length];
                for (int i = 0; i < COLS.length; i++) {
                    c[i] = idx[i] >= 0 && idx[i] < rec.size() ? rec.get(idx[i]) : null;
                    if (c[i] != null && c[i].isEmpty()) {
                        c[i] = null;
                    }
                }
                if (c[0] == null) {
                    throw new IOException(what + " file: record " + rec.getRecordNumber() + " has an empty id");
                }
                ids.add(c[0]);
                rows.add(c);
            }
            return new Table(ids, rows, idx[7] >= 0, idx[8] >= 0, idx[6] >= 0);
        }
    }

    private static Set<String> readTruth(Path file) throws IOException {
        Set<String> s = new HashSet<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get()
                     .parse(r)) {
            for (CSVRecord rec : p) {
                s.add(rec.get("result_id") + '\u0001' + rec.get("roster_id"));
            }
        }
        return s;
    }

    private static Crosswalk readCrosswalk(Path file, Map<String, Integer> rosterRow) throws IOException {
        Crosswalk.Builder b = new Crosswalk.Builder();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get()
                     .parse(r)) {
            for (CSVRecord rec : p) {
                Integer row = rosterRow.get(rec.get("roster_id"));
                if (row != null) {
                    b.put(rec.get("candidate_key"), row);
                }
            }
        }
        return b.build();
    }
}
