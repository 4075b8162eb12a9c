package org.credentialhub.runtime;

import org.credentialhub.acknowledge.Acknowledgements;
import org.credentialhub.catalog.CatalogLoader;
import org.credentialhub.dropbox.DropBox;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.feeds.FeedsFile;
import org.credentialhub.intake.Intake;
import org.credentialhub.mapping.Mappings;
import org.credentialhub.matching.DeliveryMatcher;
import org.credentialhub.reporting.ReportingLoad;
import org.credentialhub.roster.RosterLoader;
import org.credentialhub.sis.OneRosterImport;
import org.credentialhub.sis.SisIntake;
import org.credentialhub.store.Database;
import org.credentialhub.support.Hmac;
import org.credentialhub.support.SchoolYears;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the routes call, opened once at start-up from the settings: the database, the drop box,
 * the mappings and feeds, and the pipeline stages' beans.
 */
public final class HubServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HubServices.class);
    public static final String SERVICE_ACCOUNT = "hub";

    public final Settings settings;
    public final Path dataDir;
    public final Database database;
    public final DropBox dropBox;
    public final Map<String, FeedConfig> feeds = new LinkedHashMap<>();
    public final Map<String, String> sftpPasswords = new LinkedHashMap<>();
    public final Mappings mappings;
    public final Hmac hmac;
    public final Intake intake;
    /** The steps of a delivery taken from an inbox, and their faults (routes/delivery.yaml). */
    public final org.credentialhub.intake.DeliveryFlow deliveryFlow;
    public final org.credentialhub.intake.Faults faults = new org.credentialhub.intake.Faults();
    /** This start of this node: what it takes from an inbox is marked with it. */
    public final String bootId = Long.toHexString(new SecureRandom().nextLong() & Long.MAX_VALUE);
    public final DeliveryMatcher matcher;
    public final ReportingLoad reporting;
    public final org.credentialhub.reporting.Reports reports;
    public final Acknowledgements acknowledgements;
    public final RosterLoader roster;
    public final org.credentialhub.exceptions.ExceptionQueue exceptionQueue;
    public final org.credentialhub.exceptions.Decisions decisions;
    public final org.credentialhub.accounts.Accounts accounts;
    /** OneRoster bundles from SIS feeds and the configured folder ({@code hub.sis.folder}). */
    public final SisIntake sis;
    /** SIS bundles held for approval (docs/guards.md). */
    public final org.credentialhub.sis.SisHolds sisHolds;
    public final org.credentialhub.pull.ApiPuller apiPuller;
    /** Verification of verifiable credentials (Open Badges 3.0, CLR 2.0) and their standing between deliveries. */
    public final org.credentialhub.standards.Verification verification;
    public final org.credentialhub.standards.Standing standing;
    public final org.credentialhub.district.DistrictEntries districtEntries;
    public final org.credentialhub.retention.RetentionPurge retention;
    public final String sftpHost;
    public final int sftpPort;
    public final String serviceUser;
    public final String servicePassword;
    /** OpenSSH known_hosts file with the drop box's host key, which the hub's SFTP client verifies. */
    public final Path knownHosts;
    public final boolean demo;

    HubServices(Settings settings) throws Exception {
        this.settings = settings;
        this.demo = settings.getBoolean("hub.demo", false);
        this.dataDir = settings.path("hub.data.dir", "data").toAbsolutePath();
        // student data is the hub's alone: data folders 0700, their files 0600 (existing ones tightened too)
        org.credentialhub.support.PrivateFiles.folder(dataDir);
        for (String sub : new String[]{"archive", "dropbox", "secrets", "work", "sis"}) {
            org.credentialhub.support.PrivateFiles.tree(dataDir.resolve(sub));
        }

        org.credentialhub.support.ZipBounds.configure(new org.credentialhub.support.ZipBounds.Limits(
                settings.getInt("hub.bounds.zip.max-entry-mb", 1024) * 1024L * 1024L,
                settings.getInt("hub.bounds.zip.max-total-mb", 4096) * 1024L * 1024L,
                settings.getInt("hub.bounds.zip.max-ratio", 100), settings.getInt("hub.bounds.zip.max-entries", 1000)));
        FeedsFile feedsFile = FeedsFile.load(settings.path("hub.feeds.file", "config/feeds.yaml"));
        feedsFile.feeds().forEach(f -> feeds.put(f.code(), f));
        this.mappings = Mappings.load(settings.path("hub.mappings.dir", "mappings"));
        for (FeedConfig f : feeds.values()) {
            if ("sis".equals(f.kind())) {
                continue;
            }
            mappings.get(f.layoutName());
            if ("api".equals(f.kind()) && !"json".equals(mappings.get(f.layoutName()).format())) {
                throw new org.credentialhub.support.ConfigException(settings.path("hub.feeds.file", "config/feeds.yaml")
                        + ": feed " + f.code() + ": an API feed's mapping must have source.format json");
            }
        }
        this.hmac = new Hmac(identityKey());

        database = Database.open(settings.get("hub.db.url", null), settings.get("hub.db.user", null),
                settings.get("hub.db.password", null), dataDir, settings.getInt("hub.db.embedded-port", 0),
                settings.getInt("hub.db.pool-size", 12), settings.embeddedDatabase());
        DropBox box = null;
        try {
            org.credentialhub.feeds.FeedTable.register(database.dataSource(), feeds.values());
            new CatalogLoader(database.dataSource()).loadAll(settings.path("hub.catalog.dir", "config/catalog"),
                    java.util.Arrays.stream(settings.get("hub.catalog.states", "").split(","))
                            .map(String::trim).filter(x -> !x.isEmpty()).toList());

            if (settings.getBoolean("hub.sftp.embedded", true)) {
                servicePassword = randomSecret(24);
                serviceUser = SERVICE_ACCOUNT;
                List<DropBox.Account> accounts = new ArrayList<>();
                for (FeedConfig f : feeds.values()) {
                    if (f.sftp() != null) {
                        accounts.add(vendorAccount(f));
                    }
                }
                box = new DropBox(settings.path("hub.sftp.root", dataDir.resolve("dropbox").toString()),
                        settings.get("hub.sftp.bind", "0.0.0.0"), settings.getInt("hub.sftp.port", 2222),
                        dataDir.resolve("secrets/sftp-host-key.ser"), accounts,
                        new DropBox.Account(serviceUser, servicePassword, null),
                        new DropBox.Limits(settings.getInt("hub.sftp.quota.max-file-mb", 256) * 1024L * 1024L,
                                settings.getInt("hub.sftp.quota.max-files", 500),
                                settings.getInt("hub.sftp.auth.free-failures", 3),
                                java.time.Duration.ofSeconds(settings.getInt("hub.sftp.auth.base-delay-seconds", 1)),
                                java.time.Duration.ofSeconds(settings.getInt("hub.sftp.auth.max-delay-seconds", 300))));
                box.start();
                sftpHost = "127.0.0.1";
                sftpPort = box.port();
                knownHosts = dataDir.resolve("secrets/known_hosts");
                box.writeKnownHosts(knownHosts, sftpHost);
                // the host key and known_hosts just written: 0600 like every secret
                org.credentialhub.support.PrivateFiles.tree(dataDir.resolve("secrets"));
            } else {
                serviceUser = settings.get("hub.sftp.user").orElseThrow(() ->
                        new org.credentialhub.support.ConfigException("hub.sftp.user is required when hub.sftp.embedded=false"));
                servicePassword = settings.get("hub.sftp.password", "");
                sftpHost = settings.get("hub.sftp.host", "127.0.0.1");
                sftpPort = settings.getInt("hub.sftp.port", 22);
                knownHosts = settings.path("hub.sftp.known-hosts", "config/sftp/known_hosts").toAbsolutePath();
            }
        } catch (Exception e) {
            if (box != null) {
                box.close();
            }
            database.close();
            throw e;
        }
        this.dropBox = box;
        var ds = database.dataSource();
        int firstMonth = settings.getInt("hub.school-year.first-month", 7);
        this.verification = org.credentialhub.standards.Verification.of(settings, feeds);
        this.standing = new org.credentialhub.standards.Standing(ds, verification);
        this.matcher = new DeliveryMatcher(ds, org.credentialhub.matching.MatchSettings.defaults(),
                settings.getInt("hub.matching.batch-rows", DeliveryMatcher.BATCH_ROWS))
                .fitSampleResults(settings.getInt("hub.matching.fit-sample-results",
                        org.credentialhub.matching.ModelTrainer.SAMPLE_RESULTS));
        this.intake = new Intake(ds, feeds, mappings, hmac, new SchoolYears(firstMonth), dataDir.resolve("archive"),
                verification, matcher).largeFileWorkMem(settings.get("hub.intake.large-file-work-mem", Intake.LARGE_FILE_WORK_MEM));
        this.deliveryFlow = new org.credentialhub.intake.DeliveryFlow(ds, feeds, nodeName(),
                settings.getInt("hub.intake.lease-seconds", 600), settings.getInt("hub.intake.max-attempts", 5));
        this.reports = reportsFrom(settings);
        this.reporting = new ReportingLoad(ds, reports, standing::recheckAll);
        this.acknowledgements = new Acknowledgements(ds);
        this.roster = new RosterLoader(ds, hmac);
        this.exceptionQueue = new org.credentialhub.exceptions.ExceptionQueue(ds);
        this.decisions = new org.credentialhub.exceptions.Decisions(ds, hmac);
        this.accounts = accounts(ds, settings);
        this.sis = new SisIntake(oneRoster(settings, ds, hmac, dataDir));
        this.sisHolds = new org.credentialhub.sis.SisHolds(ds, sis.importer(), dataDir.resolve("sis").resolve("verdicts"));
        this.apiPuller = new org.credentialhub.pull.ApiPuller(ds, feeds, intake, settings::get, dataDir.resolve("archive"));
        this.retention = org.credentialhub.retention.RetentionPurge.from(settings::get, ds, dataDir.resolve("archive"));
        FeedConfig districtFeed = feeds.values().stream().filter(f -> "district".equals(f.kind())).findFirst().orElse(null);
        this.districtEntries = districtFeed == null ? null : new org.credentialhub.district.DistrictEntries(ds, intake,
                deliveryFlow, matcher, new SchoolYears(firstMonth), districtFeed.code(), dataDir.resolve("archive"),
                settings.getInt("hub.district.evidence.max-bytes", 10 * 1024 * 1024),
                settings.getInt("hub.district.evidence.max-megapixels", 50) * 1_000_000L);
    }

    /**
     * The OneRoster import as the hub and {@code ./hub sis} use it: state ID types ({@code hub.sis.state-id-types}),
     * and unless {@code hub.sis.hold.enabled} is false its guard ({@code hub.sis.hold.*}; docs/guards.md), held
     * bundles kept in {@code <data>/sis/held}.
     */
    public static OneRosterImport oneRoster(Settings settings, javax.sql.DataSource ds, org.credentialhub.support.Hmac hmac,
                                            Path dataDir) {
        OneRosterImport importer = new OneRosterImport(ds, hmac, settings.getInt("hub.school-year.first-month", 7),
                java.util.Arrays.stream(settings.get("hub.sis.state-id-types",
                                String.join(",", OneRosterImport.defaultStateIdTypes())).split(","))
                        .map(String::trim).filter(x -> !x.isEmpty()).toList());
        if (!settings.getBoolean("hub.sis.hold.enabled", true)) {
            return importer;
        }
        org.credentialhub.sis.SisGuard d = org.credentialhub.sis.SisGuard.defaults();
        java.util.Map<String, Double> shares = new java.util.LinkedHashMap<>();
        for (String kind : new String[]{"students", "enrollments", "classes"}) {
            double fallback = d.maxShare().get(kind) * 100;
            shares.put(kind, Double.parseDouble(settings.get("hub.sis.hold.max-percent." + kind, String.valueOf(fallback))) / 100);
        }
        return importer.guarded(new org.credentialhub.sis.SisGuard(shares,
                Long.parseLong(settings.get("hub.sis.hold.delta-max-rows", String.valueOf(d.deltaMaxRows()))),
                settings.getInt("hub.sis.hold.samples", d.samples())), dataDir.resolve("sis").resolve("held"));
    }

    /**
     * Suppression of public tables: {@code hub.reporting.suppression.threshold} (default 10), per table
     * {@code hub.reporting.suppression.<table>} (0: published unsuppressed); Table 4's comparison population from
     * {@code hub.reporting.state-profile} (blank: none).
     */
    public static org.credentialhub.reporting.Reports reportsFrom(Settings settings) {
        java.util.Map<String, Integer> perTable = new java.util.LinkedHashMap<>();
        for (String name : org.credentialhub.reporting.Reports.names()) {
            settings.get("hub.reporting.suppression." + name).ifPresent(v -> perTable.put(name, Integer.parseInt(v)));
        }
        return new org.credentialhub.reporting.Reports(settings.getInt("hub.reporting.suppression.threshold", 10), perTable,
                settings.getInt("hub.reporting.top-districts", 10),
                org.credentialhub.reporting.StudentGroups.profile(settings.get("hub.reporting.state-profile", "")));
    }

    /**
     * This node's name, the same across its restarts (so a restart lets go of the leases the node held):
     * {@code hub.scheduler.instance-id} when it is set, else the host name and the data folder.
     */
    private String nodeName() {
        String configured = settings.get("hub.scheduler.instance-id", "AUTO");
        if (!"AUTO".equals(configured)) {
            return configured;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + ":" + dataDir;
    }

    private DropBox.Account vendorAccount(FeedConfig f) throws IOException {
        String account = f.account();
        String password = settings.get("hub.sftp.password." + account, null);
        if (password == null && demo) {
            password = secretFile("sftp-" + account + ".password", () -> randomSecret(12));
        }
        if (password != null) {
            sftpPasswords.put(account, password);
        }
        String keys = settings.get("hub.sftp.authorized-keys." + account,
                f.sftp().authorizedKeys() == null ? null : f.sftp().authorizedKeys());
        if (password == null && keys == null) {
            LOG.warn("SFTP account {} has neither a password (hub.sftp.password.{}) nor authorized keys: it cannot log in",
                    account, account);
        }
        return new DropBox.Account(account, password, keys == null ? null : Path.of(keys));
    }

    private byte[] identityKey() throws IOException {
        String configured = settings.get("hub.identity.hmac-key", null);
        if (configured != null) {
            return configured.getBytes(StandardCharsets.UTF_8);
        }
        LOG.warn("hub.identity.hmac-key (HUB_IDENTITY_HMAC_KEY) is not set: using a key generated in {}; "
                + "set it in production so IDs hash the same on every node", dataDir.resolve("secrets"));
        return secretFile("identity-hmac.key", () -> randomSecret(32)).getBytes(StandardCharsets.UTF_8);
    }

    private String secretFile(String name, java.util.function.Supplier<String> make) throws IOException {
        Path dir = dataDir.resolve("secrets");
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file)) {
            return Files.readString(file).trim();
        }
        String value = make.get();
        Files.writeString(file, value);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return value;
    }

    static String randomSecret(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('-', 'x').replace('_', 'y');
    }

    @Override
    public void close() throws IOException {
        if (dropBox != null) {
            dropBox.close();
        }
        database.close();
    }

    /**
     * The web accounts as the settings configure them (password policy, sign-in throttle, hashing cost): the running
     * hub's and {@code ./hub user add}'s.
     */
    public static org.credentialhub.accounts.Accounts accounts(javax.sql.DataSource ds, Settings settings) {
        return new org.credentialhub.accounts.Accounts(ds, new org.credentialhub.accounts.PasswordPolicy(
                settings.getInt("hub.web.password.min-length", 12), settings.getInt("hub.web.password.max-length", 128),
                settings.get("hub.web.password.deny-list").filter(x -> !x.isBlank()).map(Path::of).orElse(null)),
                new org.credentialhub.accounts.Accounts.Throttle(settings.getInt("hub.web.sign-in.free-failures", 3),
                        java.time.Duration.ofSeconds(settings.getInt("hub.web.sign-in.base-delay-seconds", 1)),
                        java.time.Duration.ofSeconds(settings.getInt("hub.web.sign-in.max-delay-seconds", 900))),
                org.credentialhub.accounts.Passwords.configured(settings::getInt));
    }
}
