package org.credentialhub.sis;

import org.credentialhub.sis.OneRosterSpec.Col;
import org.credentialhub.sis.OneRosterSpec.FileSpec;
import org.credentialhub.sis.OneRosterSpec.Kind;
import org.credentialhub.store.CopyWriter;
import org.credentialhub.support.Hmac;
import org.credentialhub.support.KeyRepeats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Stages a bundle: streams the manifest's files into temporary staging tables with COPY (one per file of
 * the standard, dropped at commit), checking every header and value against the standard on the way. State
 * student IDs are staged as keyed hashes only.
 */
final class RosterStaging {
    /**
     * Files parsed at once while staging, on worker threads (one per core); the connection's thread meanwhile only
     * streams their rows to the database's backend. With one parser on a 2-core machine (one core was left to the
     * backend) the files were parsed one after the other, users.csv the longest: with two,
     * {@code HUB_JAVA_OPTS=-Xmx1g ./hub bench oneroster --students 150000} staged in 4.8-5.2 s instead of 7.5-8.5 s, the
     * first load accepted in 15.4-16.3 s instead of 18.7-19.8 s and the bundle again in 10.7-10.9 s instead of 13.4-14.6 s
     * (alternating runs).
     */
    private static final int STAGING_THREADS = Runtime.getRuntime().availableProcessors();

    /**
     * Among the keys that may repeat ({@link #stage}'s {@code mayRepeat}, otherwise the names of files whose sourcedIds
     * may): the staged users' state IDs (their hashes, whatever the user's role and status). When it is not there, no
     * two staged users have the same state ID: the roster needs no choice among them, and there is nothing to warn of.
     */
    static final String STATE_IDS = "users' state IDs";

    /** A staged file's keys, as their repeats are looked for: its sourcedIds and (users) its state IDs' hashes. */
    private static final class Keys {
        final KeyRepeats sourcedIds = new KeyRepeats();
        final KeyRepeats stateIds = new KeyRepeats();

        void check() {
            sourcedIds.mayRepeat();
            stateIds.mayRepeat();
        }
    }

    private final Hmac hmac;
    private final StateIds stateIds;
    /** Characters of changed (or again staged) lines held for parsing; beyond it the file is staged whole. */
    private int changedTextLimit = LineSets.MAX_CHANGED_CHARS;

    RosterStaging(Hmac hmac, StateIds stateIds) {
        this.hmac = hmac;
        this.stateIds = stateIds;
    }

    /**
     * Creates the staging tables and stages the manifest's files (each file's rows read into {@code rows},
     * by file name; the files that may give a sourcedId twice into {@code mayRepeat}, and {@link #STATE_IDS} when two
     * users may have the same state ID); then fresh statistics for the staging tables.
     */
    void stage(Connection c, String feed, Bundle bundle, BundleManifest manifest, Map<String, Long> rows,
               Set<String> mayRepeat, Problems problems, LineSets.Import lines) throws IOException, SQLException {
        createStageTables(c);
        long tl = System.nanoTime();
        lines.read(c, feed, manifest);
        ImportSteps.timed(tl, "read the published line sets");
        // a bulk users file gives every student again: those whose neighbourhood the roster holds keep it. (Not
        // read for a users file with a line set: its changed lines alone are staged, and working out their
        // neighbourhoods costs less than reading the roster's; read if the file is staged whole after all.)
        StoredNeighbourhoods stored = storedNeighbourhoods(c, manifest, lines);
        long ts = System.nanoTime();
        stageFiles(c, feed, bundle, manifest, rows, mayRepeat, stored, problems, lines);
        ImportSteps.timed(ts, "stage (all files)");
        try (Statement st = c.createStatement()) {
            for (FileSpec f : OneRosterSpec.FILES) {
                st.execute("analyze " + f.stageTable());
            }
        }
    }

    /** Another limit to the changed lines' text held (tests: a bulk that changed much, at a small size). */
    void changedTextLimit(int chars) {
        this.changedTextLimit = chars;
    }

    /** The roster's neighbourhoods a bulk users file staged whole may keep ({@link StoredNeighbourhoods}). */
    private static StoredNeighbourhoods storedNeighbourhoods(Connection c, BundleManifest manifest, LineSets.Import lines)
            throws SQLException {
        return "bulk".equals(manifest.modes.getOrDefault("users", "bulk")) && lines.published("users") == null
                ? StoredNeighbourhoods.read(c) : StoredNeighbourhoods.none();
    }

    private static void createStageTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (FileSpec f : OneRosterSpec.FILES) {
                String cols = f.stageColumns().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", "));
                st.execute("create temp table " + f.stageTable() + " (line int, " + cols + ") on commit drop");
            }
        }
    }

    /**
     * Parses the manifest's files in parallel while COPYing their rows into the staging tables; rows and
     * problems are recorded per file in the standard's file order, as if the files were read one by one.
     */
    private void stageFiles(Connection c, String feed, Bundle bundle, BundleManifest manifest, Map<String, Long> rows,
                            Set<String> mayRepeat, StoredNeighbourhoods stored, Problems problems, LineSets.Import lines)
            throws IOException, SQLException {
        List<FileSpec> staged = new ArrayList<>();
        List<Problems> found = new ArrayList<>();
        List<Keys> ids = new ArrayList<>();
        for (FileSpec f : OneRosterSpec.FILES) {
            if (manifest.files.get(f.name()) != null && f.columns(manifest.version) != null) {
                staged.add(f);
                found.add(new Problems());
                ids.add(new Keys());
            }
        }
        long[] counts = new long[staged.size()];
        try {
            // a file whose pass found it must be staged whole is staged once the others are (below)
            Set<String> later = java.util.concurrent.ConcurrentHashMap.newKeySet();
            stageAll(c, bundle, manifest, staged, found, ids, stored, lines, later, counts);
            // a converted file whose new lines repeat an unchanged line's sourcedId is staged whole after all; unchanged
            // users' lines whose students would change otherwise are staged again
            List<String> whole = new ArrayList<>(later);
            whole.addAll(LineSets.afterStaging(c, feed, manifest, lines, later, (file, numbers) -> {
                int i = staged.indexOf(OneRosterSpec.file(file));
                return stageLines(c, bundle, staged.get(i), manifest.files.get(file), manifest.version, stored,
                        found.get(i), ids.get(i), lines, numbers);
            }));
            if (!whole.isEmpty()) {
                List<FileSpec> again = new ArrayList<>();
                List<Problems> againFound = new ArrayList<>();
                List<Keys> againIds = new ArrayList<>();
                for (int i = 0; i < staged.size(); i++) {
                    if (whole.contains(staged.get(i).name())) {
                        found.set(i, new Problems());
                        ids.set(i, new Keys());
                        again.add(staged.get(i));
                        againFound.add(found.get(i));
                        againIds.add(ids.get(i));
                    }
                }
                long[] againCounts = new long[again.size()];
                StoredNeighbourhoods kept = whole.contains("users") && stored == StoredNeighbourhoods.none()
                        && "bulk".equals(manifest.modes.getOrDefault("users", "bulk")) ? StoredNeighbourhoods.read(c) : stored;
                stageAll(c, bundle, manifest, again, againFound, againIds, kept, lines, null, againCounts);
                for (int i = 0, j = 0; i < staged.size(); i++) {
                    if (whole.contains(staged.get(i).name())) {
                        counts[i] = againCounts[j++];
                    }
                }
            }
        } finally {
            for (int i = 0; i < staged.size(); i++) {
                rows.put(staged.get(i).fileName(), counts[i]);
                problems.addAll(found.get(i));
                if (ids.get(i).sourcedIds.mayRepeat()) {
                    mayRepeat.add(staged.get(i).name());
                }
                if (ids.get(i).stateIds.mayRepeat()) {
                    mayRepeat.add(STATE_IDS);
                }
            }
        }
    }

    /**
     * Parses the files on worker threads while COPYing their rows.
     *
     * @param later null: every file staged whole; else a file with a line set is staged as its changed lines, or, when
     *              its pass finds it cannot be, not staged here but named in {@code later} (to be staged whole once the
     *              connection is free again: a users file's stored neighbourhoods are read then)
     */
    private void stageAll(Connection c, Bundle bundle, BundleManifest manifest, List<FileSpec> files,
                          List<Problems> found, List<Keys> ids, StoredNeighbourhoods stored, LineSets.Import lines,
                          Set<String> later, long[] counts) throws IOException, SQLException {
        ParallelStaging staging = new ParallelStaging();
        for (int i = 0; i < files.size(); i++) {
            FileSpec f = files.get(i);
            String actual = manifest.files.get(f.name());
            boolean delta = "delta".equals(manifest.modes.getOrDefault(f.name(), "bulk"));
            Problems fileProblems = found.get(i);
            Keys fileIds = ids.get(i);
            staging.add(f.stageTable(), copyColumns(f), copyTypes(f), copy -> {
                long t = System.nanoTime();
                long n;
                LineSets.Published published = later != null && !delta ? lines.published(f.name()) : null;
                if (published == null) {
                    n = stageFile(copy, CsvRecords.of(bundle.open(actual), hashed(f)), f, actual, delta, manifest.version,
                            stored, fileProblems, fileIds, lines, null);
                } else {
                    n = stageChanged(copy, bundle, f, actual, manifest.version, stored, fileProblems, fileIds, lines,
                            published);
                    if (n < 0) {
                        later.add(f.name());
                        n = 0;
                    }
                }
                fileIds.check();   // asked here, on the file's parsing thread, beside the other files' parsing
                ImportSteps.timed(t, "parse " + actual + (lines.isConverted(f.name()) ? " (only its lines not published"
                        + " by delivery " + published.deliveryId + ")" : ""));
                return n;
            });
        }
        staging.run(c, STAGING_THREADS, counts);
    }

    /**
     * Reads a bulk file whose published lines are known and stages only the lines not among them (with their line
     * numbers in the file); returns the rows read, or -1 when the file must be staged whole ({@link LineSets}).
     */
    private long stageChanged(CopyWriter copy, Bundle bundle, FileSpec spec, String name, String version,
                              StoredNeighbourhoods stored, Problems problems, Keys ids, LineSets.Import lines,
                              LineSets.Published published) throws IOException, SQLException {
        Chosen changed = new Chosen(new Choice() {
            @Override
            public boolean keep(long number, long hash) {
                return !published.read(hash, (int) number);
            }

            @Override
            public void ahead(long[] hashes, int n) {
                published.touch(hashes, n);
            }
        }, changedTextLimit);
        if (!changed.read(bundle, name) || changed.header == null
                || published.context != context(spec, changed.header, version)) {
            return -1;   // staged whole, which names the line
        }
        lines.converted(spec.name(), published);
        long staged = stageFile(copy, CsvRecords.of(changed.text(), hashed(spec)), spec, name, false, version, stored,
                problems, ids, lines, changed.lines.toArray());
        return staged < 0 ? staged : changed.records;
    }

    /**
     * Stages chosen lines of a file as read (their numbers in the file, ascending): a pass over the file for their text,
     * then staged as the file's changed lines are; false (nothing staged) when their text is more than is held.
     */
    private boolean stageLines(Connection c, Bundle bundle, FileSpec spec, String name, String version,
                               StoredNeighbourhoods stored, Problems problems, Keys ids, LineSets.Import lines,
                               int[] wanted) throws IOException, SQLException {
        int[] next = {0};
        Chosen chosen = new Chosen((number, hash) -> {
            if (next[0] < wanted.length && wanted[next[0]] == number) {
                next[0]++;
                return true;
            }
            return false;
        }, changedTextLimit);
        if (!chosen.read(bundle, name)) {
            return false;
        }
        if (next[0] != wanted.length) {
            throw new IllegalStateException(name + ": " + (wanted.length - next[0]) + " line(s) to stage again not found");
        }
        try (CopyWriter copy = new CopyWriter(c, spec.stageTable(), copyColumns(spec))) {
            stageFile(copy, CsvRecords.of(chosen.text(), hashed(spec)), spec, name, false, version, stored, problems, ids,
                    lines, chosen.lines.toArray());
        }
        return true;
    }

    /** Which records of a file a {@link Chosen} keeps: by number (2 is the first after the header) and hash. */
    private interface Choice {
        boolean keep(long number, long hash);

        /** The hashes of the next records, before {@link #keep} is asked of each (a look-up table's reads begun). */
        default void ahead(long[] hashes, int n) {
        }
    }

    /**
     * One pass over a file's bytes ({@link LinePass}) keeping its header and the records a {@link Choice} picks, as
     * text for the parser with their numbers in the file.
     */
    private static final class Chosen implements LinePass.Records {
        private final Choice choice;
        private final int limit;
        private final StringBuilder text = new StringBuilder();
        final IntList lines = new IntList();
        /** The header's hash (null: the file has none). */
        Long header;
        /** Records after the header. */
        long records;
        private boolean tooMany;

        Chosen(Choice choice, int limit) {
            this.choice = choice;
            this.limit = limit;
        }

        /** False when the file must be staged whole: not UTF-8, against the quoting rule, or more text than is held. */
        boolean read(Bundle bundle, String name) throws IOException {
            try (java.io.InputStream in = bundle.open(name)) {
                return LinePass.read(in, this) && !tooMany;
            }
        }

        @Override
        public void ahead(long[] hashes, int n) {
            choice.ahead(hashes, n);
        }

        @Override
        public void record(long number, long hash, byte[] bytes, int from, int to) {
            if (number == 1) {
                header = hash;
            } else {
                records = number - 1;
                if (tooMany || !choice.keep(number, hash)) {
                    return;
                }
                if (text.length() + (to - from) > limit) {
                    tooMany = true;
                    return;
                }
                lines.add((int) number);
            }
            text.append(new String(bytes, from, to - from, java.nio.charset.StandardCharsets.UTF_8)).append('\n');
        }

        java.io.Reader text() {
            return new java.io.StringReader(text.toString());
        }
    }

    /** What a file's line hashes stand for ({@link LineSets#context}); a users file's, also the state IDs' key. */
    private long context(FileSpec spec, long headerHash, String version) {
        // (a keyed hash of a constant: another key gives other state ID hashes, so the lines are staged whole again)
        return LineSets.context(headerHash, spec.stageColumns().containsKey("state_id_hash")
                ? version + "|" + hmac.stateId("line-set-context") : version);
    }

    /** A growing list of ints. */
    private static final class IntList {
        private int[] a = new int[1024];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** The SQL types of {@link #copyColumns}. */
    private static String[] copyTypes(FileSpec spec) {
        List<String> types = new ArrayList<>();
        types.add("int");
        types.addAll(spec.stageColumns().values());
        return types.toArray(String[]::new);
    }

    /** The staging table's columns a file's rows are COPYed into: the line, then the spec's staging columns. */
    private static String[] copyColumns(FileSpec spec) {
        List<String> cols = new ArrayList<>();
        cols.add("line");
        cols.addAll(spec.stageColumns().keySet());
        return cols.toArray(String[]::new);
    }

    /**
     * Reads one file, checking every value, and writes its rows (COPY text); returns the rows read.
     *
     * @param lineOf for a file's changed lines alone (after its header): the line in the file of each record, else null
     */
    private long stageFile(CopyWriter copy, CsvRecords source, FileSpec spec, String name, boolean delta,
                           String version, StoredNeighbourhoods stored, Problems problems, Keys ids,
                           LineSets.Import lines, int[] lineOf)
            throws IOException, SQLException {
        List<Col> cols = spec.columns(version);
        List<String> stage = new ArrayList<>(spec.stageColumns().keySet());
        int lineHashTarget = stage.indexOf("line_hash");
        int[] index = new int[cols.size()];
        Arrays.fill(index, -1);
        long rows = 0;
        try (CsvRecords r = source) {
            if (!r.next()) {
                problems.error(name, 0, null, "the file is empty: not even a header");
                return 0;
            }
            String[] header = r.values();
            if (lineHashTarget >= 0) {
                Long h = r.lineHash();
                if (h == null) {
                    lines.unhashed(spec.name());
                } else {
                    lines.context(spec.name(), context(spec, h, version));
                }
            }
            strayQuote(r, header, name, problems);
            int lastNamed = HeaderColumns.map(header, cols, index, name, version, problems);
            if (delta) {
                for (int i = 0; i < cols.size(); i++) {
                    String n = cols.get(i).name();
                    if (index[i] < 0 && (n.equals("status") || n.equals("dateLastModified"))) {
                        problems.error(name, 1, n, "missing column: a delta file must give status and dateLastModified");
                    }
                }
            }
            // each record in a method of its own: compiled once, not again in each loop's on-stack replacement (this
            // loop's body, the file's CSV reading inlined, took the optimizing JIT five compilations of 1-2 s)
            Row row = new Row(spec, cols, stage, index, header, lastNamed, name, delta, stored, problems, ids, lines,
                    copy);
            while (true) {
                try {
                    if (!r.next()) {
                        break;
                    }
                } catch (UncheckedIOException e) {
                    problems.error(name, (int) r.lastNumber() + 1, null, "cannot be read: " + cause(e));
                    break;
                }
                rows++;
                row.stage(r, lineOf == null ? (int) r.number() : lineOf[(int) r.number() - 2]);
            }
            copy.finish();
        } catch (UncheckedIOException e) {
            problems.error(name, 0, null, "cannot be read: " + cause(e));
        } catch (java.nio.charset.CharacterCodingException e) {
            problems.error(name, 0, null, "is not UTF-8 text");
        }
        for (int i = 0; i < cols.size(); i++) {
            Col col = cols.get(i);
            if (index[i] < 0 && col.required()) {
                if (rows > 0) {
                    problems.error(name, 1, col.name(), "missing column: required in OneRoster " + version);
                } else {
                    problems.warning(name, 1, col.name(), "missing column (required in OneRoster " + version
                            + "); the file has no rows, so nothing is lost");
                }
            }
        }
        return rows;
    }

    /** Changes of a column's value after which it is kept only when it repeats as often as it changes ({@link Row}). */
    private static final int MEMO_TRIAL = 1_000;

    /** One file's records as they are checked and staged: what stays the same from record to record, and a row's values. */
    private final class Row {
        private final List<Col> cols;
        private final int[] index;
        private final int[] target;
        private final String[] named;
        private final Object[] values;
        private final int headerSize;
        private final int lastNamed;
        private final int userIdsCol;
        private final int identifierCol;
        private final int stateHashTarget;
        private final int stateNearTarget;
        private final int lineHashTarget;
        private final int sourcedIdTarget;
        private final FileSpec spec;
        private final String name;
        private final boolean delta;
        private final StoredNeighbourhoods stored;
        private final Problems problems;
        private final Keys ids;
        private final LineSets.Import lines;
        private final String[] header;
        private final CopyWriter copy;
        /**
         * Each column's last value read without a problem from a plain field, and that field's bytes: a value repeated
         * from record to record (a status, a date, a role, a school) is taken again when its bytes are the same, without
         * its text made and read again. (A value read with a problem is read again each time, so that each of its lines
         * is told.)
         */
        private final byte[][] lastRaw;
        private final Object[] lastValue;
        /**
         * How often each column's value was its last one, and how often not: a column whose values change more often
         * than they repeat (an ID, a name) is no longer kept after {@link #MEMO_TRIAL} changes (its bytes copied and
         * compared for nothing).
         */
        private final long[] repeats;
        private final long[] changes;

        /**
         * @param stage     the staging table's columns (without the line)
         * @param index     each of {@code cols}' field in the record, or -1 ({@link HeaderColumns#map})
         * @param lastNamed the last field the header names
         */
        Row(FileSpec spec, List<Col> cols, List<String> stage, int[] index, String[] header, int lastNamed, String name,
            boolean delta, StoredNeighbourhoods stored, Problems problems, Keys ids, LineSets.Import lines,
            CopyWriter copy) {
            this.cols = cols;
            this.index = index;
            this.values = new Object[stage.size()];
            this.headerSize = header.length;
            this.lastNamed = lastNamed;
            this.spec = spec;
            this.name = name;
            this.delta = delta;
            this.stored = stored;
            this.problems = problems;
            this.ids = ids;
            this.lines = lines;
            this.header = header;
            this.copy = copy;
            lastRaw = new byte[cols.size()][];
            lastValue = new Object[cols.size()];
            repeats = new long[cols.size()];
            changes = new long[cols.size()];
            target = new int[cols.size()];
            named = new String[cols.size()];   // how problems name the column: as the header has it
            int userIds = -1;
            int identifier = -1;
            for (int i = 0; i < cols.size(); i++) {
                Col col = cols.get(i);
                target[i] = col.target() == null ? -1 : stage.indexOf(col.target());
                named[i] = col.kind() == Kind.PROGRAM && index[i] >= 0
                        ? CsvFiles.stripBom(header[index[i]]).trim() : col.name();
                if (col.kind() == Kind.USERIDS) {
                    userIds = i;
                }
                if (col.name().equals("identifier")) {
                    identifier = i;
                }
            }
            userIdsCol = userIds;
            identifierCol = identifier;
            stateHashTarget = stage.indexOf("state_id_hash");
            stateNearTarget = stage.indexOf("state_id_near");
            lineHashTarget = stage.indexOf("line_hash");
            sourcedIdTarget = stage.indexOf("sourced_id");
        }

        /** Checks a record (of {@code line} in the file) and writes its row. */
        void stage(CsvRecords rec, int line) throws SQLException {
            strayQuote(rec, header, name, problems);
            if (rec.size() > headerSize) {
                problems.error(name, line, null, "has " + rec.size() + " fields, the header " + headerSize);
            } else if (rec.size() < lastNamed + 1) {
                problems.error(name, line, null, "has " + rec.size() + " fields, the header names " + (lastNamed + 1));
            }
            Arrays.fill(values, null);
            boolean mayBeUnstorable = rec.mayBeUnstorable();
            for (int i = 0; i < cols.size(); i++) {
                int at = index[i];
                if (at < 0) {
                    continue;
                }
                Object v;
                boolean plain = at < rec.size() && !mayBeUnstorable;
                if (plain && lastRaw[i] != null && rec.trimmedEquals(at, lastRaw[i])) {
                    v = lastValue[i];   // the column's value of an earlier record, its bytes the same
                    repeats[i]++;
                } else {
                    String raw = at < rec.size() ? rec.trimmed(at) : "";
                    long before = problems.count();
                    v = value(cols.get(i), raw, delta, mayBeUnstorable, new RowChecker.At(problems, name, line, named[i]));
                    boolean again = plain && problems.count() == before && !(v instanceof String[])
                            && (++changes[i] < MEMO_TRIAL || repeats[i] >= changes[i]);
                    lastRaw[i] = again ? rec.trimmedBytes(at) : null;
                    lastValue[i] = again ? v : null;
                }
                if (target[i] >= 0) {
                    values[target[i]] = v;
                }
            }
            if (stateHashTarget >= 0) {
                String stateId = stateIds.of(userIdsCol < 0 || index[userIdsCol] < 0 ? "" : field(rec, index[userIdsCol]),
                        identifierCol < 0 || index[identifierCol] < 0 ? "" : field(rec, index[identifierCol]),
                        name, line, problems);
                String hash = stateId == null ? null : hmac.stateId(stateId);
                values[stateHashTarget] = hash;
                if (hash != null) {
                    ids.stateIds.add(hash);
                }
                if (stateNearTarget >= 0) {
                    // (null for a student whose neighbourhood the roster holds: the upsert keeps that one)
                    values[stateNearTarget] = stateId == null || stored.has(hash) ? null : hmac.stateIdNear(stateId);
                }
            }
            if (lineHashTarget >= 0) {
                Long h = rec.lineHash();
                values[lineHashTarget] = h;
                if (h == null) {
                    lines.unhashed(spec.name());
                }
            }
            if (values[sourcedIdTarget] != null) {
                ids.sourcedIds.add((String) values[sourcedIdTarget]);
            }
            copy.value(line);
            for (Object v : values) {
                copy.value(v);
            }
            copy.endRow();
        }
    }

    /** Whether a file's records are hashed: its staging table keeps each line's hash (LineSets). */
    private static boolean hashed(FileSpec spec) {
        return spec.stageColumns().containsKey("line_hash");
    }

    private static String field(CsvRecords rec, int i) {
        return i < rec.size() ? rec.trimmed(i) : "";
    }

    private static String cause(Exception e) {
        Throwable t = e.getCause() == null ? e : e.getCause();
        return t instanceof java.nio.charset.CharacterCodingException ? "not UTF-8 text" : "malformed CSV";
    }

    /** @param mayBeUnstorable whether the record may hold a character no text column can store (CsvRecords) */
    private static Object value(Col col, String raw, boolean delta, boolean mayBeUnstorable, RowChecker.At at) {
        if (col.kind() == Kind.STATUS) {
            return RowChecker.status(raw, delta, at);
        }
        if (raw.isEmpty()) {
            if (col.kind() == Kind.DATETIME && delta) {
                at.error("dateLastModified is required in a delta file");
            } else if (col.required()) {
                at.error("required, but empty");
            }
            return null;
        }
        String unstorable = mayBeUnstorable ? org.credentialhub.mapping.StorableValue.characters(raw) : null;
        if (unstorable != null) {
            at.error(unstorable);   // PostgreSQL would refuse it in the middle of the COPY
            return null;
        }
        return switch (col.kind()) {
            case DATETIME -> RowChecker.dateTime(raw, at);
            case DATE -> RowChecker.date(raw, at);
            case YEAR -> RowChecker.year(raw, at);
            case BOOL, FLAG -> RowChecker.bool(raw, at);
            case PROGRAM -> RowChecker.participation(raw, at);
            case SEX -> RowChecker.sex(raw, at);
            case ENUM -> RowChecker.enumeration(raw, col.values(), at);
            case IDLIST -> idList(raw);
            default -> raw;
        };
    }

    /** The ids of a comma-separated list (a {@code text[]}), blanks around them and empty ones left out. */
    private static String[] idList(String raw) {
        List<String> ids = new ArrayList<>();
        for (String part : raw.split(",")) {
            String s = part.trim();
            if (!s.isEmpty()) {
                ids.add(s);
            }
        }
        return ids.toArray(String[]::new);
    }

    /** A record holding a double quote inside an unquoted field is an error naming its row and column. */
    private static void strayQuote(CsvRecords rec, String[] header, String name, Problems problems) {
        int at = rec.strayQuote();
        if (at >= 0) {
            String column = at < header.length ? CsvFiles.stripBom(header[at]).trim() : null;
            problems.error(name, (int) rec.number(), column, "a double quote inside a field that is not "
                    + "enclosed in double quotes (RFC 4180: enclose the field in double quotes and double the quote)");
        }
    }
}
