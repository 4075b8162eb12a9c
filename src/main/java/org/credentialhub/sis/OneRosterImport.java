package org.credentialhub.sis;

import org.credentialhub.support.Hmac;
import org.credentialhub.support.SchoolYears;
import org.credentialhub.store.Rollback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes a OneRoster 1.1 or 1.2 CSV bundle (folder or zip, bulk or delta) from a SIS into the hub:
 * reads the manifest, checks every file against the standard while streaming it into staging tables
 * with COPY, and then either refuses the bundle whole (nothing applied, every problem listed) or
 * publishes it set-based in the same transaction: a bulk file replaces the SIS source's rows of its
 * kind, a delta file applies its changes ({@code tobedeleted} removes). Students go to the roster
 * ({@code student}, state IDs as keyed hashes), orgs to {@code district} and {@code school}. Each
 * bundle is recorded as a {@code delivery} with its problems in {@code delivery_problem}.
 *
 * <p>This class is the coordinator the routes and the CLI call; each step is another class's job:
 * {@link BundleManifest} (the manifest), {@link RosterStaging} (staging with COPY, value checks),
 * {@link RosterChecks} (checks of the whole bundle), {@link RosterPublisher} (publishing) and
 * {@link DeliveryRecords} (the delivery and its verdict).
 */
public final class OneRosterImport {
    private static final Logger LOG = LoggerFactory.getLogger(OneRosterImport.class);
    /** Default feed (SIS source) of bundles taken through the plain Java API. */
    public static final String DEFAULT_FEED = "sis";

    private final DataSource dataSource;
    private final RosterStaging staging;
    private final RosterPublisher publisher;
    private volatile SisGuard guard;
    private volatile Path holdDir;
    /** Whether bulk files are compared with their published lines ({@link LineSets}); tests turn it off to compare. */
    private volatile boolean lineSets = true;
    /** The files the last accepted import staged as deltas (tests). */
    volatile Set<String> lastConverted = Set.of();

    /**
     * @param firstMonth   first month of the school year (7: July)
     * @param stateIdTypes {@code userIds} types that hold the state student ID (compared without case and
     *                     punctuation); a user without one has it in {@code identifier}
     */
    public OneRosterImport(DataSource dataSource, Hmac hmac, int firstMonth, Collection<String> stateIdTypes) {
        this(dataSource, hmac, firstMonth, stateIdTypes, RosterPublisher.KEYS_MADE_AFTER_ROWS);
    }

    /** @param keysMadeAfterRows staged rows from which a table's first rows are loaded before its keys (tests: fewer) */
    OneRosterImport(DataSource dataSource, Hmac hmac, int firstMonth, Collection<String> stateIdTypes,
                    long keysMadeAfterRows) {
        this.dataSource = dataSource;
        this.staging = new RosterStaging(hmac, new StateIds(stateIdTypes));
        this.publisher = new RosterPublisher(new SchoolYears(firstMonth), keysMadeAfterRows);
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

    /** Stages every bulk file whole, never only its changed lines (tests: what the fast path must equal). */
    OneRosterImport withoutLineSets() {
        this.lineSets = false;
        return this;
    }

    /** Holds at most this many characters of a file's changed lines (tests: a bulk that changed much, at a small size). */
    OneRosterImport withChangedTextLimit(int chars) {
        staging.changedTextLimit(chars);
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
        Set<String> mayRepeat = new HashSet<>();   // files that may give a sourcedId twice
        String version = null;
        String sha;
        long size;
        try (Bundle bundle = Bundle.open(folderOrZip)) {
            sha = bundle.fingerprint();
            size = bundle.size();
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    DeliveryRecords.ensureFeed(c, feed);
                    Long same = DeliveryRecords.lastAcceptedWithContent(c, feed, sha);
                    if (same != null && held == null) {
                        return DeliveryRecords.duplicate(c, feed, sourceName, sha, size, same, pickupRef);
                    }
                    Long waitsFor = guard == null || held != null ? null : SisHolds.pending(c, feed);
                    if (waitsFor != null) {
                        return DeliveryRecords.hold(c, null, feed, sourceName, sha, size, pickupRef, folderOrZip, holdDir,
                                waitsFor, null, "waits for the decision on delivery " + waitsFor + ", held before it");
                    }
                    long deliveryId = DeliveryRecords.processing(c, held, feed, sourceName, sha, size, pickupRef);
                    try (Statement st = c.createStatement()) {
                        st.execute("set local time zone 'UTC'");
                        // a lost import (crash right after commit) is simply delivered again; nothing is half-applied
                        st.execute("set local synchronous_commit = off");
                        // the bundle's joins and checks hash whole files: in memory, not in batches spilled to disk
                        st.execute("set local work_mem = '256MB'");
                    }
                    // the roster's writes are this source's: they leave its users line set alone (V79's trigger)
                    try (PreparedStatement ps = c.prepareStatement("select set_config('hub.roster_source', ?, true)")) {
                        ps.setString(1, feed);
                        ps.execute();
                    }
                    BundleManifest manifest = BundleManifest.read(bundle, problems);
                    LineSets.Import lines = new LineSets.Import(lineSets);
                    if (manifest != null) {
                        version = manifest.version;
                        staging.stage(c, feed, bundle, manifest, rows, mayRepeat, problems, lines);
                        RosterChecks.beforePublish(c, feed, bundle, manifest, mayRepeat, problems);
                    }
                    if (problems.hasErrors()) {
                        c.rollback();
                        if (held != null) {
                            return DeliveryRecords.refusedHeld(c, held, version, rows, problems);
                        }
                        return DeliveryRecords.refused(c, feed, sourceName, sha, size, version, rows, problems, pickupRef);
                    }
                    if (guard != null && !approved) {
                        Map<String, String> modes = new HashMap<>();
                        manifest.modes.forEach((file, mode) -> {
                            if (mode.equals("bulk") || mode.equals("delta")) {
                                modes.put(file, mode);
                            }
                        });
                        SisGuard.Impact impact = guard.impact(c, feed, modes, lines.convertedFiles());
                        if (impact.held()) {
                            c.rollback();
                            return DeliveryRecords.hold(c, held, feed, sourceName, sha, size, pickupRef, folderOrZip,
                                    holdDir, null, impact.detail(), impact.reason());
                        }
                    }
                    TableChanges changes = new TableChanges();
                    boolean stateIdsRepeat = mayRepeat.contains(RosterStaging.STATE_IDS);
                    publisher.publish(c, feed, deliveryId, manifest, lines, changes, stateIdsRepeat);
                    RosterChecks.afterPublish(c, feed, manifest, problems, lines, changes, stateIdsRepeat);
                    LineSets.record(c, feed, deliveryId, manifest, problems, lines);
                    lastConverted = lines.convertedFiles();
                    return DeliveryRecords.accepted(c, feed, sourceName, deliveryId, version, rows, problems);
                } catch (SQLException | RuntimeException e) {
                    Rollback.after(c, e);
                    throw e;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            problems.error(null, 0, null, "the bundle cannot be read: " + e.getMessage());
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                DeliveryRecords.ensureFeed(c, feed);
                return DeliveryRecords.refused(c, feed, sourceName, "unreadable:" + folderOrZip.getFileName(), 0, version,
                        rows, problems, pickupRef);
            }
        }
    }
}
