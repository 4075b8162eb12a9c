package org.credentialhub.retention;

import org.credentialhub.store.Rollback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * FERPA-minimal retention. One purge, set-based, removes:
 * <ul>
 *   <li><b>vendor-sent identities</b>: the {@code result_identity} row (names, birth date, e-mail, school as the
 *       vendor sent them) of every result that is decided ({@code match_decision} match or rejected, or none/review)
 *       and has no open or deferred exception, once its last event (identity received, decision or correction,
 *       last exception change) is older than {@code hub.retention.vendor-identity-days} (default 90). A result with an
 *       open or deferred exception is never touched: the district still needs the vendor's values to decide;</li>
 *   <li><b>archived raw files</b> ({@code <hub.data.dir>/archive/<feed>/<sha256>}) whose every delivery is older than
 *       {@code hub.retention.archive-days} (default 365), except the file of a quarantined delivery that was not
 *       re-processed (ops may still re-process it);</li>
 *   <li><b>expired web sessions</b> ({@code web_session.expires_at < now()}).</li>
 * </ul>
 * Each real run is recorded in {@code retention_run} (counts only); a dry run counts what would go and changes
 * nothing. Nothing identifying is logged: counts only.
 */
public final class RetentionPurge {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionPurge.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern FEED = Pattern.compile("[A-Za-z0-9_.-]+");

    public static final int DEFAULT_IDENTITY_DAYS = 90;
    public static final int DEFAULT_ARCHIVE_DAYS = 365;

    /** Results whose vendor identity may go ({@code ?} = the identity retention in days). */
    private static final String PURGEABLE_IDENTITY = """
            from result_identity i
            join result r on r.result_id = i.result_id
            where (r.match_decision in ('match', 'rejected') or r.match_decision in ('none', 'review'))
              and not exists (select 1 from result_exception e
                              where e.result_id = r.result_id and e.status in ('open', 'deferred'))
              and greatest(i.received_at, r.updated_at,
                           coalesce((select max(e.updated_at) from result_exception e where e.result_id = r.result_id),
                                    '-infinity'::timestamptz)) < now() - make_interval(days => ?)""";

    /** Archived files (feed, sha256) whose deliveries are all older than {@code ?} days and none needs them. */
    private static final String PURGEABLE_FILES = """
            select d.feed_code, d.content_sha256
            from delivery d
            group by d.feed_code, d.content_sha256
            having max(d.received_at) < now() - make_interval(days => ?)
               and not exists (select 1 from delivery q
                               where q.feed_code = d.feed_code and q.content_sha256 = d.content_sha256
                                 and q.status = 'quarantined'
                                 and not exists (select 1 from delivery x
                                                 where x.feed_code = q.feed_code and x.content_sha256 = q.content_sha256
                                                   and x.delivery_id > q.delivery_id
                                                   and x.status in ('accepted', 'accepted_with_rejections')))""";

    private final DataSource dataSource;
    private final Path archiveDir;
    private final int identityDays;
    private final int archiveDays;

    /** What a purge removed (or, in a dry run, would remove). {@code runId} is 0 for a dry run. */
    public record Outcome(long runId, boolean dryRun, int identities, int files, int sessions) {
    }

    public RetentionPurge(DataSource dataSource, Path archiveDir, int identityDays, int archiveDays) {
        if (identityDays < 0 || archiveDays < 0) {
            throw new IllegalArgumentException("retention periods must not be negative");
        }
        this.dataSource = dataSource;
        this.archiveDir = archiveDir;
        this.identityDays = identityDays;
        this.archiveDays = archiveDays;
    }

    /**
     * The purge as configured: {@code hub.retention.vendor-identity-days} (default 90) and
     * {@code hub.retention.archive-days} (default 365), read through the given lookup (the runtime's settings; this
     * package does not depend on the runtime that schedules it).
     */
    public static RetentionPurge from(java.util.function.Function<String, java.util.Optional<String>> settings,
                                      DataSource dataSource, Path archiveDir) {
        return new RetentionPurge(dataSource, archiveDir,
                days(settings, "hub.retention.vendor-identity-days", DEFAULT_IDENTITY_DAYS),
                days(settings, "hub.retention.archive-days", DEFAULT_ARCHIVE_DAYS));
    }

    private static int days(java.util.function.Function<String, java.util.Optional<String>> settings, String key,
                            int fallback) {
        String v = settings.apply(key).map(String::strip).orElse(null);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a whole number of days");
        }
    }

    public int identityDays() {
        return identityDays;
    }

    public int archiveDays() {
        return archiveDays;
    }

    /** Route step (routes/retention.yaml): purges now and records the run. */
    public Outcome purge(String trigger) throws SQLException, IOException {
        return run(trigger, false);
    }

    /** Counts what a purge would remove, changing nothing. */
    public Outcome dryRun() throws SQLException, IOException {
        return run("dry-run", true);
    }

    public Outcome run(String trigger, boolean dryRun) throws SQLException, IOException {
        long t0 = System.nanoTime();
        Outcome out = dryRun ? count() : purgeNow(trigger);
        LOG.info("Retention{} ({} / {} days): {} vendor identities, {} archived files, {} expired sessions {} ({} ms)",
                dryRun ? " dry run" : " run " + out.runId(), identityDays, archiveDays, out.identities(), out.files(),
                out.sessions(), dryRun ? "would be purged" : "purged", (System.nanoTime() - t0) / 1_000_000);
        return out;
    }

    private Outcome count() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            int identities;
            try (PreparedStatement ps = c.prepareStatement("select count(*) " + PURGEABLE_IDENTITY)) {
                ps.setInt(1, identityDays);
                identities = single(ps);
            }
            int files = 0;
            for (Path f : purgeableFiles(c)) {
                if (Files.isRegularFile(f)) {
                    files++;
                }
            }
            int sessions;
            try (PreparedStatement ps = c.prepareStatement("select count(*) from web_session where expires_at < now()")) {
                sessions = single(ps);
            }
            return new Outcome(0, true, identities, files, sessions);
        }
    }

    private Outcome purgeNow(String trigger) throws SQLException, IOException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            long runId;
            int identities;
            int sessions;
            List<Path> files;
            try {
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into retention_run (trigger, identity_days, archive_days) values (?, ?, ?)
                        returning run_id""")) {
                    ps.setString(1, trigger);
                    ps.setInt(2, identityDays);
                    ps.setInt(3, archiveDays);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        runId = rs.getLong(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "delete from result_identity where result_id in (select i.result_id " + PURGEABLE_IDENTITY + ")")) {
                    ps.setInt(1, identityDays);
                    identities = ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("delete from web_session where expires_at < now()")) {
                    sessions = ps.executeUpdate();
                }
                files = purgeableFiles(c);
                try (PreparedStatement ps = c.prepareStatement("""
                        update retention_run set identities_purged = ?, sessions_purged = ? where run_id = ?""")) {
                    ps.setInt(1, identities);
                    ps.setInt(2, sessions);
                    ps.setLong(3, runId);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Rollback.after(c, e);
                throw e;
            }
            // files after the commit: a failed transaction deletes no file
            int deleted = 0;
            for (Path f : files) {
                if (Files.deleteIfExists(f)) {
                    deleted++;
                }
            }
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement("""
                    update retention_run set files_purged = ?, finished_at = now() where run_id = ?""")) {
                ps.setInt(1, deleted);
                ps.setLong(2, runId);
                ps.executeUpdate();
            }
            return new Outcome(runId, false, identities, deleted, sessions);
        }
    }

    private List<Path> purgeableFiles(Connection c) throws SQLException {
        List<Path> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PURGEABLE_FILES)) {
            ps.setInt(1, archiveDays);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String feed = rs.getString(1);
                    String sha = rs.getString(2);
                    // only the archive's own layout: never a path outside archive/<feed>/
                    if (feed != null && sha != null && FEED.matcher(feed).matches() && !feed.startsWith(".")
                            && SHA256.matcher(sha).matches()) {
                        out.add(archiveDir.resolve(feed).resolve(sha));
                    }
                }
            }
        }
        return out;
    }

    private static int single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
