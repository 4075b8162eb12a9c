package org.credentialhub.cli;

import org.credentialhub.district.DistrictEntries;
import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.exceptions.DecisionFile;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.pull.FixtureApiServer;
import org.credentialhub.runtime.HubRuntime;
import org.credentialhub.runtime.HubServices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Runs the whole pipeline over a state folder (the layout {@code ./hub generate} writes, docs/generator.md) as production would: the OneRoster bundle to the SIS account of the drop
 * box first, then each vendor's files to its SFTP inbox and the API fixtures served on a local HTTP server that the
 * API feeds pull from (their routes started once the roster is in), the district entries through the district-entry
 * service; waits until every delivery is processed, runs a reporting load and prints a summary.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline over a state folder (as ./hub generate writes it) and load the reporting database.")
public final class IngestCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the state folder")
    Path dir;

    @picocli.CommandLine.Mixin
    DataDirOption data = new DataDirOption();

    @Option(names = "--timeout", defaultValue = "60", description = "minutes to wait for the deliveries (default ${DEFAULT-VALUE})")
    int timeoutMinutes;

    @Option(names = "--no-validate", description = "leave district-entered results pending (by default ingest, "
            + "acting for the district administrators, validates those whose evidence passed the checks)")
    boolean noValidate;

    /** Per feed, the files sent (or found sent before): name to SHA-256. */
    private final Map<String, Map<String, String>> expected = new LinkedHashMap<>();

    /** Where progress and the summary go (standard output; ./hub bench sends them elsewhere). */
    private java.io.PrintStream out = System.out;

    /** Settings over the ones ingest sets itself (./hub bench: quotas for its files); none from the command line. */
    private Map<String, String> extraSettings = Map.of();

    /**
     * When each phase of a run ended (wall clock): the hub started, the SIS bundle was processed, the first vendor
     * file was dropped, the last one was, every vendor file was acknowledged, every delivery was processed (API pulls
     * and district entries included), the reporting load and the summary were done ("ingest took"), the hub had
     * stopped. Null for a phase the run did not reach.
     */
    public record Timings(java.time.Instant begun, java.time.Instant hubStarted, java.time.Instant sisProcessed,
                          java.time.Instant dropsBegun, java.time.Instant dropsEnded, java.time.Instant filesAcknowledged,
                          java.time.Instant allProcessed, java.time.Instant reported, java.time.Instant ended) {
        /** Seconds from one phase's end to another's (NaN when either is missing). */
        public static double seconds(java.time.Instant from, java.time.Instant to) {
            return from == null || to == null ? Double.NaN : Duration.between(from, to).toNanos() / 1e9;
        }
    }

    /** What a run from code returned: its exit code and its timings. */
    public record Run(int exitCode, Timings timings) { }

    private java.time.Instant begun;
    private java.time.Instant hubStarted;
    private java.time.Instant sisProcessed;
    private java.time.Instant dropsBegun;
    private java.time.Instant dropsEnded;
    private java.time.Instant filesAcknowledged;
    private java.time.Instant allProcessed;
    private java.time.Instant reported;

    /**
     * Runs ingest from code ({@code ./hub bench}): the state folder into the data folder, with {@code settings} over
     * ingest's own (e.g. a larger SFTP quota), progress and summary to {@code out}. The hub is stopped when it returns.
     */
    public static Run run(Path state, Path dataDir, Map<String, String> settings, java.io.PrintStream out)
            throws Exception {
        IngestCommand c = new IngestCommand();
        c.dir = state;
        c.data.dataDir = dataDir.toString();
        c.timeoutMinutes = 60;
        c.out = out;
        c.extraSettings = Map.copyOf(settings);
        int code = c.call();
        return new Run(code, new Timings(c.begun, c.hubStarted, c.sisProcessed, c.dropsBegun, c.dropsEnded,
                c.filesAcknowledged, c.allProcessed, c.reported, java.time.Instant.now()));
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            return Exit.error("ingest", "no folder " + dir);
        }
        t0 = System.nanoTime();
        begun = java.time.Instant.now();
        String secret = "ingest-" + Long.toHexString(new java.security.SecureRandom().nextLong());
        try (ApiFixtures api = new ApiFixtures(dir, secret)) {
            Map<String, String> o = data.overrides();
            o.put("camel.server.port", String.valueOf(org.credentialhub.runtime.Ports.free()));
            o.put("camel.server.host", "127.0.0.1");
            o.put("camel.management.port", String.valueOf(org.credentialhub.runtime.Ports.free()));
            o.put("hub.sftp.port", String.valueOf(org.credentialhub.runtime.Ports.free()));
            o.put("hub.sftp.bind", "127.0.0.1");
            o.put("hub.sftp.poll-override", "1s");
            // the roster's inbox is looked at more often: everything else waits for the bundle
            o.put("hub.sftp.poll.sis", "200");
            o.put("hub.sftp.read-lock", "none");
            o.put("hub.reporting.cron", "0 0 0 1 1 ? 2099");
            o.put("hub.api.delay", "1000");
            // the API feeds are pulled once the roster is in, as the vendor files are dropped: a result matched
            // against an empty roster is matched again when the roster comes (16,000 results at the NC year's scale)
            o.put("hub.api.auto-startup", "false");
            for (String feed : List.of("badges", "issuedbadges")) {
                o.put("hub.api.base-url." + feed, api.baseUrl());
                o.put("hub.api.secret." + feed, secret);
                o.put("hub.api.poll." + feed, "1s");
            }
            Map<String, String> passwords = new HashMap<>();
            // the SIS, and every feed the state folder has files for (sftp/<feed>, account = feed)
            java.util.Set<String> accounts = new java.util.LinkedHashSet<>(List.of("sis"));
            if (Files.isDirectory(dir.resolve("sftp"))) {
                try (Stream<Path> folders = Files.list(dir.resolve("sftp"))) {
                    folders.filter(Files::isDirectory).map(f -> f.getFileName().toString()).sorted().forEach(accounts::add);
                }
            }
            for (String account : accounts) {
                String pw = "ingest-" + Long.toHexString(new java.security.SecureRandom().nextLong());
                passwords.put(account, pw);
                o.put("hub.sftp.password." + account, pw);
            }
            // a state of several school years (generate --years 3): its own catalogs (every year's), and room for
            // its earlier years' delta bundles, each larger than the SIS guard lets a delta through by default
            if (Files.isDirectory(dir.resolve("catalog"))) {
                o.put("hub.catalog.dir", dir.resolve("catalog").toString());
            }
            if (!earlierYears().isEmpty()) {
                o.put("hub.sis.hold.delta-max-rows", String.valueOf(Integer.MAX_VALUE));
            }
            o.putAll(extraSettings);
            // the bundle is named by its content and zipped while the hub starts, on the core the start leaves idle
            // (about a second of hashing and compressing at the NC year's size, before the hub could take it)
            java.util.concurrent.Future<Bundle> bundle = beside("ingest-bundle", () -> Bundle.of(dir.resolve("oneroster")));
            try (HubRuntime hub = new HubRuntime(o).start()) {
                hubStarted = java.time.Instant.now();
                HubServices s = hub.services();
                int port = s.dropBox.port();
                sis(s, port, passwords.get("sis"), done(bundle), "OneRoster bundle");
                for (Path year : earlierYears()) {
                    sis(s, port, passwords.get("sis"), Bundle.of(year.resolve("oneroster")),
                            "OneRoster delta of " + year.getFileName());
                }
                sisProcessed = java.time.Instant.now();
                api.ready();
                hub.startApiPulls();
                vendorFiles(s, port, passwords);
                district(s);
                waitForFiles(s);
                filesAcknowledged = java.time.Instant.now();
                waitForApis(s);
                allProcessed = java.time.Instant.now();
                say("all deliveries processed");
                // the count against truth.csv only reads, on a connection of its own: its lines (most of its work) are
                // looked up beside the re-match, which keeps one core busy, and counted beside the reporting load;
                // all of it beside the load held the load's first steps back (the NC year's load 18.7 s without
                // the count, 21.8 s with it: docs/performance.md, session 62)
                java.util.concurrent.Future<DecisionFile.Truth> truthLines = beside("ingest-truth", () -> truthLines(s));
                java.util.concurrent.Future<String> truth;
                try {
                    // the queue of what the re-match decided (the rest of it is up to date: 1.3 s for every result)
                    java.time.Instant rematched = databaseNow(s);
                    s.matcher.rematchUnsettled();
                    s.exceptionQueue.refreshChangedSince(rematched);
                    say("unsettled results re-matched against the roster; loading the reporting database");
                } catch (Exception e) {
                    closeQuietly(truthLines, e);
                    throw e;
                }
                truth = beside("ingest-truth-count", () -> truth(done(truthLines)));
                s.reporting.load("ingest");
                out.print(done(truth));
                summary(s, (System.nanoTime() - t0) / 1e9);
                reported = java.time.Instant.now();
            }
        }
        return 0;
    }

    private long t0;

    /**
     * The API fixtures served on a local port, started beside the hub: the server reads the fixture files first (0.7 s
     * at the NC year's size), and the API feeds are pulled only once the roster is in. A file it cannot read fails
     * {@link #ready}, before the pulls start.
     */
    private static final class ApiFixtures implements AutoCloseable {
        private final java.util.concurrent.Future<FixtureApiServer> server;
        private final String baseUrl;

        ApiFixtures(Path dir, String secret) throws IOException {
            int port = org.credentialhub.runtime.Ports.free();
            baseUrl = "http://127.0.0.1:" + port;
            server = beside("ingest-api-fixtures", () -> FixtureApiServer.serve(dir, port)
                    .clientCredentials("credential-hub", secret).apiToken(secret).organization("nc-cte"));
        }

        String baseUrl() {
            return baseUrl;
        }

        /** Waits until the server serves the fixtures (or throws what stopped it). */
        void ready() throws Exception {
            done(server);
        }

        @Override
        public void close() throws Exception {
            try {
                server.get().close();
            } catch (java.util.concurrent.ExecutionException e) {
                // it never started: nothing to close (ready() reported why, if it was reached)
            }
        }
    }

    /**
     * A generated state says who every record is ({@code truth.csv}): its lines' results found (null: the state has
     * none), to count the matcher's automatic matches that credit another student than truth says (or one not on the
     * roster), before any district decision ({@link #truth}).
     */
    private DecisionFile.Truth truthLines(HubServices s) throws Exception {
        Path truth = dir.resolve("truth.csv");
        if (!Files.isRegularFile(truth)) {
            return null;
        }
        return new DecisionFile(s.database.dataSource(), s.decisions, s.hmac, s.feeds, s.mappings,
                s.dataDir.resolve("archive")).lookUpTruth(truth);
    }

    /** The count of {@link #truthLines}' lines, as the matcher's decisions are now (its lines then let go). */
    private static String truth(DecisionFile.Truth lines) throws Exception {
        if (lines == null) {
            return "";
        }
        DecisionFile.TruthCount t;
        try (lines) {
            t = lines.count();
        }
        return String.format(java.util.Locale.ROOT, "wrong automatic matches: %d of %d (%.2f per 10,000 results; "
                        + "%d results named by truth.csv)%n", t.wrong(), t.automatic(),
                t.results() == 0 ? 0.0 : t.wrong() * 10_000.0 / t.results(), t.results());
    }

    /** The truth lines' transaction let go once they are looked up, when what was to follow them failed ({@code e}). */
    private static void closeQuietly(java.util.concurrent.Future<DecisionFile.Truth> lines, Exception e) {
        try {
            DecisionFile.Truth t = done(lines);
            if (t != null) {
                t.close();
            }
        } catch (Exception x) {
            e.addSuppressed(x);
        }
    }

    /** Starts a task on a thread of its own beside the main thread ({@link #done} gives what it gave or threw). */
    private static <T> java.util.concurrent.Future<T> beside(String name, Callable<T> task) {
        java.util.concurrent.FutureTask<T> future = new java.util.concurrent.FutureTask<>(task);
        Thread t = new Thread(future, name);
        t.setDaemon(true);
        t.start();
        return future;
    }

    /** What a task run beside the main thread gave, or what it threw. */
    private static <T> T done(java.util.concurrent.Future<T> task) throws Exception {
        try {
            return task.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /** A progress line, with the seconds since the start: where a run spends its time shows in the output. */
    private void say(String what) {
        out.printf(java.util.Locale.ROOT, "ingest [%6.1f s]: %s%n", (System.nanoTime() - t0) / 1e9, what);
    }

    /** A generated state's earlier school years ({@code years/<year>/oneroster/}, delta bundles), latest first. */
    private List<Path> earlierYears() throws IOException {
        Path years = dir.resolve("years");
        if (!Files.isDirectory(years)) {
            return List.of();
        }
        try (Stream<Path> l = Files.list(years)) {
            return l.filter(y -> Files.isDirectory(y.resolve("oneroster")))
                    .sorted(java.util.Comparator.comparing(Path::toString).reversed()).toList();
        }
    }

    /**
     * A OneRoster folder as it is sent: named by its content, so that a run that resumes after a crash finds the
     * bundle it sent before (the name comes from the files, not the zip: compressing a state's bundles again only to
     * name them took a second and a half of a run that sends none), and zipped; null when there is no such folder.
     */
    private record Bundle(String name, byte[] zip) {
        static Bundle of(Path folder) throws IOException {
            return Files.isDirectory(folder)
                    ? new Bundle("oneroster-" + contentDigest(folder).substring(0, 16) + ".zip", IngestCommand.zip(folder)) : null;
        }
    }

    /** Sends a OneRoster bundle (the state's bulk, or an earlier year's delta) and waits until it is processed. */
    private void sis(HubServices s, int port, String password, Bundle bundle, String label) throws Exception {
        if (bundle == null) {
            say("no oneroster/ bundle; the roster stays as it is");
            return;
        }
        String name = bundle.name();
        // what waits in the inbox first, then what the hub has: a bundle a killed run left there can be imported and
        // deleted at any moment after the restart, and asked the other way round (the hub has no delivery yet; by the
        // time the inbox is listed the bundle is done and gone) it was sent again, a second delivery (the drill saw it)
        try (SftpUpload up = new SftpUpload("127.0.0.1", port, "sis", password)) {
            if (!waiting(up).contains(name)
                    && count(s, "select count(*) from delivery where feed_code = 'sis' and source_name = '" + name + "'") == 0) {
                up.put("inbox/" + name, bundle.zip());
            }
        }
        await(label, () -> count(s, "select count(*) from delivery where feed_code = 'sis' and source_name = '"
                + name + "' and status not in ('processing', 'received')") > 0);
        String status = text(s, "select status || coalesce(': ' || reason, '') from delivery where feed_code = 'sis' "
                + "and source_name = '" + name + "' order by delivery_id limit 1");
        say(label + " " + status);
    }

    /**
     * Drops each vendor file in its feed's inbox, unless the hub has it already (a delivery of that name and
     * content) or it waits there (a run that died after sending it): so a run that resumes sends nothing twice.
     * The feeds' vendors drop at the same time, each on a connection of its own: a feed whose files come last
     * does not wait for the others' uploads before the hub can start on them.
     */
    private void vendorFiles(HubServices s, int port, Map<String, String> passwords) throws Exception {
        Path sftp = dir.resolve("sftp");
        if (!Files.isDirectory(sftp)) {
            return;
        }
        List<FeedConfig> feeds = s.feeds.values().stream()
                .filter(f -> "sftp".equals(f.kind()) && Files.isDirectory(sftp.resolve(f.code()))).toList();
        if (feeds.isEmpty()) {
            return;
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(feeds.size(), r -> {
            Thread t = new Thread(r, "ingest-drop");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<Map<String, String>>> sent = new ArrayList<>();
            for (FeedConfig feed : feeds) {
                sent.add(pool.submit(() -> drop(s, port, feed, sftp.resolve(feed.code()), passwords.get(feed.account()))));
            }
            for (int i = 0; i < feeds.size(); i++) {
                expected.put(feeds.get(i).code(), done(sent.get(i)));
            }
        } finally {
            pool.shutdownNow();
        }
        dropsEnded = java.time.Instant.now();
    }

    /** One feed's files dropped in its inbox ({@link #vendorFiles}); returns every file's name and SHA-256. */
    private Map<String, String> drop(HubServices s, int port, FeedConfig feed, Path folder, String password)
            throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(Files::isRegularFile).sorted().toList();
        }
        Map<String, String> shas = new LinkedHashMap<>();
        int sent = 0;
        try (SftpUpload up = new SftpUpload("127.0.0.1", port, feed.account(), password)) {
            java.util.Set<String> waiting = waiting(up);
            for (Path f : files) {
                String name = f.getFileName().toString();
                String sha = org.credentialhub.support.Sha256.hex(f);
                shas.put(name, sha);
                if (delivered(s, feed.code(), name, sha) || waiting.contains(name)) {
                    continue;
                }
                dropping();
                up.put("inbox/" + name, f);   // streamed: a file of hundreds of MB is not held in memory
                sent++;
            }
        }
        say(sent + " file(s) dropped in the " + feed.code() + " inbox" + (sent < files.size()
                ? " (" + (files.size() - sent) + " sent before)" : ""));
        return shas;
    }

    /** Notes when the first vendor file was dropped. */
    private synchronized void dropping() {
        if (dropsBegun == null) {
            dropsBegun = java.time.Instant.now();
        }
    }

    /** The names of the files in an account's inbox, or taken from it and not yet done with (inbox/.taken). */
    private static java.util.Set<String> waiting(SftpUpload up) throws IOException {
        java.util.Set<String> names = new java.util.HashSet<>(up.list("inbox"));
        if (up.exists("inbox/.taken")) {
            for (String taken : up.list("inbox/.taken")) {
                names.add(taken.substring(taken.indexOf(org.credentialhub.intake.DeliveryFlow.PICKUP_MARK) + 1));
            }
        }
        return names;
    }

    private static boolean delivered(HubServices s, String feed, String name, String sha) throws SQLException {
        try (Connection c = s.database.dataSource().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("""
                     select count(*) from delivery where feed_code = ? and source_name = ? and content_sha256 = ?""")) {
            ps.setString(1, feed);
            ps.setString(2, name);
            ps.setString(3, sha);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private void district(HubServices s) throws Exception {
        Path entries = dir.resolve("district/entries.csv");
        if (!Files.isRegularFile(entries) || s.districtEntries == null) {
            return;
        }
        byte[] csv = Files.readAllBytes(entries);
        String feed = s.feeds.values().stream().filter(f -> "district".equals(f.kind())).findFirst().orElseThrow().code();
        if (count(s, "select count(*) from delivery where feed_code = '" + feed + "' and content_sha256 = '"
                + org.credentialhub.support.Sha256.hex(csv) + "' and status <> 'duplicate'") > 0) {
            say("district entries taken before");
        } else {
            List<DistrictEntries.Evidence> evidence = new ArrayList<>();
            Path evidenceDir = dir.resolve("district/evidence");
            if (Files.isDirectory(evidenceDir)) {
                try (Stream<Path> walk = Files.walk(evidenceDir)) {
                    for (Path p : walk.filter(Files::isRegularFile).toList()) {
                        evidence.add(new DistrictEntries.Evidence(evidenceDir.relativize(p).toString(), Files.readAllBytes(p)));
                    }
                }
            }
            Map<String, Object> out = s.districtEntries.upload("entries.csv", csv, evidence, "ingest");
            say("district entries " + out.get("status") + " (" + out.get("rows_accepted")
                    + " accepted, " + out.get("rows_rejected") + " rejected)");
        }
        // an upload a killed run had staged but not matched is finished by the hub's recovery (at start-up): wait for it
        await("the district entries matched", () -> !org.credentialhub.store.Deliveries.hasBacklog(s.database.dataSource(), feed));
        if (!noValidate) {
            List<Long> pending = s.districtEntries.pending(null).stream().map(DistrictEntries.Pending::resultId).toList();
            s.districtEntries.validateAll(pending, "ingest");
            // what validating changed (pending results now active) in the districts' queue
            s.exceptionQueue.refreshFeed(feed);
            say(pending.size() + " district entries validated");
        }
    }

    /** Waits until every file sent to a feed is an acknowledged delivery and the feed has nothing unfinished. */
    private void waitForFiles(HubServices s) throws Exception {
        for (Map.Entry<String, Map<String, String>> e : expected.entrySet()) {
            String feed = e.getKey();
            String[] names = e.getValue().keySet().toArray(new String[0]);
            String[] shas = e.getValue().values().toArray(new String[0]);
            await("the " + feed + " files", () -> {
                long done;
                // one query for all the feed's files (a query per file, every half second, slowed the hub it waits for)
                try (Connection c = s.database.dataSource().getConnection();
                     java.sql.PreparedStatement ps = c.prepareStatement("""
                             select count(distinct (f.name, f.sha)) from unnest(?::text[], ?::text[]) f(name, sha)
                             join delivery d on d.feed_code = ? and d.source_name = f.name and d.content_sha256 = f.sha
                             and d.acknowledged_at is not null""")) {
                    ps.setArray(1, c.createArrayOf("text", names));
                    ps.setArray(2, c.createArrayOf("text", shas));
                    ps.setString(3, feed);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        done = rs.getLong(1);
                    }
                }
                return done == e.getValue().size() && count(s, "select count(*) from delivery where feed_code = '" + feed
                        + "' and acknowledged_at is null and pickup_ref is not null") == 0;
            });
        }
    }

    /**
     * Until every API feed has settled: its cursor has come to the end of a run that ended after the feed's last
     * delivery arrived (so that run found nothing new past it), and all its deliveries are processed.
     */
    private void waitForApis(HubServices s) throws Exception {
        List<String> feeds = new ArrayList<>();
        for (String feed : List.of("badges", "issuedbadges")) {
            if (s.feeds.containsKey(feed) && Files.exists(dir.resolve("api").resolve(feed))) {
                feeds.add(feed);
            }
        }
        if (feeds.isEmpty()) {
            return;
        }
        // one statement a look: deliveries that arrived since `since`, feeds whose cursor has not finished a run
        // since then, deliveries not processed yet
        String look = """
                select (select count(*) from delivery where feed_code = any (?::text[]) and received_at > ?::timestamptz)
                         as arrived,
                       (select count(*) from unnest(?::text[]) f where not exists (
                            select 1 from api_cursor a where a.feed_code = f and a.next_page is null
                              and a.updated_at > ?::timestamptz)) as running,
                       (select count(*) from delivery where feed_code = any (?::text[]) and processed_at is null
                          and status not in ('duplicate', 'quarantined')) as unprocessed,
                       clock_timestamp()::text as now""";
        String list = "{" + String.join(",", feeds) + "}";
        // from the feeds' last arrival, not from now: a run that ended after it has already found nothing new (it
        // was waiting a pull period, up to a second and a half, for a run that would only say so again)
        String[] since = {text(s, "select coalesce(max(received_at), clock_timestamp())::text from delivery "
                + "where feed_code = any ('" + list + "'::text[])")};
        await("the API pulls to settle", () -> {
            Map<String, Object> r = org.credentialhub.store.Rows.list(s.database.dataSource(), look,
                    List.of(list, since[0], list, since[0], list)).get(0);
            if (((Number) r.get("arrived")).longValue() > 0) {
                since[0] = (String) r.get("now");   // more came: a later run must find nothing
                return false;
            }
            return ((Number) r.get("running")).longValue() == 0 && ((Number) r.get("unprocessed")).longValue() == 0;
        });
    }

    private void summary(HubServices s, double seconds) throws SQLException {
        out.println();
        out.println("feed           deliveries  accepted  w/rejections  quarantined  duplicates  rows accepted  rows rejected");
        try (Connection c = s.database.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     select feed_code, count(*), count(*) filter (where status = 'accepted'),
                            count(*) filter (where status = 'accepted_with_rejections'),
                            count(*) filter (where status = 'quarantined'), count(*) filter (where status = 'duplicate'),
                            coalesce(sum(rows_accepted), 0), coalesce(sum(rows_rejected), 0)
                     from delivery group by feed_code order by feed_code""")) {
            while (rs.next()) {
                out.printf("%-14s %10d %9d %13d %12d %11d %14d %14d%n", rs.getString(1), rs.getLong(2),
                        rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8));
            }
        }
        out.println();
        out.println("results: " + text(s, """
                select count(*) || ' (' || count(*) filter (where match_decision = 'match') || ' matched, '
                       || count(*) filter (where match_decision = 'review') || ' for review, '
                       || count(*) filter (where match_decision = 'none') || ' without a match, '
                       || count(*) filter (where match_decision = 'rejected') || ' rejected)' from result"""));
        out.println("open exceptions: " + text(s, """
                select coalesce(string_agg(kind || ' ' || n, ', '), 'none') from (select kind, count(*) n
                from result_exception where status in ('open', 'deferred') group by kind order by kind) x"""));
        out.println("reporting load: " + text(s, """
                select status || ', school year(s) ' || coalesce(array_to_string(years, ', '), '-') || ', '
                       || coalesce(rows_written, 0) || ' fact rows' from rpt.load_run order by load_id desc limit 1"""));
        out.printf("ingest took %.1f s%n", seconds);
    }

    // ---------------------------------------------------------------- helpers

    private interface Check {
        boolean ok() throws Exception;
    }

    private void await(String what, Check check) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(timeoutMinutes).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("ingest: gave up waiting for " + what);
            }
            Thread.sleep(500);
        }
    }

    private static long count(HubServices s, String sql) throws SQLException {
        return Long.parseLong(text(s, sql));
    }

    /** The database's clock now (what {@code now()} stamps rows with), to the microsecond. */
    private static java.time.Instant databaseNow(HubServices s) throws SQLException {
        return java.time.Instant.EPOCH.plus(count(s, "select (extract(epoch from clock_timestamp()) * 1000000)::bigint"),
                java.time.temporal.ChronoUnit.MICROS);
    }

    private static String text(HubServices s, String sql) throws SQLException {
        try (Connection c = s.database.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? String.valueOf(rs.getObject(1)) : "";
        }
    }

    /** SHA-256 (hex) of a folder's files, by name and content, in name order: what {@link #zip} would hold. */
    private static String contentDigest(Path folder) throws IOException {
        java.security.MessageDigest md = org.credentialhub.support.Sha256.digest();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                md.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(java.nio.ByteBuffer.allocate(Long.BYTES).putLong(Files.size(f)).array());
                org.credentialhub.support.Sha256.update(md, f);
            }
        }
        return org.credentialhub.support.Sha256.hex(md);
    }

    private static byte[] zip(Path folder) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes); Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                ZipEntry entry = new ZipEntry(f.getFileName().toString());
                entry.setTime(0);   // the same folder makes the same bytes
                z.putNextEntry(entry);
                Files.copy(f, z);
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }



}
