package org.credentialhub.sis;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.credentialhub.sis.OneRosterSpec.Col;
import org.credentialhub.sis.OneRosterSpec.FileSpec;
import org.credentialhub.sis.OneRosterSpec.Kind;
import org.credentialhub.store.CopyWriter;
import org.credentialhub.support.Hmac;
import org.credentialhub.support.SchoolYears;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Takes a OneRoster 1.1 or 1.2 CSV bundle (folder or zip, bulk or delta) from a SIS into the hub:
 * reads the manifest, checks every file against the standard while streaming it into staging tables
 * with COPY, and then either refuses the bundle whole (nothing applied, every problem listed) or
 * publishes it set-based in the same transaction: a bulk file replaces the SIS source's rows of its
 * kind, a delta file applies its changes ({@code tobedeleted} removes). Students go to the roster
 * ({@code student}, state IDs as keyed hashes), orgs to {@code district} and {@code school}. Each
 * bundle is recorded as a {@code delivery} with its problems in {@code delivery_problem}.
 */
public final class OneRosterImport {
    private static final Logger LOG = LoggerFactory.getLogger(OneRosterImport.class);
    /** Default feed (SIS source) of bundles taken through the plain Java API. */
    public static final String DEFAULT_FEED = "sis";
    private static final int MAX_LISTED_PER_CHECK = 100;
    private static final Pattern NOT_TYPE_CHARS = Pattern.compile("[^a-z0-9]");
    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
    /**
     * Files parsed at once while staging, on worker threads; the connection's thread meanwhile only streams
     * their rows. One core is left to the database's backend, which takes the COPY (on a 2-core machine
     * with a local PostgreSQL a second parser only slows both down).
     */
    private static final int STAGING_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

    private final DataSource dataSource;
    private final Hmac hmac;
    private final SchoolYears schoolYears;
    private final Set<String> stateIdTypes;
    private volatile SisGuard guard;
    private volatile Path holdDir;

    /**
     * @param firstMonth   first month of the school year (7: July)
     * @param stateIdTypes {@code userIds} types that hold the state student ID (compared without case and
     *                     punctuation); a user without one has it in {@code identifier}
     */
    public OneRosterImport(DataSource dataSource, Hmac hmac, int firstMonth, Collection<String> stateIdTypes) {
        this.dataSource = dataSource;
        this.hmac = hmac;
        this.schoolYears = new SchoolYears(firstMonth);
        this.stateIdTypes = stateIdTypes.stream().map(OneRosterImport::normalType).collect(Collectors.toSet());
    }

    public static List<String> defaultStateIdTypes() {
        return List.of("state", "stateid", "ssid", "statestudentid", "stateidentifier");
    }

    /** Imports a bundle (a folder with manifest.csv, or a zip) for the default SIS feed. */
    public Verdict importBundle(Path folderOrZip) throws SQLException {
        return importBundle(DEFAULT_FEED, folderOrZip, folderOrZip.getFileName().toString());
    }

    /**
     * @param feed       the SIS source (feed code): a bulk file replaces this source's data
     * @param sourceName the name the bundle was delivered under
     */
    public Verdict importBundle(String feed, Path folderOrZip, String sourceName) throws SQLException {
        return importBundle(feed, folderOrZip, sourceName, null);
    }

    /**
     * @param pickupRef the pickup a bundle taken from an SFTP inbox came with (null otherwise): a bundle whose
     *                  pickup already has a delivery was imported before a crash, and its verdict is that one's
     */
    public Verdict importBundle(String feed, Path folderOrZip, String sourceName, String pickupRef) throws SQLException {
        return importBundle(feed, folderOrZip, sourceName, pickupRef, null, false);
    }

    /**
     * Holds bundles that would change too much of a source's data (docs/guards.md): with a guard, a bundle
     * whose {@link SisGuard#impact} says so, and every later bundle of its source until it is decided, is
     * recorded as {@code held} with a copy of it in {@code holdDir}, nothing of it applied.
     */
    public OneRosterImport guarded(SisGuard guard, Path holdDir) {
        this.guard = guard;
        this.holdDir = holdDir;
        return this;
    }

    public SisGuard guard() {
        return guard;
    }

    /**
     * @param held     a held delivery being taken up again (after a decision): its row is reused, not a new one made
     * @param approved operations approved it: the guard does not hold it again
     */
    Verdict importBundle(String feed, Path folderOrZip, String sourceName, String pickupRef, Long held, boolean approved)
            throws SQLException {
        if (pickupRef != null) {
            try (Connection c = dataSource.getConnection()) {
                Verdict before = Verdicts.ofPickup(c, feed, pickupRef);
                if (before != null) {
                    LOG.info("SIS {}: {} was imported as delivery {} before a restart; its verdict stands", feed,
                            sourceName, before.deliveryId());
                    return before;
                }
            }
        }
        Problems problems = new Problems();
        Map<String, Long> rows = new LinkedHashMap<>();
        Set<String> mayRepeat = new java.util.HashSet<>();   // files that may give a sourcedId twice
        String version = null;
        String sha;
        long size;
        try (Bundle bundle = Bundle.open(folderOrZip)) {
            sha = bundle.fingerprint();
            size = bundle.size();
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    ensureFeed(c, feed);
                    Long same = lastAcceptedWithContent(c, feed, sha);
                    if (same != null && held == null) {
                        return duplicate(c, feed, sourceName, sha, size, same, pickupRef);
                    }
                    Long waitsFor = guard == null || held != null ? null : SisHolds.pending(c, feed);
                    if (waitsFor != null) {
                        return hold(c, null, feed, sourceName, sha, size, pickupRef, folderOrZip, waitsFor, null,
                                "waits for the decision on delivery " + waitsFor + ", held before it");
                    }
                    long deliveryId;
                    if (held != null) {
                        deliveryId = held;
                        try (PreparedStatement ps = c.prepareStatement(
                                "update delivery set status = 'processing', reason = null where delivery_id = ?")) {
                            ps.setLong(1, held);
                            ps.executeUpdate();
                        }
                    } else {
                        deliveryId = org.credentialhub.store.Deliveries.insert(c, feed, sourceName, sha, size, "processing", null);
                        org.credentialhub.store.Deliveries.setPickup(c, deliveryId, pickupRef);
                    }
                    try (Statement st = c.createStatement()) {
                        st.execute("set local time zone 'UTC'");
                        // a lost import (crash right after commit) is simply delivered again; nothing is half-applied
                        st.execute("set local synchronous_commit = off");
                        // the bundle's joins and checks hash whole files: in memory, not in batches spilled to disk
                        st.execute("set local work_mem = '256MB'");
                    }
                    Manifest manifest = readManifest(bundle, problems);
                    if (manifest != null) {
                        version = manifest.version;
                        createStageTables(c);
                        long ts = System.nanoTime();
                        stageFiles(c, bundle, manifest, rows, mayRepeat, problems);
                        timed(ts, "stage (all files)");
                        try (Statement st = c.createStatement()) {
                            for (FileSpec f : OneRosterSpec.FILES) {
                                st.execute("analyze " + stageTable(f));
                            }
                        }
                        checkCopies(bundle, manifest, problems);
                        checkDuplicates(c, manifest, mayRepeat, problems);
                        checkClassResources(c, feed, manifest, problems);
                    }
                    if (problems.hasErrors()) {
                        c.rollback();
                        if (held != null) {
                            return refusedHeld(c, held, version, rows, problems);
                        }
                        return refused(c, feed, sourceName, sha, size, version, rows, problems, pickupRef);
                    }
                    if (guard != null && !approved) {
                        Map<String, String> modes = new HashMap<>();
                        manifest.modes.forEach((file, mode) -> {
                            if (mode.equals("bulk") || mode.equals("delta")) {
                                modes.put(file, mode);
                            }
                        });
                        SisGuard.Impact impact = guard.impact(c, feed, modes);
                        if (impact.held()) {
                            c.rollback();
                            return hold(c, held, feed, sourceName, sha, size, pickupRef, folderOrZip, null,
                                    impact.detail(), impact.reason());
                        }
                    }
                    long tp = System.nanoTime();
                    publish(c, feed, deliveryId, manifest);
                    timed(tp, "publish");
                    analyzePublished(c, manifest, false);
                    afterPublish(c, feed, deliveryId, manifest, problems);
                    long total = rows.values().stream().mapToLong(Long::longValue).sum();
                    finishDelivery(c, deliveryId, "accepted", total, total, 0, summary(problems, true));
                    Verdicts.record(c, deliveryId, version, rows);
                    recordProblems(c, deliveryId, problems);
                    c.commit();
                    LOG.info("SIS {}: {} accepted as delivery {} (OneRoster {}, {} rows, {} warning(s))", feed, sourceName,
                            deliveryId, version, total, problems.count());
                    return new Verdict(deliveryId, true, version, rows, List.copyOf(problems.list()), problems.count(), null, null);
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            problems.error(null, 0, null, "the bundle cannot be read: " + e.getMessage());
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                ensureFeed(c, feed);
                return refused(c, feed, sourceName, "unreadable:" + folderOrZip.getFileName(), 0, version, rows, problems,
                        pickupRef);
            }
        }
    }

    /**
     * Records the bundle as held (a new delivery, or the held one taken up again), with a copy of it under
     * {@code holdDir} that a decision takes up later; nothing of it is applied.
     */
    private Verdict hold(Connection c, Long held, String feed, String sourceName, String sha, long size, String pickupRef,
                         Path bundle, Long waitsFor, Map<String, Object> impact, String reason) throws SQLException {
        long id;
        if (held == null) {
            id = org.credentialhub.store.Deliveries.insert(c, feed, sourceName, sha, size, "held", "held for approval: " + reason);
            org.credentialhub.store.Deliveries.setPickup(c, id, pickupRef);
        } else {
            id = held;
            try (PreparedStatement ps = c.prepareStatement(
                    "update delivery set status = 'held', reason = ? where delivery_id = ?")) {
                ps.setString(1, "held for approval: " + reason);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
        }
        SisHolds.record(c, id, feed, held == null ? SisHolds.keep(holdDir, id, bundle) : bundle, reason, impact, waitsFor);
        c.commit();
        LOG.warn("SIS {}: {} held for approval as delivery {}: {}", feed, sourceName, id, reason);
        Map<String, Object> hold = new LinkedHashMap<>();
        hold.put("reason", reason);
        if (waitsFor != null) {
            hold.put("waits_for", waitsFor);
        }
        if (impact != null) {
            hold.put("impact", impact);
        }
        return new Verdict(id, false, null, Map.of(), List.of(), 0, null, hold);
    }

    /** A held bundle taken up again that is now refused (a stored class or resource it relied on is gone). */
    private Verdict refusedHeld(Connection c, long id, String version, Map<String, Long> rows, Problems problems)
            throws SQLException {
        Verdicts.record(c, id, version, rows);
        long total = rows.values().stream().mapToLong(Long::longValue).sum();
        finishDelivery(c, id, "quarantined", total, 0, total, summary(problems, false));
        recordProblems(c, id, problems);
        c.commit();
        return new Verdict(id, false, version, rows, List.copyOf(problems.list()), problems.count(), null, null);
    }

    private Verdict refused(Connection c, String feed, String sourceName, String sha, long size, String version,
                            Map<String, Long> rows, Problems problems, String pickupRef) throws SQLException {
        long id = org.credentialhub.store.Deliveries.insert(c, feed, sourceName, sha, size, "quarantined", summary(problems, false));
        org.credentialhub.store.Deliveries.setPickup(c, id, pickupRef);
        Verdicts.record(c, id, version, rows);
        long total = rows.values().stream().mapToLong(Long::longValue).sum();
        finishDelivery(c, id, "quarantined", total, 0, total, summary(problems, false));
        recordProblems(c, id, problems);
        c.commit();
        LOG.warn("SIS {}: {} refused as delivery {}: {}", feed, sourceName, id, summary(problems, false));
        return new Verdict(id, false, version, rows, List.copyOf(problems.list()), problems.count(), null, null);
    }

    /**
     * The source's last accepted delivery if its content is this bundle's: importing the bundle again
     * could change nothing. (The same content as an older bundle, with other bundles accepted since, is a
     * change back and is imported.)
     */
    private static Long lastAcceptedWithContent(Connection c, String feed, String fingerprint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select delivery_id, content_sha256 from delivery
                where feed_code = ? and status = 'accepted' order by delivery_id desc limit 1""")) {
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && fingerprint.equals(rs.getString(2)) ? rs.getLong(1) : null;
            }
        }
    }

    private static Verdict duplicate(Connection c, String feed, String sourceName, String fingerprint, long size,
                                     long earlier, String pickupRef) throws SQLException {
        long id = org.credentialhub.store.Deliveries.insertDuplicate(c, feed, sourceName, fingerprint, size, earlier);
        org.credentialhub.store.Deliveries.setPickup(c, id, pickupRef);
        c.commit();
        LOG.info("SIS {}: {} has the content of delivery {}, the source's last accepted bundle; skipped as delivery {}",
                feed, sourceName, earlier, id);
        return Verdict.duplicate(id, earlier);
    }

    private static String summary(Problems problems, boolean accepted) {
        long errors = problems.errorCount();
        long warnings = problems.count() - errors;
        if (accepted) {
            return warnings == 0 ? null : warnings + " warning(s)";
        }
        String first = problems.list().stream().filter(Problem::isError).findFirst().map(Problem::toString).orElse("");
        return "refused: " + errors + " error(s), " + warnings + " warning(s); first " + first;
    }

    // ---------------------------------------------------------------- manifest

    /** The manifest: version, and per file the mode ({@code bulk}, {@code delta}) and its name in the bundle. */
    private static final class Manifest {
        String version;
        final Map<String, String> modes = new HashMap<>();
        final Map<String, String> files = new HashMap<>();
    }

    private static Manifest readManifest(Bundle bundle, Problems problems) throws IOException {
        String name = find(bundle, "manifest.csv", problems);
        if (name == null) {
            problems.error("manifest.csv", 0, null, "the bundle has no manifest.csv");
            return null;
        }
        Manifest m = new Manifest();
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        try (Reader r = reader(bundle.open(name)); CSVParser p = CSV.parse(r)) {
            Iterator<CSVRecord> it = p.iterator();
            if (!it.hasNext()) {
                problems.error(name, 0, null, "the manifest is empty");
                return null;
            }
            CSVRecord header = it.next();
            if (header.size() < 2 || !stripBom(header.get(0)).trim().equals("propertyName") || !header.get(1).trim().equals("value")) {
                problems.error(name, 1, null, "the header must be propertyName,value");
            }
            while (it.hasNext()) {
                CSVRecord rec = it.next();
                int line = (int) rec.getRecordNumber();
                String key = rec.get(0).trim();
                String value = rec.size() > 1 ? rec.get(1).trim() : "";
                if (props.containsKey(key)) {
                    problems.error(name, line, key, "repeats line " + lines.get(key));
                    continue;
                }
                props.put(key, value);
                lines.put(key, line);
            }
        }
        String version = props.get("oneroster.version");
        if (version == null) {
            problems.error(name, 0, "oneroster.version", "missing: the bundle's OneRoster version (1.1 or 1.2)");
            return null;
        }
        if (!version.equals("1.1") && !version.equals("1.2")) {
            problems.error(name, lines.get("oneroster.version"), "oneroster.version",
                    "'" + version + "' is not a OneRoster version the hub reads (1.1, 1.2)");
            return null;
        }
        m.version = version;
        String mv = props.get("manifest.version");
        if (!"1.0".equals(mv)) {
            problems.warning(name, lines.getOrDefault("manifest.version", 0), "manifest.version",
                    mv == null ? "missing (1.0 assumed)" : "'" + mv + "' is not 1.0 (read as 1.0)");
        }
        Set<String> known = OneRosterSpec.FILES.stream().map(FileSpec::name).collect(Collectors.toSet());
        Set<String> listed = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : props.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("file.")) {
                continue;
            }
            String file = key.substring(5);
            int line = lines.get(key);
            String mode = e.getValue().toLowerCase(Locale.ROOT);
            listed.add(file);
            if (!known.contains(file) && !OneRosterSpec.UNUSED.contains(file)) {
                problems.warning(name, line, key, "not a file of OneRoster " + version + "; ignored");
                continue;
            }
            if (!Set.of("bulk", "delta", "absent").contains(mode)) {
                problems.error(name, line, key, e.getValue().isEmpty()
                        ? "has no value: it must be bulk, delta or absent"
                        : "'" + e.getValue() + "' is not bulk, delta or absent");
                // still check the file if it is there, so every problem is listed
                String present = find(bundle, file + ".csv", problems);
                if (present != null && known.contains(file)) {
                    m.files.put(file, present);
                }
                continue;
            }
            if (!mode.equals(e.getValue())) {
                problems.warning(name, line, key, "'" + e.getValue() + "' read as " + mode);
            }
            if (mode.equals("absent")) {
                String present = find(bundle, file + ".csv", null);
                if (present != null) {
                    problems.warning(present, 0, null, "in the bundle but marked absent in the manifest (" + key
                            + "); not read: if it should be, mark it bulk or delta");
                }
                continue;
            }
            if (OneRosterSpec.UNUSED.contains(file)) {
                problems.warning(file + ".csv", 0, null, "not used by the hub; not read");
                continue;
            }
            FileSpec spec = OneRosterSpec.file(file);
            if (spec.columns(version) == null) {
                problems.warning(file + ".csv", 0, null, "not a file of OneRoster " + version + "; not read");
                continue;
            }
            String present = find(bundle, spec.fileName(), problems);
            if (present == null) {
                problems.error(spec.fileName(), 0, null, "the manifest says " + mode + " but the file is not in the bundle");
                continue;
            }
            m.modes.put(file, mode);
            m.files.put(file, present);
        }
        for (String n : bundle.names()) {
            if (n.equalsIgnoreCase("manifest.csv") || !n.toLowerCase(Locale.ROOT).endsWith(".csv")) {
                continue;
            }
            String base = n.substring(0, n.length() - 4);
            boolean inManifest = listed.stream().anyMatch(l -> l.equalsIgnoreCase(base));
            if (!inManifest) {
                problems.warning(n, 0, null, "in the bundle but not in the manifest; not read");
            }
        }
        return m;
    }

    /** The file's name in the bundle: exact, or differing only in case (with a warning). */
    private static String find(Bundle bundle, String standard, Problems problems) {
        if (bundle.names().contains(standard)) {
            return standard;
        }
        for (String n : bundle.names()) {
            if (n.equalsIgnoreCase(standard)) {
                if (problems != null) {
                    problems.warning(n, 0, null, "named " + n + "; the standard name is " + standard + " (read as that)");
                }
                return n;
            }
        }
        return null;
    }

    private static void checkCopies(Bundle bundle, Manifest m, Problems problems) throws IOException {
        String roles = m.files.get("roles");
        String profiles = m.files.get("userProfiles");
        if (roles != null && profiles != null) {
            byte[] a;
            byte[] b;
            try (InputStream in = bundle.open(roles)) {
                a = in.readAllBytes();
            }
            try (InputStream in = bundle.open(profiles)) {
                b = in.readAllBytes();
            }
            if (Arrays.equals(a, b)) {
                problems.error(profiles, 0, null, "is a copy of " + roles + " (same content), not user profiles");
            }
        }
    }

    // ---------------------------------------------------------------- staging

    private static String stageTable(FileSpec f) {
        return "sis_stage_" + f.name().toLowerCase(Locale.ROOT);
    }

    private static void createStageTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (FileSpec f : OneRosterSpec.FILES) {
                String cols = f.stageColumns().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", "));
                st.execute("create temp table " + stageTable(f) + " (line int, " + cols + ") on commit drop");
            }
        }
    }

    /**
     * Parses the manifest's files in parallel while COPYing their rows into the staging tables; rows and
     * problems are recorded per file in the standard's file order, as if the files were read one by one.
     */
    private void stageFiles(Connection c, Bundle bundle, Manifest manifest, Map<String, Long> rows,
                            Set<String> mayRepeat, Problems problems) throws IOException, SQLException {
        ParallelStaging staging = new ParallelStaging();
        List<FileSpec> staged = new ArrayList<>();
        List<Problems> found = new ArrayList<>();
        List<SourcedIds> ids = new ArrayList<>();
        for (FileSpec f : OneRosterSpec.FILES) {
            String actual = manifest.files.get(f.name());
            if (actual != null && f.columns(manifest.version) != null) {
                boolean delta = "delta".equals(manifest.modes.getOrDefault(f.name(), "bulk"));
                Problems fileProblems = new Problems();
                SourcedIds fileIds = new SourcedIds();
                staging.add(stageTable(f), copyColumns(f), copy -> {
                    long t = System.nanoTime();
                    long n = stageFile(copy, bundle, f, actual, delta, manifest.version, fileProblems, fileIds);
                    timed(t, "parse " + actual);
                    return n;
                });
                staged.add(f);
                found.add(fileProblems);
                ids.add(fileIds);
            }
        }
        long[] counts = new long[staged.size()];
        try {
            staging.run(c, STAGING_THREADS, counts);
        } finally {
            for (int i = 0; i < staged.size(); i++) {
                rows.put(staged.get(i).fileName(), counts[i]);
                problems.addAll(found.get(i));
                if (ids.get(i).mayRepeat()) {
                    mayRepeat.add(staged.get(i).name());
                }
            }
        }
    }

    /** The staging table's columns a file's rows are COPYed into: the line, then the spec's staging columns. */
    private static String[] copyColumns(FileSpec spec) {
        List<String> cols = new ArrayList<>();
        cols.add("line");
        cols.addAll(spec.stageColumns().keySet());
        return cols.toArray(String[]::new);
    }

    /** Reads one file, checking every value, and writes its rows (COPY text); returns the rows read. */
    private long stageFile(CopyWriter copy, Bundle bundle, FileSpec spec, String name, boolean delta, String version,
                           Problems problems, SourcedIds ids) throws IOException, SQLException {
        List<Col> cols = spec.columns(version);
        List<String> stage = new ArrayList<>(spec.stageColumns().keySet());
        int sourcedIdTarget = stage.indexOf("sourced_id");
        int[] index = new int[cols.size()];
        Arrays.fill(index, -1);
        long rows = 0;
        try (StrictQuotes r = new StrictQuotes(reader(bundle.open(name))); CSVParser p = CSV.parse(r)) {
            Iterator<CSVRecord> it = p.iterator();
            if (!it.hasNext()) {
                problems.error(name, 0, null, "the file is empty: not even a header");
                return 0;
            }
            CSVRecord header = it.next();
            strayQuote(r, header, header, name, problems);
            int lastNamed = readHeader(header, cols, index, name, version, problems);
            int headerSize = header.size();
            if (delta) {
                for (int i = 0; i < cols.size(); i++) {
                    String n = cols.get(i).name();
                    if (index[i] < 0 && (n.equals("status") || n.equals("dateLastModified"))) {
                        problems.error(name, 1, n, "missing column: a delta file must give status and dateLastModified");
                    }
                }
            }
            int[] target = new int[cols.size()];
            for (int i = 0; i < cols.size(); i++) {
                target[i] = cols.get(i).target() == null ? -1 : stage.indexOf(cols.get(i).target());
            }
            int userIdsCol = -1;
            int identifierCol = -1;
            int stateHashTarget = stage.indexOf("state_id_hash");
            int stateNearTarget = stage.indexOf("state_id_near");
            for (int i = 0; i < cols.size(); i++) {
                if (cols.get(i).kind() == Kind.USERIDS) {
                    userIdsCol = i;
                }
                if (cols.get(i).name().equals("identifier")) {
                    identifierCol = i;
                }
            }
            Object[] values = new Object[stage.size()];
            while (true) {
                CSVRecord rec;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    rec = it.next();
                } catch (UncheckedIOException e) {
                    problems.error(name, (int) p.getRecordNumber() + 1, null, "cannot be read: " + cause(e));
                    break;
                }
                rows++;
                int line = (int) rec.getRecordNumber();
                strayQuote(r, rec, header, name, problems);
                if (rec.size() > headerSize) {
                    problems.error(name, line, null, "has " + rec.size() + " fields, the header " + headerSize);
                } else if (rec.size() < lastNamed + 1) {
                    problems.error(name, line, null, "has " + rec.size() + " fields, the header names " + (lastNamed + 1));
                }
                Arrays.fill(values, null);
                for (int i = 0; i < cols.size(); i++) {
                    int at = index[i];
                    if (at < 0) {
                        continue;
                    }
                    String raw = at < rec.size() ? rec.get(at).trim() : "";
                    Col col = cols.get(i);
                    Object v = value(col, raw, delta, new RowChecker.At(problems, name, line, col.name()));
                    if (target[i] >= 0) {
                        values[target[i]] = v;
                    }
                }
                if (stateHashTarget >= 0) {
                    String stateId = stateId(userIdsCol < 0 || index[userIdsCol] < 0 ? "" : field(rec, index[userIdsCol]),
                            identifierCol < 0 || index[identifierCol] < 0 ? "" : field(rec, index[identifierCol]),
                            name, line, problems);
                    values[stateHashTarget] = stateId == null ? null : hmac.stateId(stateId);
                    if (stateNearTarget >= 0) {
                        values[stateNearTarget] = stateId == null ? null : hmac.stateIdNear(stateId);
                    }
                }
                if (values[sourcedIdTarget] != null) {
                    ids.add((String) values[sourcedIdTarget]);
                }
                copy.value(line);
                for (Object v : values) {
                    copy.value(v);
                }
                copy.endRow();
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

    private static String field(CSVRecord rec, int i) {
        return i < rec.size() ? rec.get(i).trim() : "";
    }

    private static String cause(Exception e) {
        Throwable t = e.getCause() == null ? e : e.getCause();
        return t instanceof java.nio.charset.CharacterCodingException ? "not UTF-8 text" : "malformed CSV";
    }

    /** Maps the header onto the version's columns; returns the index of the last named column. */
    private static int readHeader(CSVRecord header, List<Col> cols, int[] index, String file, String version,
                                  Problems problems) {
        int lastNamed = -1;
        for (int i = 0; i < header.size(); i++) {
            String h = (i == 0 ? stripBom(header.get(i)) : header.get(i)).trim();
            if (h.isEmpty()) {
                problems.error(file, 1, null, "column " + (i + 1) + " of the header has no name");
                continue;
            }
            lastNamed = i;
            if (h.startsWith("ext_") || h.startsWith("metadata.")) {
                continue;   // extension columns never matter
            }
            int c = indexOf(cols, h, false, false);
            if (c >= 0) {
                if (index[c] >= 0) {
                    problems.error(file, 1, h, "the column appears twice");
                } else {
                    index[c] = i;
                }
                continue;
            }
            c = indexOf(cols, h, true, false);
            if (c >= 0 && index[c] < 0) {
                problems.warning(file, 1, h, "is the OneRoster 1.0 name of " + cols.get(c).name() + "; read as that");
                index[c] = i;
                continue;
            }
            c = indexOf(cols, h, true, true);
            if (c < 0) {
                c = indexOf(cols, h, false, true);
            }
            if (c >= 0 && index[c] < 0) {
                problems.warning(file, 1, h, "read as " + cols.get(c).name() + " (the standard's spelling)");
                index[c] = i;
                continue;
            }
            String suggestion = closest(h, cols);
            problems.error(file, 1, h, "unknown column in OneRoster " + version + " " + file
                    + (suggestion == null ? "" : "; did you mean " + suggestion + "?")
                    + " (extension columns start with ext_ or metadata.)");
        }
        for (int i = 0; i < cols.size(); i++) {
            if (index[i] < 0 && !cols.get(i).required()) {
                problems.warning(file, 1, cols.get(i).name(), "missing column: read as empty");
            }
        }
        return lastNamed;
    }

    private static int indexOf(List<Col> cols, String h, boolean alias, boolean ignoreCase) {
        for (int i = 0; i < cols.size(); i++) {
            String n = alias ? cols.get(i).alias() : cols.get(i).name();
            if (n != null && (ignoreCase ? n.equalsIgnoreCase(h) : n.equals(h))) {
                return i;
            }
        }
        return -1;
    }

    private static String closest(String h, List<Col> cols) {
        LevenshteinDistance lev = new LevenshteinDistance(3);
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (Col c : cols) {
            int d = lev.apply(h.toLowerCase(Locale.ROOT), c.name().toLowerCase(Locale.ROOT));
            if (d >= 0 && d < bestD) {
                bestD = d;
                best = c.name();
            }
        }
        return best;
    }

    private static Object value(Col col, String raw, boolean delta, RowChecker.At at) {
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
        String unstorable = org.credentialhub.mapping.StorableValue.characters(raw);
        if (unstorable != null) {
            at.error(unstorable);   // PostgreSQL would refuse it in the middle of the COPY
            return null;
        }
        return switch (col.kind()) {
            case DATETIME -> RowChecker.dateTime(raw, at);
            case DATE -> RowChecker.date(raw, at);
            case YEAR -> RowChecker.year(raw, at);
            case BOOL, FLAG -> RowChecker.bool(raw, at);
            case SEX -> RowChecker.sex(raw, at);
            case ENUM -> RowChecker.enumeration(raw, col.values(), at);
            case IDLIST -> arrayLiteral(raw);
            default -> raw;
        };
    }

    /** A PostgreSQL text[] literal of a comma-separated list. */
    private static String arrayLiteral(String raw) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (String part : raw.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"' || ch == '\\') {
                    sb.append('\\');
                }
                sb.append(ch);
            }
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** The state student ID: a {@code userIds} entry of a state type, else {@code identifier}. */
    private String stateId(String userIds, String identifier, String file, int line, Problems problems) {
        if (!userIds.isEmpty()) {
            int i = 0;
            while (i < userIds.length()) {
                int open = userIds.indexOf('{', i);
                if (open < 0) {
                    if (!userIds.substring(i).replace(",", "").isBlank()) {
                        problems.warning(file, line, "userIds", "an entry is not in {type:identifier} form; ignored");
                    }
                    break;
                }
                if (!userIds.substring(i, open).replace(",", "").isBlank()) {
                    problems.warning(file, line, "userIds", "an entry is not in {type:identifier} form; ignored");
                }
                int close = userIds.indexOf('}', open);
                int colon = userIds.indexOf(':', open);
                if (close < 0 || colon < 0 || colon > close) {
                    problems.warning(file, line, "userIds", "an entry is not in {type:identifier} form; ignored");
                    break;
                }
                if (stateIdTypes.contains(normalType(userIds.substring(open + 1, colon)))) {
                    String id = userIds.substring(colon + 1, close).trim();
                    if (!id.isEmpty()) {
                        return id;
                    }
                }
                i = close + 1;
            }
        }
        return identifier.isEmpty() ? null : identifier;
    }

    private static String normalType(String t) {
        return NOT_TYPE_CHARS.matcher(t.toLowerCase(Locale.ROOT)).replaceAll("");
    }

    /** A record holding a double quote inside an unquoted field is an error naming its row and column. */
    private static void strayQuote(StrictQuotes quotes, CSVRecord rec, CSVRecord header, String name, Problems problems) {
        int at = quotes.strayQuoteIn(rec.getRecordNumber());
        if (at >= 0) {
            String column = at < header.size() ? stripBom(header.get(at)).trim() : null;
            problems.error(name, (int) rec.getRecordNumber(), column, "a double quote inside a field that is not "
                    + "enclosed in double quotes (RFC 4180: enclose the field in double quotes and double the quote)");
        }
    }

    /** UTF-8, strictly: a byte that does not decode fails the record that holds it (its line is named). */
    private static Reader reader(InputStream in) {
        return org.credentialhub.mapping.TextInput.strict(in, StandardCharsets.UTF_8);
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    /**
     * A sourcedId given twice in one file is an error: which row is meant cannot be told. Looked for in
     * the files whose parsing could not rule it out ({@code mayRepeat}).
     */
    private static void checkDuplicates(Connection c, Manifest m, Set<String> mayRepeat, Problems problems)
            throws SQLException {
        for (FileSpec f : OneRosterSpec.FILES) {
            String name = m.files.get(f.name());
            if (name == null || f.columns(m.version) == null || !mayRepeat.contains(f.name())) {
                continue;
            }
            // hashed, not sorted: only the repeated sourcedIds' lines are looked at
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select s.line, d.first from " + stageTable(f) + " s join (select sourced_id, min(line) as first from "
                            + stageTable(f) + " where sourced_id is not null group by sourced_id having count(*) > 1) d"
                            + " on d.sourced_id = s.sourced_id where s.line <> d.first order by s.line limit "
                            + MAX_LISTED_PER_CHECK)) {
                while (rs.next()) {
                    problems.error(name, rs.getInt(1), "sourcedId", "the same sourcedId as line " + rs.getInt(2));
                }
            }
        }
    }

    /**
     * A classResource must name a class and a resource that exist once the bundle is applied (in this
     * bundle, or already stored and neither replaced by a bulk file nor deleted by this bundle): otherwise
     * which credential a class offers cannot be told, and potentials would be counted wrong. An error.
     */
    private static void checkClassResources(Connection c, String feed, Manifest m, Problems problems)
            throws SQLException {
        String name = m.files.get("classResources");
        if (name == null || !m.modes.containsKey("classResources")) {
            return;
        }
        String[][] refs = {{"classSourcedId", "class_sourced_id", "classes", "sis_class", "class"},
                {"resourceSourcedId", "resource_sourced_id", "resources", "sis_resource", "resource"}};
        for (String[] r : refs) {
            FileSpec target = OneRosterSpec.file(r[2]);
            boolean replaced = "bulk".equals(m.modes.get(r[2]));
            String sql = "select s.line from sis_stage_classresources s where s." + r[1] + " is not null"
                    + " and s.status <> 'tobedeleted'"
                    + " and not exists (select 1 from " + stageTable(target) + " x where x.sourced_id = s." + r[1]
                    + " and x.status <> 'tobedeleted')"
                    + (replaced ? "" : " and not exists (select 1 from " + r[3] + " t where t.sis_source = ?"
                    + " and t.sourced_id = s." + r[1] + " and not exists (select 1 from " + stageTable(target)
                    + " d where d.sourced_id = t.sourced_id and d.status = 'tobedeleted'))")
                    + " order by s.line";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (!replaced) {
                    ps.setString(1, feed);
                }
                int listed = 0;
                int more = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (listed++ < MAX_LISTED_PER_CHECK) {
                            problems.error(name, rs.getInt(1), r[0], "refers to a " + r[4]
                                    + " that is neither in this bundle nor in this SIS's data");
                        } else {
                            more++;
                        }
                    }
                }
                if (more > 0) {
                    problems.error(name, 0, r[0], more + " more line(s) refer to an unknown " + r[4]);
                }
            }
        }
    }

    // ---------------------------------------------------------------- publishing

    /**
     * Bulk: the source's rows of the kind that the file no longer has are deleted, the others upserted
     * (an unchanged row is not rewritten). Delta: {@code tobedeleted} rows are deleted, the others
     * upserted unless older than what is stored.
     */
    private static void publish(Connection c, String feed, long deliveryId, Manifest m) throws SQLException {
        for (FileSpec f : OneRosterSpec.FILES) {
            if (!f.name().equals("users")) {   // users last, once their students are on the roster (afterPublish)
                publishFile(c, feed, deliveryId, m, f);
            }
        }
    }

    private static void publishFile(Connection c, String feed, long deliveryId, Manifest m, FileSpec f)
            throws SQLException {
        {
            String mode = m.modes.get(f.name());
            if (f.table() == null || mode == null || f.columns(m.version) == null) {
                return;
            }
            String t = f.table();
            List<String> cols = new ArrayList<>(f.publishedColumns());
            List<String> select = new ArrayList<>(cols.stream().map(col -> "s." + col).toList());
            String from = stageTable(f) + " s";
            if (t.equals("sis_user")) {
                // 1.2: the role (and org) from roles.csv, and the roster's student: all in the one write
                select.set(cols.indexOf("role"), "coalesce(s.role, r.role)");
                select.set(cols.indexOf("primary_org_sourced_id"), "case when s.role is null then coalesce("
                        + "s.primary_org_sourced_id, r.org_sourced_id) else s.primary_org_sourced_id end");
                cols.add("student_id");
                select.add("st.student_id");
                from += " left join student st on st.state_id_hash = s.state_id_hash left join (" + ROLE_OF_USER
                        .replace("?1", "'" + feed.replace("'", "''") + "'") + ") r on r.user_sourced_id = s.sourced_id";
            }
            List<String> compared = cols.stream().filter(col -> !col.equals("sourced_id")).toList();
            String set = compared.stream().map(col -> col + " = excluded." + col).collect(Collectors.joining(", "));
            String changed = "(" + compared.stream().map(col -> t + "." + col).collect(Collectors.joining(", "))
                    + ") is distinct from (" + compared.stream().map(col -> "excluded." + col).collect(Collectors.joining(", ")) + ")";
            String delete;
            String when;
            if (mode.equals("bulk")) {
                delete = "delete from " + t + " t where t.sis_source = ? and not exists (select 1 from " + stageTable(f)
                        + " s where s.sourced_id = t.sourced_id and s.status <> 'tobedeleted')";
                when = changed;
            } else {
                delete = "delete from " + t + " t using " + stageTable(f)
                        + " s where t.sis_source = ? and t.sourced_id = s.sourced_id and s.status = 'tobedeleted'";
                when = changed + " and (" + t + ".date_last_modified is null or excluded.date_last_modified is null"
                        + " or excluded.date_last_modified >= " + t + ".date_last_modified)";
            }
            long t0 = System.nanoTime();
            String insert = "insert into " + t + " (sis_source, delivery_id, " + String.join(", ", cols) + ") select ?, ?, "
                    + String.join(", ", select) + " from " + from + " where s.status <> 'tobedeleted'";
            if (firstRowsOfTable(c, f)) {
                insertBeforeKey(c, t, insert, feed, deliveryId);
                timed(t0, "publish " + t + " (first rows of the table; key built after them)");
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(delete)) {
                ps.setString(1, feed);
                ps.executeUpdate();
            }
            // the source has none of these rows (a first load, or all deleted above): a plain insert, no
            // per-row conflict check (sourcedIds are unique in the file: checked before publishing)
            boolean empty;
            try (PreparedStatement ps = c.prepareStatement("select not exists (select 1 from " + t
                    + " where sis_source = ?)")) {
                ps.setString(1, feed);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    empty = rs.getBoolean(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(insert + (empty ? "" : unchangedLeftOut(t, cols, select)
                    + " on conflict (sis_source, sourced_id) do update set "
                    + set + ", delivery_id = excluded.delivery_id where " + when))) {
                ps.setString(1, feed);
                ps.setLong(2, deliveryId);
                if (!empty) {
                    ps.setString(3, feed);
                }
                ps.executeUpdate();
            }
            timed(t0, "publish " + t);
        }
    }

    /**
     * Whether a large file brings the first rows of its table (no source has any: the hub's first roster),
     * for a table whose only index is its primary key. Locks the table against other imports' writes first
     * (readers go on), so that it stays empty until this import commits.
     */
    private static boolean firstRowsOfTable(Connection c, FileSpec f) throws SQLException {
        if (!KEY_BUILT_AFTER_FIRST_ROWS.contains(f.table())) {
            return false;
        }
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select reltuples from pg_class where oid = '" + stageTable(f)
                    + "'::regclass")) {
                if (!rs.next() || rs.getDouble(1) < KEY_BUILT_AFTER_ROWS) {
                    return false;
                }
            }
            st.execute("lock table " + f.table() + " in share row exclusive mode");
            try (ResultSet rs = st.executeQuery("select not exists (select 1 from " + f.table() + ")")) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Fills an empty table and only then builds its primary key: one sorted build instead of an index
     * insertion per row (about half the time from a million rows on). Inside the import's transaction, so a
     * failed import rolls the key back with the rows; readers of the table wait until the import commits.
     */
    private static void insertBeforeKey(Connection c, String table, String insert, String feed, long deliveryId)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("alter table " + table + " drop constraint " + table + "_pkey");
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setString(1, feed);
                ps.setLong(2, deliveryId);
                ps.executeUpdate();
            }
            st.execute("set local maintenance_work_mem = '512MB'");
            st.execute("alter table " + table + " add constraint " + table + "_pkey primary key (sis_source, sourced_id)");
        }
    }

    /**
     * Leaves out the rows stored exactly as the file has them (one hashed anti-join), so the upsert after
     * it only sees new and changed rows: an unchanged row would be left as it is by the upsert anyway, but
     * finding that out row by row through the primary key costs more than the rest of the import.
     */
    private static String unchangedLeftOut(String table, List<String> cols, List<String> select) {
        List<String> stored = new ArrayList<>();
        List<String> incoming = new ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
            if (!cols.get(i).equals("sourced_id")) {
                stored.add("x." + cols.get(i));
                incoming.add(select.get(i));
            }
        }
        return " and not exists (select 1 from " + table + " x where x.sis_source = ? and x.sourced_id = s.sourced_id"
                + " and (" + String.join(", ", stored) + ") is not distinct from (" + String.join(", ", incoming) + "))";
    }

    /** Tables whose only index is their primary key: their first rows are loaded before the key is built. */
    private static final Set<String> KEY_BUILT_AFTER_FIRST_ROWS = Set.of("sis_enrollment", "sis_demographics");
    /** Staged rows from which building the key after the rows pays. */
    private static final long KEY_BUILT_AFTER_ROWS = 100_000;

    /** A user's role and org from roles.csv (1.2): the primary role first. */
    private static final String ROLE_OF_USER = """
            select distinct on (user_sourced_id) user_sourced_id, role, org_sourced_id from sis_role
            where sis_source = ?1 and status <> 'tobedeleted'
            order by user_sourced_id, (role_type = 'primary') desc, sourced_id""";

    /**
     * Fresh planner statistics for the tables a bulk file replaced (a first load would otherwise leave
     * readers, e.g. the views, planning on empty tables until autovacuum gets there).
     */
    private static void analyzePublished(Connection c, Manifest m, boolean derived) throws SQLException {
        long t = System.nanoTime();
        try (Statement st = c.createStatement()) {
            for (FileSpec f : OneRosterSpec.FILES) {
                // users are published with the roster (afterPublish): analysed in the second pass
                if (f.table() != null && "bulk".equals(m.modes.get(f.name())) && f.columns(m.version) != null
                        && derived == f.name().equals("users")) {
                    st.execute("analyze " + f.table());
                }
            }
            if (derived && "bulk".equals(m.modes.get("users"))) {
                st.execute("analyze student");
            }
            if (derived && (m.modes.containsKey("resources") || m.modes.containsKey("classResources"))) {
                st.execute("analyze sis_class_credential");
            }
        }
        timed(t, "analyze");
    }

    private void afterPublish(Connection c, String feed, long deliveryId, Manifest m, Problems problems)
            throws SQLException {
        boolean delta = "delta".equals(m.modes.get("users"));
        if (m.modes.containsKey("resources") || m.modes.containsKey("classResources")) {
            classCredentials(c, feed, deliveryId);
        }
        // school years: a session's is its schoolYear parent's (else its own) dates' school year
        update(c, feed, "update sis_academic_session s set school_year = coalesce("
                + "(select " + schoolYears.sqlOf("p.start_date") + " from sis_academic_session p where p.sis_source = s.sis_source"
                + " and p.sourced_id = s.parent_sourced_id and p.type = 'schoolYear'), "
                + schoolYears.sqlOf("s.start_date") + ", " + schoolYears.sqlOfEndingYear("s.school_year_number") + ")"
                + " where s.sis_source = ?1");
        update(c, feed, """
                update sis_class c set school_year = coalesce(
                    (select min(s.school_year) from sis_academic_session s
                     where s.sis_source = c.sis_source and s.sourced_id = any (c.term_sourced_ids)),
                    (select s.school_year from sis_course co join sis_academic_session s
                       on s.sis_source = co.sis_source and s.sourced_id = co.school_year_sourced_id
                     where co.sis_source = c.sis_source and co.sourced_id = c.course_sourced_id))
                where c.sis_source = ?1 and c.school_year is distinct from coalesce(
                    (select min(s.school_year) from sis_academic_session s
                     where s.sis_source = c.sis_source and s.sourced_id = any (c.term_sourced_ids)),
                    (select s.school_year from sis_course co join sis_academic_session s
                       on s.sis_source = co.sis_source and s.sourced_id = co.school_year_sourced_id
                     where co.sis_source = c.sis_source and co.sourced_id = c.course_sourced_id))""");
        // the state's districts and schools
        update(c, feed, """
                insert into district (district_code, name)
                select distinct on (identifier) identifier, name from sis_org
                where sis_source = ?1 and type = 'district' and status <> 'tobedeleted' and identifier is not null
                order by identifier, sourced_id
                on conflict (district_code) do update set name = excluded.name""");
        update(c, feed, """
                insert into school (school_code, district_code, name)
                select distinct on (s.identifier) s.identifier, d.identifier, s.name from sis_org s
                join sis_org d on d.sis_source = s.sis_source and d.sourced_id = s.parent_sourced_id
                              and d.type = 'district' and d.identifier is not null
                where s.sis_source = ?1 and s.type = 'school' and s.status <> 'tobedeleted' and s.identifier is not null
                order by s.identifier, s.sourced_id
                on conflict (school_code) do update set district_code = excluded.district_code, name = excluded.name""");
        // the roster: students of this bundle's users file (with a state ID), with their demographics
        update(c, feed, """
                insert into student (state_id_hash, first_name, last_name, birth_date, district_code, school_code,
                                     sis_source, sourced_id, grade, sex, american_indian_or_alaska_native, asian,
                                     black_or_african_american, native_hawaiian_or_other_pacific_islander, white,
                                     two_or_more_races, hispanic_or_latino, state_id_near)
                select i.* from (
                select distinct on (u.state_id_hash) u.state_id_hash, u.given_name as first_name, u.family_name as last_name,
                       sd.birth_date,
                       case o.type when 'district' then o.identifier
                                   else case when p.type = 'district' then p.identifier end end as district_code,
                       case when o.type = 'school' then o.identifier end as school_code,
                       u.sis_source, u.sourced_id, nullif(split_part(u.grades, ',', 1), '') as grade,
                       d.sex, d.american_indian_or_alaska_native, d.asian, d.black_or_african_american,
                       d.native_hawaiian_or_other_pacific_islander, d.white, d.two_or_more_races, d.hispanic_or_latino,
                       u.state_id_near
                from (select s2.line, s2.sourced_id, ?1::text as sis_source, s2.state_id_hash, s2.state_id_near, s2.grades,
                             s2.given_name, s2.family_name, s2.org_sourced_ids, coalesce(s2.role, r.role) as role,
                             case when s2.role is null then coalesce(s2.primary_org_sourced_id, r.org_sourced_id)
                                  else s2.primary_org_sourced_id end as primary_org_sourced_id
                      from sis_stage_users s2
                      left join (%s) r on r.user_sourced_id = s2.sourced_id
                      where s2.status <> 'tobedeleted'
                        and not exists (select 1 from sis_user k where k.sis_source = ?1 and k.sourced_id = s2.sourced_id
                                        and k.date_last_modified > s2.date_last_modified and %s)) u
                left join sis_org o on o.sis_source = u.sis_source
                                   and o.sourced_id = coalesce(u.primary_org_sourced_id, u.org_sourced_ids[1])
                left join sis_org p on p.sis_source = o.sis_source and p.sourced_id = o.parent_sourced_id
                left join sis_demographics d on d.sis_source = u.sis_source and d.sourced_id = u.sourced_id
                left join sis_stage_demographics sd on sd.sourced_id = u.sourced_id and sd.status <> 'tobedeleted'
                where u.state_id_hash is not null
                  and (u.role = 'student' or u.sourced_id in (select e.user_sourced_id from sis_enrollment e
                                                              where e.sis_source = ?1 and e.role = 'student'))
                order by u.state_id_hash, u.line desc) i
                -- students already on the roster as the bundle has them are left out (one hashed anti-join);
                -- the upsert below would leave them as they are, but finds that out row by row
                where not exists (
                    select 1 from student st where st.state_id_hash = i.state_id_hash
                      and (st.first_name, st.last_name, st.birth_date, st.district_code, st.school_code, st.sis_source,
                           st.sourced_id, st.grade, st.sex, st.american_indian_or_alaska_native, st.asian,
                           st.black_or_african_american, st.native_hawaiian_or_other_pacific_islander, st.white,
                           st.two_or_more_races, st.hispanic_or_latino, st.state_id_near)
                      is not distinct from
                          (i.first_name, i.last_name, coalesce(i.birth_date, st.birth_date),
                           coalesce(i.district_code, st.district_code), coalesce(i.school_code, st.school_code),
                           i.sis_source, i.sourced_id, coalesce(i.grade, st.grade), i.sex,
                           i.american_indian_or_alaska_native, i.asian, i.black_or_african_american,
                           i.native_hawaiian_or_other_pacific_islander, i.white, i.two_or_more_races,
                           i.hispanic_or_latino, i.state_id_near))
                order by i.state_id_hash
                on conflict (state_id_hash) do update set
                    first_name = excluded.first_name, last_name = excluded.last_name,
                    birth_date = coalesce(excluded.birth_date, student.birth_date),
                    district_code = coalesce(excluded.district_code, student.district_code),
                    school_code = coalesce(excluded.school_code, student.school_code),
                    sis_source = excluded.sis_source, sourced_id = excluded.sourced_id,
                    grade = coalesce(excluded.grade, student.grade),
                    sex = excluded.sex, american_indian_or_alaska_native = excluded.american_indian_or_alaska_native,
                    asian = excluded.asian, black_or_african_american = excluded.black_or_african_american,
                    native_hawaiian_or_other_pacific_islander = excluded.native_hawaiian_or_other_pacific_islander,
                    white = excluded.white, two_or_more_races = excluded.two_or_more_races,
                    hispanic_or_latino = excluded.hispanic_or_latino, state_id_near = excluded.state_id_near,
                    updated_at = now()
                where (student.first_name, student.last_name, student.birth_date, student.district_code,
                       student.school_code, student.sis_source, student.sourced_id, student.grade, student.sex,
                       student.american_indian_or_alaska_native, student.asian, student.black_or_african_american,
                       student.native_hawaiian_or_other_pacific_islander, student.white, student.two_or_more_races,
                       student.hispanic_or_latino)
                  is distinct from
                      (excluded.first_name, excluded.last_name, coalesce(excluded.birth_date, student.birth_date),
                       coalesce(excluded.district_code, student.district_code),
                       coalesce(excluded.school_code, student.school_code), excluded.sis_source, excluded.sourced_id,
                       coalesce(excluded.grade, student.grade), excluded.sex, excluded.american_indian_or_alaska_native,
                       excluded.asian, excluded.black_or_african_american,
                       excluded.native_hawaiian_or_other_pacific_islander, excluded.white, excluded.two_or_more_races,
                       excluded.hispanic_or_latino)""".formatted(ROLE_OF_USER, delta ? "true" : "false"));
        // the users, linked to their students in the same write
        publishFile(c, feed, deliveryId, m, OneRosterSpec.file("users"));
        // statistics now, not after the import: the statements below join these tables (a first load
        // would plan them as empty)
        analyzePublished(c, m, true);
        // 1.2: a user's role and org are in roles.csv (roles delivered without their users)
        update(c, feed, """
                update sis_user u set role = r.role,
                       primary_org_sourced_id = coalesce(u.primary_org_sourced_id, r.org_sourced_id)
                from (%s) r
                where u.sis_source = ?1 and u.sourced_id = r.user_sourced_id and u.role is null""".formatted(ROLE_OF_USER));
        // students who came onto the roster otherwise (e.g. by their enrollments of a later delta)
        update(c, feed, """
                update sis_user u set student_id = st.student_id from student st
                where u.sis_source = ?1 and st.state_id_hash = u.state_id_hash and u.student_id is distinct from st.student_id""");
        // demographics delivered without their users (a delta): onto the roster through the user's student
        update(c, feed, """
                update student st set
                    birth_date = coalesce(sd.birth_date, st.birth_date),
                    sex = d.sex, american_indian_or_alaska_native = d.american_indian_or_alaska_native, asian = d.asian,
                    black_or_african_american = d.black_or_african_american,
                    native_hawaiian_or_other_pacific_islander = d.native_hawaiian_or_other_pacific_islander,
                    white = d.white, two_or_more_races = d.two_or_more_races, hispanic_or_latino = d.hispanic_or_latino,
                    updated_at = now()
                from sis_stage_demographics sd
                join sis_user u on u.sis_source = ?1 and u.sourced_id = sd.sourced_id
                join sis_demographics d on d.sis_source = u.sis_source and d.sourced_id = u.sourced_id
                where st.student_id = u.student_id and sd.status <> 'tobedeleted'
                  and not exists (select 1 from sis_stage_users su where su.sourced_id = sd.sourced_id)""");

        // Warnings: what was loaded but cannot be used as is.
        warn(c, feed, problems, m, "users", null, "a student without a state student ID (identifier or userIds) is not put on the roster", """
                select s.line from sis_stage_users s join sis_user u on u.sis_source = ?1 and u.sourced_id = s.sourced_id
                where s.state_id_hash is null and u.role = 'student' order by s.line""");
        warn(c, feed, problems, m, "users", "identifier", "the same state student ID as another student of this file; the last line is kept", """
                select s.line from sis_stage_users s
                join (select state_id_hash from sis_stage_users
                      where state_id_hash is not null and status <> 'tobedeleted' and role = 'student'
                      group by state_id_hash having count(*) > 1) d on d.state_id_hash = s.state_id_hash
                where s.status <> 'tobedeleted' and s.role = 'student' order by s.line""");
        warn(c, feed, problems, m, "orgs", "identifier", "a school without an identifier (the state's school code): not added to the schools", """
                select line from sis_stage_orgs where type = 'school' and identifier is null and status <> 'tobedeleted' order by line""");
        warn(c, feed, problems, m, "orgs", "parentSourcedId", "a school whose parent is not a district of this SIS: not added to the schools", """
                select s.line from sis_stage_orgs s
                left join sis_org d on d.sis_source = ?1 and d.sourced_id = s.parent_sourced_id and d.type = 'district'
                where s.type = 'school' and s.identifier is not null and s.status <> 'tobedeleted' and d.sourced_id is null
                order by s.line""");
        dangling(c, feed, problems, m, "orgs", "parentSourcedId", "parent_sourced_id", "sis_org");
        dangling(c, feed, problems, m, "academicSessions", "parentSourcedId", "parent_sourced_id", "sis_academic_session");
        dangling(c, feed, problems, m, "courses", "orgSourcedId", "org_sourced_id", "sis_org");
        dangling(c, feed, problems, m, "courses", "schoolYearSourcedId", "school_year_sourced_id", "sis_academic_session");
        dangling(c, feed, problems, m, "classes", "courseSourcedId", "course_sourced_id", "sis_course");
        dangling(c, feed, problems, m, "classes", "schoolSourcedId", "school_sourced_id", "sis_org");
        warn(c, feed, problems, m, "classes", "termSourcedIds", "a term is not among this SIS's academic sessions", """
                select s.line from sis_stage_classes s where s.status <> 'tobedeleted' and exists (
                    select 1 from unnest(s.term_sourced_ids) t(id)
                    where not exists (select 1 from sis_academic_session a where a.sis_source = ?1 and a.sourced_id = t.id))
                order by s.line""");
        dangling(c, feed, problems, m, "users", "primaryOrgSourcedId", "primary_org_sourced_id", "sis_org");
        dangling(c, feed, problems, m, "enrollments", "classSourcedId", "class_sourced_id", "sis_class");
        dangling(c, feed, problems, m, "enrollments", "userSourcedId", "user_sourced_id", "sis_user");
        dangling(c, feed, problems, m, "enrollments", "schoolSourcedId", "school_sourced_id", "sis_org");
        dangling(c, feed, problems, m, "roles", "userSourcedId", "user_sourced_id", "sis_user");
        dangling(c, feed, problems, m, "demographics", "sourcedId", "sourced_id", "sis_user");
        warn(c, feed, problems, m, "academicSessions", "schoolYear", "schoolYear does not fit the session's dates; the school year is taken from the dates", """
                select s.line from sis_stage_academicsessions s
                join sis_academic_session a on a.sis_source = ?1 and a.sourced_id = s.sourced_id
                where s.school_year_number is not null and a.school_year is not null
                  and s.school_year_number::text not in (split_part(a.school_year, '-', 1), split_part(a.school_year, '-', 2))
                order by s.line""");
    }

    /**
     * Rebuilds the source's {@code sis_class_credential}: the distinct (class, vendorResourceId) of its
     * active classResources whose resource is active. Unchanged rows stay as they are.
     */
    private static void classCredentials(Connection c, String feed, long deliveryId) throws SQLException {
        String listed = """
                select distinct cr.class_sourced_id, r.vendor_resource_id from sis_class_resource cr
                join sis_resource r on r.sis_source = cr.sis_source and r.sourced_id = cr.resource_sourced_id
                where cr.sis_source = ?1 and cr.status = 'active' and r.status = 'active'
                  and cr.class_sourced_id is not null and r.vendor_resource_id is not null""";
        update(c, feed, "delete from sis_class_credential k where k.sis_source = ?1 and (k.class_sourced_id, "
                + "k.credential_code) not in (" + listed + ")");
        update(c, feed, "insert into sis_class_credential (sis_source, class_sourced_id, credential_code, delivery_id) "
                + "select ?1, l.* , " + deliveryId + " from (" + listed + ") l "
                + "on conflict (sis_source, class_sourced_id, credential_code) do nothing");
    }

    private static void update(Connection c, String feed, String sql) throws SQLException {
        long t = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(sql.replace("?1", "?"))) {
            int n = ParameterCount.of(sql);
            for (int i = 1; i <= n; i++) {
                ps.setString(i, feed);
            }
            ps.executeUpdate();
        }
        timed(t, sql);
    }

    private static void timed(long start, String sql) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (LOG.isDebugEnabled() || ms > 200) {
            LOG.info("SIS step {} ms: {}", ms, sql.strip().lines().findFirst().orElse(""));
        }
    }

    private static void dangling(Connection c, String feed, Problems problems, Manifest m, String file, String column,
                                 String stageColumn, String table) throws SQLException {
        warn(c, feed, problems, m, file, column, "refers to a sourcedId that is not in this SIS's data (kept; not linked)",
                "select s.line from " + stageTable(OneRosterSpec.file(file)) + " s where s." + stageColumn + " is not null"
                        + " and s.status <> 'tobedeleted' and not exists (select 1 from " + table
                        + " t where t.sis_source = ?1 and t.sourced_id = s." + stageColumn + ") order by s.line");
    }

    private static void warn(Connection c, String feed, Problems problems, Manifest m, String file, String column,
                             String message, String sql) throws SQLException {
        String name = m.files.get(file);
        if (name == null || !m.modes.containsKey(file)) {
            return;
        }
        long t = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(sql.replace("?1", "?"))) {
            int n = ParameterCount.of(sql);
            for (int i = 1; i <= n; i++) {
                ps.setString(i, feed);
            }
            int listed = 0;
            int more = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (listed < MAX_LISTED_PER_CHECK) {
                        problems.warning(name, rs.getInt(1), column, message);
                        listed++;
                    } else {
                        more++;
                    }
                }
            }
            if (more > 0) {
                problems.warning(name, 0, column, more + " more line(s): " + message);
            }
        }
        timed(t, sql);
    }

    /** Counts the {@code ?1} placeholders of a statement (each bound to the feed). */
    private static final class ParameterCount {
        static int of(String sql) {
            int n = 0;
            for (int i = sql.indexOf("?1"); i >= 0; i = sql.indexOf("?1", i + 2)) {
                n++;
            }
            return n;
        }
    }

    // ---------------------------------------------------------------- deliveries

    private static void ensureFeed(Connection c, String feed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into feed (feed_code, kind, layout, description) values (?, 'sis', 'oneroster', 'SIS enrollments (OneRoster CSV)')
                on conflict (feed_code) do nothing""")) {
            ps.setString(1, feed);
            ps.executeUpdate();
        }
    }

    private static void finishDelivery(Connection c, long id, String status, long read, long accepted, long rejected,
                                       String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update delivery set status = ?, rows_read = ?, rows_accepted = ?, rows_rejected = ?, reason = ?,
                       processed_at = now() where delivery_id = ?""")) {
            ps.setString(1, status);
            ps.setLong(2, Math.min(read, Integer.MAX_VALUE));
            ps.setLong(3, Math.min(accepted, Integer.MAX_VALUE));
            ps.setLong(4, Math.min(rejected, Integer.MAX_VALUE));
            ps.setString(5, reason);
            ps.setLong(6, id);
            ps.executeUpdate();
        }
    }

    private static void recordProblems(Connection c, long deliveryId, Problems problems) throws SQLException {
        try (CopyWriter copy = new CopyWriter(c, "delivery_problem", "delivery_id", "seq", "severity", "file", "line",
                "field", "message")) {
            int seq = 0;
            for (Problem p : problems.list()) {
                copy.value(deliveryId).value(++seq).value(p.isError() ? "error" : "warning").value(p.file())
                        .value(p.line()).value(p.field()).value(p.message()).endRow();
            }
            if (problems.count() > problems.list().size()) {
                copy.value(deliveryId).value(++seq).value(problems.hasErrors() ? "error" : "warning").value(null).value(0)
                        .value(null).value((problems.count() - problems.list().size()) + " more problem(s) not listed")
                        .endRow();
            }
            copy.finish();
        }
    }
}
