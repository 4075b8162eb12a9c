package org.credentialhub.runtime;

import org.apache.camel.component.quartz.QuartzComponent;
import org.credentialhub.pull.FixtureApiServer;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobListener;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;

import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hubs on ONE database with the clustered Quartz job store (hub.scheduler.clustered=true): the
 * first runs the embedded PostgreSQL, the second uses it through hub.db.url, each with its own data
 * folder, SFTP, HTTP and management ports. The reporting load's cron fires every other second; each tick
 * must run once in the cluster (rpt.load_run and the schedulers' own record of every firing), however long
 * the loads take, and when the node that fires is paused the other one takes over, so both nodes take
 * part. A long load never makes the ticks pile up behind it. The API pull route (interval trigger,
 * stateful) is scheduled once in the cluster as a non-concurrent job.
 */
class ClusteredSchedulerTest {
    private static final String REPORTING = "reporting.load";
    /** Every other second: a load on an empty database takes 0.1 to 1.7 s here, more on a busy machine. */
    private static final int TICK_SECONDS = 2;
    private static final String CRON = "0/" + TICK_SECONDS + " * * * * ?";

    /** One job execution as a node's scheduler saw it. */
    record Firing(String node, String job, long scheduledMs, long lateMs, long startedNanos, long endedNanos,
                  long startedMs, long endedMs) {
    }

    @Test
    void twoNodesFireEachTickOnce() throws Exception {
        Map<String, String> cluster = new HashMap<>();
        cluster.put("hub.scheduler.clustered", "true");
        cluster.put("hub.reporting.cron", CRON);
        cluster.put("hub.scheduler.cluster-checkin-ms", "1000");
        cluster.put("hub.scheduler.idle-wait-ms", "1000");

        try (FixtureApiServer api = FixtureApiServer.start(0).clientCredentials("credential-hub", "s3cret")) {
            api.credentials(List.of());
            cluster.put("hub.api.base-url.badges", api.baseUrl());
            cluster.put("hub.api.secret.badges", "s3cret");
            cluster.put("hub.api.poll.badges", "2s");
            cluster.put("hub.api.delay", "0");

            try (TestHub first = TestHub.start(cluster)) {
                Map<String, String> second = new HashMap<>(cluster);
                second.put("hub.db.url", first.runtime.services().database.jdbcUrl());
                second.put("hub.db.user", "postgres");
                try (TestHub other = TestHub.start(second)) {
                    run(first, other, api);
                }
            }
        }
    }

    private void run(TestHub a, TestHub b, FixtureApiServer api) throws Exception {
        Scheduler sa = scheduler(a);
        Scheduler sb = scheduler(b);
        assertTrue(sa.getMetaData().isJobStoreClustered() && sb.getMetaData().isJobStoreClustered());
        assertEquals(sa.getSchedulerName(), sb.getSchedulerName(), "one scheduler name in the cluster");
        assertNotEquals(sa, sb, "each hub has its own scheduler");
        assertNotEquals(sa.getSchedulerInstanceId(), sb.getSchedulerInstanceId());

        Queue<Firing> firings = new ConcurrentLinkedQueue<>();
        sa.getListenerManager().addJobListener(new Recorder(firings));
        sb.getListenerManager().addJobListener(new Recorder(firings));

        // (ticks that fell between the first node's scheduling and its start fire late, one after another:
        // wait until the cron has caught up)
        TestHub.await("the reporting cron caught up", Duration.ofSeconds(45), () -> firings.stream()
                .anyMatch(f -> f.job.equals(REPORTING) && f.lateMs < 1_000));
        // phase 1: both nodes run; phase 2: the node that fired last is paused, the other must take over
        Instant from = dbNow(a);
        Thread.sleep(5_000);
        Firing last = firings.stream().filter(f -> f.job.equals(REPORTING))
                .max((x, y) -> Long.compare(x.scheduledMs, y.scheduledMs)).orElseThrow();
        Scheduler paused = last.node.equals(sa.getSchedulerInstanceId()) ? sa : sb;
        paused.standby();
        Thread.sleep(5_000);
        Instant to = dbNow(a);
        // one trigger, one load at a time: once a tick at or after `to` has run, every earlier tick has
        awaitTickRun(firings, to.toEpochMilli());

        // every firing of the reporting cron in [from, to), by scheduled time, across both nodes
        List<Firing> reporting = firings.stream().filter(f -> f.job.equals(REPORTING)
                && f.scheduledMs >= from.toEpochMilli() && f.scheduledMs < to.toEpochMilli()).toList();
        Map<Long, List<String>> byTick = reporting.stream().collect(Collectors.groupingBy(Firing::scheduledMs,
                java.util.TreeMap::new, Collectors.mapping(Firing::node, Collectors.toList())));
        System.out.println("reporting ticks (scheduled time -> node): " + byTick);
        byTick.forEach((tick, nodes) -> assertEquals(1, nodes.size(), "tick " + Instant.ofEpochMilli(tick) + " fired on " + nodes));
        long ticks = expectedTicks(from.toEpochMilli(), to.toEpochMilli());
        assertEquals(ticks, byTick.size(), "every tick of the cron in [" + from + ", " + to + ") fired: " + byTick.keySet());
        Set<String> nodes = reporting.stream().map(Firing::node).collect(Collectors.toSet());
        assertEquals(Set.of(sa.getSchedulerInstanceId(), sb.getSchedulerInstanceId()), nodes, "both nodes fired the load");

        // the loads themselves: exactly one per firing, started within it, never two at once
        List<Load> loads = loads(a);
        for (Firing f : reporting) {
            long within = loads.stream().filter(l -> l.started >= f.startedMs - 50 && l.started <= f.endedMs + 50).count();
            assertEquals(1, within, "one load for the tick of " + Instant.ofEpochMilli(f.scheduledMs));
        }
        assertNoOverlap(loads);
        assertEquals(0, a.count("select count(*) from rpt.load_run where trigger = 'schedule' and status = 'failed'"));

        // a load that runs long (here: one that holds the load lock, as a manual load does) never makes
        // the ticks that fall due meanwhile pile up: at most one scheduled load waits for it
        paused.start();
        long maxWaiting = 0;
        try (Connection c = a.db().getConnection(); Statement st = c.createStatement()) {
            st.execute("select pg_advisory_lock(" + org.credentialhub.reporting.ReportingLoad.LOCK_KEY + ")");
            Instant held = dbNow(a);
            try {
                long until = System.nanoTime() + Duration.ofMillis(5_500).toNanos();
                while (System.nanoTime() < until) {
                    maxWaiting = Math.max(maxWaiting, a.count("select count(*) from rpt.load_run"
                            + " where trigger = 'schedule' and status = 'running'"));
                    Thread.sleep(100);
                }
            } finally {
                st.execute("select pg_advisory_unlock(" + org.credentialhub.reporting.ReportingLoad.LOCK_KEY + ")");
            }
            Instant released = dbNow(a);
            awaitTickRun(firings, released.toEpochMilli());
            assertEquals(1, maxWaiting, "scheduled loads waiting for a running load at once");
            // the ticks that fell due while it ran are not lost: they fired once the lock was free
            long late = firings.stream().filter(f -> f.job.equals(REPORTING) && f.scheduledMs >= held.toEpochMilli()
                    && f.scheduledMs < released.toEpochMilli()).map(Firing::scheduledMs).distinct().count();
            assertEquals(expectedTicks(held.toEpochMilli(), released.toEpochMilli()), late, "ticks during the long load");
        }
        assertNoOverlap(loads(a));

        // both nodes are cluster members, under one scheduler name
        assertEquals(2, a.count("select count(*) from qrtz_scheduler_state where sched_name = '" + sa.getSchedulerName() + "'"));
        // one (stateful: non-concurrent) cron trigger for the load and one interval trigger for the API feed, stored once
        assertEquals(1, a.count("select count(*) from qrtz_cron_triggers where trigger_group = 'reporting' and trigger_name = 'load'"
                + " and cron_expression = '" + CRON + "'"));
        for (String job : List.of("job_group = 'intake-api' and job_name = 'badges'", "job_group = 'reporting' and job_name = 'load'")) {
            assertEquals(1, a.count("select count(*) from qrtz_job_details where " + job
                    + " and is_nonconcurrent and job_class_name = 'org.apache.camel.component.quartz.StatefulCamelJob'"), job);
        }
        List<Firing> pulls = firings.stream().filter(f -> f.job.equals("intake-api.badges")).toList();
        assertFalse(pulls.isEmpty(), "the API feed was pulled");
        assertTrue(api.requests() > 0);
        for (Firing x : pulls) {
            for (Firing y : pulls) {
                assertTrue(x == y || x.endedNanos <= y.startedNanos || y.endedNanos <= x.startedNanos,
                        "two pulls of one feed ran at once: " + x + " " + y);
            }
            assertEquals(1, pulls.stream().filter(y -> y.scheduledMs == x.scheduledMs).count());
        }
    }

    /** One scheduled load as rpt.load_run holds it (epoch ms; finished: Long.MAX_VALUE while running). */
    record Load(long started, long finished) {
    }

    private static List<Load> loads(TestHub hub) throws Exception {
        List<Load> out = new ArrayList<>();
        for (Map<String, Object> row : hub.rows("select started_at, finished_at from rpt.load_run"
                + " where trigger = 'schedule' order by started_at")) {
            out.add(new Load(toInstant(row.get("started_at")).toEpochMilli(),
                    row.get("finished_at") == null ? Long.MAX_VALUE : toInstant(row.get("finished_at")).toEpochMilli()));
        }
        return out;
    }

    private static void assertNoOverlap(List<Load> loads) {
        for (int i = 1; i < loads.size(); i++) {
            assertTrue(loads.get(i).started >= loads.get(i - 1).finished - 5,
                    "two scheduled loads ran at once: " + loads.get(i - 1) + " " + loads.get(i));
        }
    }

    /** The cron's ticks in [fromMs, toMs): every TICK_SECONDS-th whole second. */
    private static long expectedTicks(long fromMs, long toMs) {
        long step = TICK_SECONDS * 1000L;
        long first = (fromMs + step - 1) / step * step;
        return first >= toMs ? 0 : (toMs - 1 - first) / step + 1;
    }

    private static void awaitTickRun(Queue<Firing> firings, long atOrAfterMs) throws Exception {
        TestHub.await("a tick at or after " + Instant.ofEpochMilli(atOrAfterMs) + " has run", Duration.ofSeconds(45),
                () -> firings.stream().anyMatch(f -> f.job.equals(REPORTING) && f.scheduledMs >= atOrAfterMs));
    }

    private static Instant toInstant(Object value) {
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        throw new IllegalStateException("not a timestamp: " + value);
    }

    private static Instant dbNow(TestHub hub) throws Exception {
        return toInstant(hub.rows("select clock_timestamp() as now").get(0).get("now"));
    }

    private static Scheduler scheduler(TestHub hub) {
        return hub.runtime.camel().getComponent("quartz", QuartzComponent.class).getScheduler();
    }

    /** Records every job execution of one node's scheduler. */
    private static final class Recorder implements JobListener {
        private final Queue<Firing> out;
        private final Map<String, long[]> started = new java.util.concurrent.ConcurrentHashMap<>();

        Recorder(Queue<Firing> out) {
            this.out = out;
        }

        @Override
        public String getName() {
            return "test-recorder";
        }

        @Override
        public void jobToBeExecuted(JobExecutionContext context) {
            started.put(context.getFireInstanceId(), new long[] {System.nanoTime(), System.currentTimeMillis()});
        }

        @Override
        public void jobExecutionVetoed(JobExecutionContext context) {
            started.remove(context.getFireInstanceId());
        }

        @Override
        public void jobWasExecuted(JobExecutionContext context, JobExecutionException failure) {
            long[] start = started.remove(context.getFireInstanceId());
            try {
                out.add(new Firing(context.getScheduler().getSchedulerInstanceId(), context.getJobDetail().getKey().toString(),
                        context.getScheduledFireTime().getTime(),
                        context.getFireTime().getTime() - context.getScheduledFireTime().getTime(),
                        start == null ? System.nanoTime() : start[0], System.nanoTime(),
                        start == null ? System.currentTimeMillis() : start[1], System.currentTimeMillis()));
            } catch (SchedulerException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
