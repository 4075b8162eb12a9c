package org.credentialhub.runtime;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.service.ServiceSupport;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.sis.OneRosterImport;

import java.nio.file.Path;
import java.util.Map;

/**
 * Runs the hub on Camel Main: properties from {@code config/application.properties}, routes from
 * {@code routes/*.yaml}; before the routes are configured it opens the {@link HubServices} and binds
 * them for the routes' {@code bean:} steps, and it adds one route per SFTP feed from the
 * {@code sftp-intake} route template.
 */
public final class HubRuntime implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HubRuntime.class);
    private final Main main = new Main();
    private volatile HubServices services;
    private final java.util.concurrent.atomic.AtomicBoolean metricsAttached = new java.util.concurrent.atomic.AtomicBoolean();

    public HubRuntime(Map<String, String> overrides) {
        org.credentialhub.intake.SftpKeyExchange.skipProofOfBundledAlgorithms();
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        overrides.forEach(main::addOverrideProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                try {
                    open(m.getCamelContext());
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("the hub could not start: " + e.getMessage(), e);
                }
            }

            @Override
            public void afterStart(BaseMainSupport m) {
                attachMetrics(m.getCamelContext());
            }

            @Override
            public void afterConfigure(BaseMainSupport m) {
                try {
                    addFeedRoutes(m.getCamelContext());
                } catch (Exception e) {
                    throw new IllegalStateException("the feed routes could not be created: " + e.getMessage(), e);
                }
            }
        });
    }

    private void open(CamelContext camel) throws Exception {
        HubServices s = new HubServices(new Settings(camel));
        services = s;
        var registry = camel.getRegistry();
        registry.bind("dataSource", s.database.dataSource());
        registry.bind("intake", s.intake);
        registry.bind("matching", s.matcher);
        registry.bind("reporting", s.reporting);
        registry.bind("acknowledgements", s.acknowledgements);
        registry.bind("sisIntake", s.sis);
        registry.bind("sisHolds", s.sisHolds);
        registry.bind("apiPull", s.apiPuller);
        registry.bind("credentialStanding", s.standing);
        if (s.districtEntries != null) {
            registry.bind("districtEntries", s.districtEntries);
        }
        registry.bind("health", new org.credentialhub.web.Health(s.database.dataSource(), s.dropBox, s.faults));
        registry.bind("faults", s.faults);
        registry.bind("deliveryFlow", s.deliveryFlow);
        registry.bind("exceptionQueue", s.exceptionQueue);
        registry.bind("retention", s.retention);
        var ds = s.database.dataSource();
        var sessions = new org.credentialhub.accounts.Sessions(ds,
                java.time.Duration.ofMinutes(s.settings.getInt("hub.web.session-idle-minutes", 30)),
                java.time.Duration.ofHours(s.settings.getInt("hub.web.session-hours", 12)));
        // HTTPS on the hub's own server (hub.web.tls: Camel's global SSL context from camel.ssl.*): Secure cookies, HSTS
        boolean tls = s.settings.getBoolean("hub.web.tls", false);
        var web = new org.credentialhub.web.Web(sessions, tls || s.settings.getBoolean("hub.web.secure-cookies", false),
                tls ? "max-age=" + s.settings.getInt("hub.web.hsts-max-age", 31_536_000) : null);
        var health = new org.credentialhub.web.Health(ds, s.dropBox, s.faults);
        registry.bind("web", web);
        registry.bind("authApi", new org.credentialhub.web.AuthApi(ds, s.accounts, sessions, web));
        registry.bind("exceptionsApi", new org.credentialhub.web.ExceptionsApi(ds, s.decisions, s.hmac,
                new org.credentialhub.exceptions.QueueView.Suggest(
                        Double.parseDouble(s.settings.get("hub.exceptions.suggest.min-probability", "0.80")),
                        Double.parseDouble(s.settings.get("hub.exceptions.suggest.min-margin-bits", "5.0"))),
                s.settings.getInt("hub.exceptions.undo-minutes", 30)));
        registry.bind("opsApi", new org.credentialhub.web.OpsApi(ds, health, s.reporting, s.apiPuller::configured));
        registry.bind("correctedFiles", new org.credentialhub.web.CorrectedFiles(ds, s.feeds,
                s.dropBox == null ? null : new org.credentialhub.web.CorrectedFiles.Inbox(s.sftpHost, s.sftpPort, s.serviceUser, s.servicePassword),
                s.settings.getInt("hub.web.corrected-file.max-mb", 10) * 1024L * 1024L));
        // the operational guards (docs/guards.md)
        var webhook = new org.credentialhub.guards.Webhook(s.settings.get("hub.guards.webhook.url", ""));
        var alarms = new org.credentialhub.guards.Alarms(ds,
                webhook.configured() || s.settings.getBoolean("hub.guards.mail.enabled", false));
        java.util.Set<String> correctionFeeds = new java.util.LinkedHashSet<>();
        s.feeds.keySet().forEach(f -> {
            if (s.settings.getBoolean("hub.guards.corrections." + f, false)) {
                correctionFeeds.add(f);
            }
        });
        var corrections = new org.credentialhub.guards.Corrections(ds, correctionFeeds);
        registry.bind("webhook", webhook);
        registry.bind("alarms", alarms);
        registry.bind("corrections", corrections);
        registry.bind("matchRates", new org.credentialhub.guards.MatchRates(ds, s.settings::get));
        registry.bind("guardsApi", new org.credentialhub.web.GuardsApi(s.sisHolds, alarms, corrections, s.exceptionQueue));
        registry.bind("vendorApi", new org.credentialhub.web.VendorApi(ds, s.acknowledgements));
        registry.bind("reportsApi", new org.credentialhub.web.ReportsApi(ds, s.reports));
        if (s.districtEntries != null) {
            registry.bind("districtEntriesApi", new org.credentialhub.web.DistrictEntriesApi(ds, s.districtEntries, s.exceptionQueue));
        }
        registry.bind("pages", new org.credentialhub.web.Pages());
        // see camel.component.platform-http.header-filter-strategy in config/application.properties
        registry.bind("responseHeaderFilter", new org.credentialhub.web.ResponseHeaderFilter());
        camel.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                s.close();
            }
        }, true, true);
        // the quartz component's scheduler (clustered on PostgreSQL or not), before any route is configured
        HubScheduler.configure(camel, s.settings, s.database.dataSource());
    }

    private void addFeedRoutes(CamelContext camel) {
        HubServices s = services;
        for (FeedConfig feed : s.feeds.values()) {
            if (feed.api() != null) {
                addApiRoute(camel, feed);
                continue;
            }
            if (feed.sftp() == null) {
                continue;
            }
            sftpAccess(TemplatedRouteBuilder.builder(camel, "sftp-outbox"), feed)
                    .routeId("outbox-" + feed.code())
                    .add();
            String delay = s.settings.get("hub.sftp.poll." + feed.code())
                    .or(() -> s.settings.get("hub.sftp.poll-override"))
                    .orElse(feed.sftp().poll() == null ? "10s" : feed.sftp().poll());
            String workDir = s.dataDir.resolve("work").resolve(feed.code()).toString();
            boolean sis = "sis".equals(feed.kind());
            sftpAccess(TemplatedRouteBuilder.builder(camel, sis ? "sis-sftp-intake" : "sftp-intake"), feed)
                    .routeId("intake-" + feed.code())
                    .parameter("include", feed.sftp().include() == null ? ".*" : feed.sftp().include())
                    .parameter("delay", delay)
                    .parameter("workDir", workDir)
                    .parameter("readLock", s.settings.get("hub.sftp.read-lock", "changed"))
                    .parameter("readLockMinAge", s.settings.get("hub.sftp.read-lock-min-age", "2s"))
                    .parameter("bootId", s.bootId)
                    .add();
            if (!sis) {
                TemplatedRouteBuilder.builder(camel, "sftp-finishing")
                        .routeId("finishing-" + feed.code())
                        .parameter("feed", feed.code())
                        .add();
            }
            if (!sis && feed.sftp().include() != null) {
                sftpAccess(TemplatedRouteBuilder.builder(camel, "sftp-unmatched"), feed)
                        .routeId("unmatched-" + feed.code())
                        .parameter("include", feed.sftp().include())
                        .parameter("delay", s.settings.get("hub.intake.unmatched-poll", "30s"))
                        .parameter("workDir", workDir)
                        .parameter("bootId", s.bootId)
                        .parameter("minAge", s.settings.get("hub.intake.unmatched-min-age", "60s"))
                        .add();
            }
            sftpAccess(TemplatedRouteBuilder.builder(camel, "sftp-retake"), feed)
                    .routeId("retake-" + feed.code())
                    .parameter("target", sis ? "direct:sis-bundle" : "direct:receive")
                    .parameter("delay", s.settings.get("hub.intake.retake-poll", "30s"))
                    .parameter("workDir", workDir)
                    .parameter("bootId", s.bootId)
                    .add();
        }
        // OneRoster bundles from a local folder (hub.sis.folder), for the SIS feed hub.sis.folder-feed
        String folder = s.settings.get("hub.sis.folder", null);
        if (folder != null) {
            String feed = s.settings.get("hub.sis.folder-feed", OneRosterImport.DEFAULT_FEED);
            String verdicts = s.dataDir.resolve("sis").resolve("verdicts").toString();
            String delay = s.settings.get("hub.sis.folder-poll", "10s");
            for (String template : new String[]{"sis-folder-zips", "sis-folder-bundle"}) {
                TemplatedRouteBuilder.builder(camel, template)
                        .routeId(template.replace("sis-folder", "intake-sis-folder"))
                        .parameter("feed", feed)
                        .parameter("folder", Path.of(folder).toAbsolutePath().toString())
                        .parameter("delay", delay)
                        .parameter("verdicts", verdicts)
                        .add();
            }
        }
    }

    private void addApiRoute(CamelContext camel, FeedConfig feed) {
        HubServices s = services;
        if (!s.apiPuller.configured(feed.code())) {
            LOG.warn("API feed {} has no secret (hub.api.secret.{} / HUB_API_SECRET_{}): it is not pulled",
                    feed.code(), feed.code(), feed.code().toUpperCase(java.util.Locale.ROOT));
            return;
        }
        String poll = s.settings.get("hub.api.poll." + feed.code(),
                feed.api().poll() == null ? "15m" : feed.api().poll());
        TemplatedRouteBuilder.builder(camel, "api-intake")
                .routeId("intake-" + feed.code())
                .parameter("feed", feed.code())
                .parameter("period", String.valueOf(FeedConfig.parseDuration(poll).toMillis()))
                .parameter("delay", s.settings.get("hub.api.delay", "5000"))
                .parameter("autoStartup", s.settings.get("hub.api.auto-startup", "true"))
                .add();
    }

    /**
     * Starts the API feeds' pull routes that were added without starting ({@code hub.api.auto-startup=false}); a
     * started one is left as it is.
     */
    public void startApiPulls() throws Exception {
        for (FeedConfig feed : services.feeds.values()) {
            String id = "intake-" + feed.code();
            if ("api".equals(feed.kind()) && camel().getRoute(id) != null) {
                camel().getRouteController().startRoute(id);
            }
        }
    }

    /** The parameters every SFTP route template of a feed takes: its folder and the hub's access to the drop box. */
    private TemplatedRouteBuilder sftpAccess(TemplatedRouteBuilder b, FeedConfig feed) {
        HubServices s = services;
        return b.parameter("feed", feed.code())
                .parameter("folder", feed.account())
                .parameter("host", s.sftpHost)
                .parameter("port", String.valueOf(s.sftpPort))
                .parameter("user", s.serviceUser)
                .parameter("password", s.servicePassword)
                .parameter("knownHosts", s.knownHosts.toString())
                .parameter("ciphers", s.settings.get("hub.sftp.ciphers", org.credentialhub.intake.SftpKeyExchange.ciphers()));
    }

    /**
     * The hub's own gauges on the registry Prometheus scrapes, once. Camel Main tells its listeners
     * {@code afterStart} only from {@code run()}, so {@link #start()} attaches them itself (before, a hub
     * started that way - the tests, ./hub ingest - had none of the hub_* metrics).
     */
    private void attachMetrics(CamelContext camel) {
        if (metricsAttached.compareAndSet(false, true)) {
            var meters = camel.getRegistry().findByType(io.micrometer.core.instrument.MeterRegistry.class);
            if (!meters.isEmpty()) {
                new org.credentialhub.web.HubMetrics(services.database.dataSource(), meters.iterator().next());
            }
        }
    }

    /**
     * Starts the hub and returns once it runs; {@link #close()} stops it. With no JVM shutdown hook: Camel Main's
     * default (for {@link #run}'s Ctrl-C) adds one that is never removed and holds the Main, so every hub started this
     * way stayed reachable until the JVM exited (the commands that start one - ingest, bench, drill - end by closing it,
     * and a kill leaves their work to the next start, as any crash does).
     */
    public HubRuntime start() throws Exception {
        main.setShutdownStrategy(new org.apache.camel.main.SimpleMainShutdownStrategy());
        main.start();
        attachMetrics(main.getCamelContext());
        return this;
    }

    /** Starts the hub and blocks until it is stopped (Ctrl-C or a signal). */
    public void run(Runnable onStarted) throws Exception {
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport m) {
                onStarted.run();
            }
        });
        main.run();
    }

    public HubServices services() {
        return services;
    }

    public CamelContext camel() {
        return main.getCamelContext();
    }

    public Path dataDir() {
        return services.dataDir;
    }

    @Override
    public void close() throws Exception {
        CamelContext camel = main.getCamelContext();
        main.stop();
        CamelStatics.release(camel);
    }
}
