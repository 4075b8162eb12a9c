package org.credentialhub.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.credentialhub.reporting.ReportCsv;
import org.credentialhub.reporting.Reports;
import org.credentialhub.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The crash drill (docs/reliability.md): runs {@code ingest}, {@code resolve} and {@code ingest} again over a
 * generated state, once without interruption and then once per kill point, killing the hub's process with
 * SIGKILL at that moment and starting the interrupted command again; each run must end with the same reports,
 * results, exceptions and acknowledgements as the uninterrupted one. Prints one line per point and exits 1
 * when any run differs. Differences are shown by section and line number only (the data is student data).
 */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = "Crash drill: SIGKILL the hub at N points of ingest, resolve and a second ingest, restart it, "
                + "and compare every run with an uninterrupted one.")
public final class DrillCommand implements Callable<Integer> {

    @Option(names = "--state", description = "a state folder written by ./hub generate (default: generate "
            + "--scenario nc-2024-25 --seed 5 --scale 0.02 into the work folder)")
    Path state;

    @Option(names = "--work", defaultValue = "target/drill", description = "where the runs' data folders go (default ${DEFAULT-VALUE})")
    Path work;

    @Option(names = "--points", defaultValue = "20", description = "kill points (default ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the jitter of the kill times (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--steps", defaultValue = "ingest,resolve,ingest", split = ",",
            description = "the commands of a run, among ingest and resolve (default ${DEFAULT-VALUE})")
    List<String> stepNames;

    @Option(names = "--timeout", defaultValue = "20", description = "minutes a command may take (default ${DEFAULT-VALUE})")
    int timeoutMinutes;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(work);
        if (state == null) {
            state = work.resolve("state");
            if (!Files.isDirectory(state)) {
                run(List.of("generate", "--scenario", "nc-2024-25", "--seed", "5", "--scale", "0.02", "--out", state.toString()), 0);
            }
        }
        List<List<String>> steps = steps();
        Path base = fresh(work.resolve("run-0"));
        double[] took = new double[steps.size()];
        exits = new int[steps.size()];
        for (int k = 0; k < steps.size(); k++) {
            long t0 = System.nanoTime();
            step = k;
            exits[k] = -1;
            run(with(steps.get(k), base), 0);
            exits[k] = lastExit;
            took[k] = (System.nanoTime() - t0) / 1e9;
        }
        String baseline = snapshot(base);
        Files.writeString(work.resolve("run-0.txt"), baseline);
        StringBuilder times = new StringBuilder();
        for (int k = 0; k < steps.size(); k++) {
            times.append(k == 0 ? "" : ", ").append(steps.get(k).get(0)).append(String.format(Locale.ROOT, " %.0f s", took[k]));
        }
        System.out.println("drill: uninterrupted run: " + times);
        Random random = new Random(seed);
        int same = 0;
        int missed = 0;
        for (int i = 1; i <= points; i++) {
            // spread over the whole run, each point jittered within its slot
            double fraction = (i - 1 + 0.15 + 0.7 * random.nextDouble()) / points;
            Path dir = null;
            String where = null;
            // a run may go faster than the uninterrupted one did (a busy machine): when the command had ended before
            // its kill, its time is taken as the new estimate and the point is run again, at the same share of the run
            CommandFailed failed = null;
            for (int attempt = 0; attempt < 3 && failed == null; attempt++) {
                double total = 0;
                for (double t : took) {
                    total += t;
                }
                double at = total * fraction;
                dir = fresh(work.resolve("run-" + i));
                where = null;
                boolean killed = false;
                double before = 0;
                for (int k = 0; k < steps.size(); k++) {
                    step = k;
                    List<String> command = with(steps.get(k), dir);
                    try {
                        if (where == null && at < before + took[k]) {
                            double into = at - before;
                            long t0 = System.nanoTime();
                            where = String.format(Locale.ROOT, "%s (step %d) at %.1f s", steps.get(k).get(0), k + 1, into);
                            killed = run(command, into);
                            if (!killed) {
                                took[k] = Math.min(took[k], (System.nanoTime() - t0) / 1e9);
                                where += " (it had ended)";
                            }
                            if (!killed && attempt < 2) {
                                break;
                            }
                        }
                        // the killed command started again (or a later step)
                        run(command, 0);
                    } catch (CommandFailed e) {
                        failed = e;
                        break;
                    }
                    before += took[k];
                }
                if (failed != null || killed || attempt == 2) {
                    missed += killed ? 0 : 1;
                    break;
                }
            }
            String diff;
            if (failed != null) {
                diff = failed.getMessage();
            } else {
                String snapshot = snapshot(dir);
                Files.writeString(work.resolve("run-" + i + ".txt"), snapshot);
                diff = firstDifference(baseline, snapshot);
            }
            if (diff == null) {
                same++;
            }
            System.out.printf(Locale.ROOT, "drill: point %2d, SIGKILL during %s: %s%n", i, where,
                    diff == null ? "identical" : failed != null ? "FAILED (" + diff + ")" : "DIFFERENT (" + diff + ")");
            if (failed != null) {
                failed.excerpt.forEach(line -> System.out.println("drill:   " + line));
            }
        }
        System.out.printf(Locale.ROOT, "drill: %d/%d runs identical to the uninterrupted run (%d killed a running command)%n",
                same, points, points - missed);
        return same == points ? 0 : 1;
    }

    private List<List<String>> steps() {
        List<List<String>> steps = new ArrayList<>();
        for (String name : stepNames) {
            switch (name.trim()) {
                case "ingest" -> steps.add(List.of("ingest", state.toString()));
                case "resolve" -> steps.add(List.of("resolve", "--decisions", state.resolve("district-decisions.csv").toString()));
                default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "drill: a step is ingest or resolve, not " + name);
            }
        }
        return steps;
    }

    private static List<String> with(List<String> step, Path dataDir) {
        List<String> c = new ArrayList<>(step);
        c.add("--data-dir");
        c.add(dataDir.toString());
        return c;
    }

    private static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            stopDatabase(dir);
            org.credentialhub.support.PrivateFiles.deleteTree(dir);
        }
        Files.createDirectories(dir);
        return dir;
    }

    /** Exit codes of the uninterrupted run's steps (-1 while it runs: any is taken); the step now running. */
    private int[] exits;
    private int step;
    private int lastExit;

    /**
     * Runs a hub command in a process of its own; with {@code killAfter} > 0, kills it with SIGKILL after that
     * many seconds (true when it was still running). A command that ends by itself must end as it did in the
     * uninterrupted run ({@code resolve} exits 1 when decisions name rows the hub refused).
     */
    private boolean run(List<String> args, double killAfter) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx1g");
        // the drill JVM's own -XX options (a test run's quick JIT, a collector), so that its commands run alike
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:")).forEach(command::add);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Hub.class.getName());
        command.addAll(args);
        Path log = work.resolve("last-command.log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // every run hashes IDs with the same key, so that runs compare
        pb.environment().put("HUB_IDENTITY_HMAC_KEY", "credential-hub-crash-drill-key");
        Process p = pb.start();
        if (killAfter > 0) {
            if (!p.waitFor((long) (killAfter * 1000), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();   // SIGKILL: no shutdown hook, no clean stop
                p.waitFor();
                return true;
            }
        } else if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("drill: " + args.get(0) + " did not end within " + timeoutMinutes + " minutes");
        }
        lastExit = p.exitValue();
        int expected = exits == null ? 0 : exits[step];
        if (expected >= 0 ? lastExit != expected : lastExit > 1) {
            throw new CommandFailed(args.get(0) + " exited " + lastExit + (expected > 0 ? ", uninterrupted " + expected : "")
                    + "; its log: " + log, excerpt(log));
        }
        return false;
    }

    /** A command of a run that ended otherwise than in the uninterrupted run, with its log's warnings and errors. */
    static final class CommandFailed extends IllegalStateException {
        final List<String> excerpt;

        CommandFailed(String message, List<String> excerpt) {
            super("drill: " + message);
            this.excerpt = excerpt;
        }
    }

    /**
     * A failed command's warnings, errors and exceptions (the last 60 such lines), to print beside the failure: a
     * drill's work folder is often gone (a CI machine) by the time someone reads why. The hub logs no student data.
     */
    static List<String> excerpt(Path log) {
        List<String> lines = new ArrayList<>();
        try (Stream<String> all = Files.lines(log)) {
            boolean inTrace = false;
            for (String line : (Iterable<String>) all::iterator) {
                boolean trace = inTrace && (line.startsWith("\t") || line.startsWith("Caused by") || line.startsWith("\t..."));
                inTrace = line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception") || trace;
                if (inTrace) {
                    lines.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            lines.add("(could not read " + log + ": " + e.getMessage() + ")");
        }
        return lines.size() > 60 ? lines.subList(lines.size() - 60, lines.size()) : lines;
    }

    /** A killed hub leaves its embedded PostgreSQL running: stop it (it holds the run's data folder). */
    private static void stopDatabase(Path dataDir) {
        Path pid = dataDir.resolve("postgres/postmaster.pid");
        try {
            if (Files.isRegularFile(pid)) {
                long p = Long.parseLong(Files.readAllLines(pid).get(0).trim());
                ProcessHandle.of(p).ifPresent(h -> {
                    h.destroy();
                    h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
                });
            }
        } catch (Exception ignored) {
            // nothing to stop
        }
    }

    /**
     * What a run ended with, as canonical text: every report table, every result and exception by natural key,
     * every delivery of a file or bundle, every acknowledgement (less delivery ids and receipt times).
     */
    static String snapshot(Path dataDir) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Database db = Database.open(null, null, null, dataDir, 0, 2);
             Connection c = db.dataSource().getConnection()) {
            section(out, c, "results", """
                    select r.feed_code, r.attempt_key, r.exam_code, r.credential_code, r.school_year, r.passed, r.score,
                           r.status, r.match_decision, s.state_id_hash, r.source_ref
                    from result r left join student s using (student_id) order by 1, 2""");
            // what districts see and decided; not the exceptions that closed themselves ('auto': the condition went
            // away as other feeds' files arrived), whose history depends on how concurrent feeds interleave and
            // differs between two uninterrupted runs too
            section(out, c, "exceptions", """
                    select r.feed_code, r.attempt_key, e.kind, e.district_code, e.status, e.resolution, e.resolved_by
                    from result_exception e join result r using (result_id)
                    where e.resolution is distinct from 'auto' order by 1, 2, 3, 4""");
            section(out, c, "deliveries", """
                    select feed_code, source_name, content_sha256, status, rows_read, rows_accepted, rows_rejected,
                           regexp_replace(coalesce(reason, ''), ' received [0-9: -]+$', ''), acknowledged_at is not null
                    from delivery where pickup_ref is not null or feed_code in (select feed_code from feed where kind = 'district')
                    order by 1, 2, 3, 4""");
            section(out, c, "rejections", """
                    select d.feed_code, d.source_name, x.row_number, x.field, x.reason
                    from delivery_rejection x join delivery d using (delivery_id)
                    where d.pickup_ref is not null order by 1, 2, 3, 4""");
            Reports reports = new Reports(10, java.util.Map.of());
            for (String name : Reports.names()) {
                for (String year : List.of("2024-2025")) {
                    out.append("== report ").append(name).append('\n');
                    out.append(ReportCsv.of(reports.compute(c, name, year), true));
                }
            }
        }
        Path dropbox = dataDir.resolve("dropbox");
        if (Files.isDirectory(dropbox)) {
            List<Path> acks;
            try (Stream<Path> walk = Files.walk(dropbox)) {
                acks = walk.filter(p -> p.getFileName().toString().endsWith(".ack.json")).sorted().toList();
            }
            out.append("== acknowledgements\n");
            for (Path ack : acks) {
                ObjectNode node = (ObjectNode) JSON.readTree(Files.readAllBytes(ack));
                node.remove(List.of("delivery", "received", "duplicate_of"));
                if (node.hasNonNull("reason")) {
                    node.put("reason", node.get("reason").asText().replaceAll(" received [0-9: -]+$", ""));
                }
                out.append(dropbox.relativize(ack)).append(' ').append(JSON.writeValueAsString(JSON.treeToValue(node, Object.class)))
                        .append('\n');
            }
        }
        stopDatabase(dataDir);
        return out.toString();
    }

    private static void section(StringBuilder out, Connection c, String name, String sql) throws SQLException {
        out.append("== ").append(name).append('\n');
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    out.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.append('\n');
            }
        }
    }

    /** Where two snapshots first differ, by section and line (never the line itself), or null. */
    static String firstDifference(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        String section = "";
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String l = i < x.length ? x[i] : null;
            if (l != null && l.startsWith("== ")) {
                section = l.substring(3);
            }
            if (i >= y.length || l == null || !l.equals(y[i])) {
                return "first difference in " + section + ", line " + (i + 1) + "; " + x.length + " vs " + y.length + " lines";
            }
        }
        return null;
    }
}
