package org.credentialhub.runtime;

import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SchedulerFactory;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * The Quartz scheduler behind the routes' {@code quartz:} endpoints (the reporting load's cron, the API
 * pulls' intervals).
 *
 * <ul>
 *   <li>{@code hub.scheduler.clustered=false} (default): Camel's default, an in-memory (RAM) job store;
 *       every hub fires its own schedule.</li>
 *   <li>{@code hub.scheduler.clustered=true}: Quartz's JDBC job store ({@code JobStoreTX},
 *       {@code PostgreSQLDelegate}, tables {@code qrtz_*} from migration V31) on the hub's own PostgreSQL,
 *       through the hub's connection pool, {@code isClustered=true}, {@code instanceId=AUTO}: every hub on
 *       that database shares ONE schedule, and each firing of a trigger runs on exactly one of them. The
 *       Quartz scheduler name (the jobs' {@code sched_name}) is the Camel context name,
 *       {@code camel.main.name}, which therefore must be the same on every node; Camel's jobs also find
 *       their CamelContext by that name.</li>
 * </ul>
 * Settings: {@code hub.scheduler.cluster-checkin-ms} (7500: how often a node checks in; a node silent for
 * longer is taken as dead and its in-flight firings are released), {@code hub.scheduler.misfire-threshold-ms}
 * (60000: a firing later than this is a misfire, handled by the trigger's misfire instruction),
 * {@code hub.scheduler.idle-wait-ms} (30000: how long an idle node waits before looking for due triggers again),
 * {@code hub.scheduler.threads} (10), {@code hub.scheduler.instance-id} (AUTO: host name and start time).
 * See docs/scheduling.md.
 */
public final class HubScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(HubScheduler.class);
    /** Quartz's row locks (StdRowLockSemaphore); created up front so two nodes starting at once do not race to insert them. */
    private static final List<String> LOCKS = List.of("TRIGGER_ACCESS", "STATE_ACCESS");

    private HubScheduler() {
    }

    /**
     * Configures the {@code quartz} component of this CamelContext before its routes start: nothing
     * when the scheduler is not clustered; the clustered JDBC job store otherwise.
     */
    static void configure(CamelContext camel, Settings settings, DataSource dataSource) throws SQLException, SchedulerException {
        if (!settings.getBoolean("hub.scheduler.clustered", false)) {
            return;
        }
        // the context gets its configured name after this point; every node must use the same one
        String name = settings.get("camel.main.name", camel.getName());
        String dataSourceName = "credential-hub-" + UUID.randomUUID();
        Properties props = clusteredProperties(settings, name, dataSourceName);
        ensureLockRows(dataSource, name);
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new PoolConnectionProvider(dataSource));
        QuartzComponent quartz = camel.getComponent("quartz", QuartzComponent.class);
        quartz.setSchedulerFactory(new OwnSchedulerFactory(new StdSchedulerFactory(props), name));
        LOG.info("Quartz scheduler '{}' is clustered: JDBC job store on the hub's PostgreSQL (check-in every {} ms, "
                        + "misfire threshold {} ms)", name, props.getProperty("org.quartz.jobStore.clusterCheckinInterval"),
                props.getProperty("org.quartz.jobStore.misfireThreshold"));
    }

    /** The Quartz properties of the clustered scheduler. */
    static Properties clusteredProperties(Settings settings, String schedulerName, String dataSourceName) {
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, schedulerName);
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, settings.get("hub.scheduler.instance-id", "AUTO"));
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        // how long a node that found nothing to fire waits before it looks again (Quartz's default 30 s):
        // the longest a surviving node takes to notice a trigger its dead or paused peer had kept firing
        p.setProperty("org.quartz.scheduler.idleWaitTime", String.valueOf(settings.getInt("hub.scheduler.idle-wait-ms", 30000)));
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(settings.getInt("hub.scheduler.threads", 10)));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        // Camel keeps non-String values in the job data (BLOB), so no useProperties
        p.setProperty("org.quartz.jobStore.useProperties", "false");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval",
                String.valueOf(settings.getInt("hub.scheduler.cluster-checkin-ms", 7500)));
        p.setProperty("org.quartz.jobStore.misfireThreshold",
                String.valueOf(settings.getInt("hub.scheduler.misfire-threshold-ms", 60000)));
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        return p;
    }

    private static void ensureLockRows(DataSource dataSource, String schedulerName) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "insert into qrtz_locks (sched_name, lock_name) values (?, ?) on conflict do nothing")) {
            for (String lock : LOCKS) {
                ps.setString(1, schedulerName);
                ps.setString(2, lock);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Hands Quartz connections from the hub's pool; the pool belongs to the hub, which closes it. */
    static final class PoolConnectionProvider implements ConnectionProvider {
        private final DataSource dataSource;

        PoolConnectionProvider(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public void initialize() {
            // the pool is open already
        }

        @Override
        public void shutdown() {
            // the hub closes its pool after Camel (and the scheduler) stopped
        }
    }

    /**
     * A StdSchedulerFactory whose scheduler belongs to this hub alone. Quartz keeps schedulers in a
     * JVM-wide repository by name and hands out the one already there; since every node uses the same
     * name, two hubs in one JVM (tests, {@code ./hub} commands) would otherwise share a scheduler.
     */
    static final class OwnSchedulerFactory implements SchedulerFactory {
        private final StdSchedulerFactory factory;
        private final String name;
        private Scheduler scheduler;

        OwnSchedulerFactory(StdSchedulerFactory factory, String name) {
            this.factory = factory;
            this.name = name;
        }

        @Override
        public Scheduler getScheduler() throws SchedulerException {
            synchronized (SchedulerRepository.class) {
                if (scheduler == null || scheduler.isShutdown()) {
                    SchedulerRepository repository = SchedulerRepository.getInstance();
                    Scheduler other = repository.lookup(name);
                    if (other != null) {
                        repository.remove(name);
                    }
                    try {
                        scheduler = factory.getScheduler();
                    } finally {
                        repository.remove(name);
                        if (other != null && !other.isShutdown()) {
                            repository.bind(other);
                        }
                    }
                }
                return scheduler;
            }
        }

        @Override
        public Scheduler getScheduler(String schedName) throws SchedulerException {
            return name.equals(schedName) ? getScheduler() : null;
        }

        @Override
        public Collection<Scheduler> getAllSchedulers() throws SchedulerException {
            return List.of(getScheduler());
        }
    }
}
