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

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hubs on ONE database with the clustered Quartz job store (hub.scheduler.clustered=true): the
 * first runs the embedded PostgreSQL, the second uses it through hub.db.url, each with its own data
 * folder, SFTP, HTTP and management ports. The reporting load's cron fires every second; each tick must
 * run once in the cluster (rpt.load_run and the schedulers' own record of every firing), and when the
 * node that fires is paused the other one takes over, so both nodes take part. The API pull route
 * (interval trigger, stateful) is scheduled once in the cluster as a non-concurrent job.
 */
class ClusteredSchedulerTest {
    private static final String REPORTING = "reporting.load";

    /** One job execution as a node's scheduler saw it. */
    record Firing(String node, String job, long scheduledMs, long lateMs, long startedNanos, long endedNanos) {
    }

    @Test
    void twoNodesFireEachTickOnce() throws Exception {
        Map<String, String> cluster = new HashMap<>();
        cluster.put("hub.scheduler.clustered", "true");
        cluster.put("hub.reporting.cron", "* * * * * ?");
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

        // (ticks that fell between the first node's scheduling and its start fire late, in a burst: wait
        // until the cron is on time again)
        TestHub.await("the reporting cron on time", Duration.ofSeconds(10), () -> firings.stream()
                .anyMatch(f -> f.job.equals(REPORTING) && f.lateMs < 500));
        // phase 1: both nodes run; phase 2: the node that fired last is paused, the other must take over
        Instant from = dbNow(a);
        Thread.sleep(4_000);
        Firing last = firings.stream().filter(f -> f.job.equals(REPORTING))
                .max((x, y) -> Long.compare(x.scheduledMs, y.scheduledMs)).orElseThrow();
        Scheduler paused = last.node.equals(sa.getSchedulerInstanceId()) ? sa : sb;
        paused.standby();
        Thread.sleep(4_500);
        Instant to = dbNow(a);
        Thread.sleep(1_200); // let the loads of the last ticks finish

        // every firing of the reporting cron in [from, to), by scheduled time, across both nodes
        List<Firing> reporting = firings.stream().filter(f -> f.job.equals(REPORTING)
                && f.scheduledMs >= from.toEpochMilli() && f.scheduledMs < to.toEpochMilli()).toList();
        Map<Long, List<String>> byTick = reporting.stream().collect(Collectors.groupingBy(Firing::scheduledMs,
                java.util.TreeMap::new, Collectors.mapping(Firing::node, Collectors.toList())));
        System.out.println("reporting ticks (scheduled time -> node): " + byTick);
        byTick.forEach((tick, nodes) -> assertEquals(1, nodes.size(), "tick " + Instant.ofEpochMilli(tick) + " fired on " + nodes));
        long seconds = Duration.between(from, to).toSeconds();
        assertTrue(byTick.size() >= seconds - 2 && byTick.size() <= seconds + 1,
                byTick.size() + " ticks fired in " + seconds + " s");
        Set<String> nodes = reporting.stream().map(Firing::node).collect(Collectors.toSet());
        assertEquals(Set.of(sa.getSchedulerInstanceId(), sb.getSchedulerInstanceId()), nodes, "both nodes fired the load");

        // the loads themselves: one per tick, never two started in the same second
        List<Map<String, Object>> loads = a.rows("select started_at from rpt.load_run where trigger = 'schedule'"
                + " and started_at >= to_timestamp(" + from.toEpochMilli() / 1000.0 + ")"
                + " and started_at < to_timestamp(" + to.toEpochMilli() / 1000.0 + ") order by started_at");
        Set<String> secondsWithLoad = new TreeSet<>();
        List<Instant> starts = new ArrayList<>();
        for (Map<String, Object> row : loads) {
            Instant started = toInstant(row.get("started_at"));
            starts.add(started);
            secondsWithLoad.add(String.valueOf(started.getEpochSecond()));
        }
        System.out.println("loads started: " + starts);
        assertEquals(loads.size(), secondsWithLoad.size(), "two loads started within one second: " + starts);
        assertTrue(loads.size() >= seconds - 2 && loads.size() <= seconds + 1, loads.size() + " loads in " + seconds + " s");
        assertEquals(0, a.count("select count(*) from rpt.load_run where trigger = 'schedule' and status = 'failed'"));

        // both nodes are cluster members, under one scheduler name
        assertEquals(2, a.count("select count(*) from qrtz_scheduler_state where sched_name = '" + sa.getSchedulerName() + "'"));
        // one cron trigger and one (stateful: non-concurrent) interval trigger for the API feed, stored once
        assertEquals(1, a.count("select count(*) from qrtz_cron_triggers where trigger_group = 'reporting' and trigger_name = 'load'"
                + " and cron_expression = '* * * * * ?'"));
        assertEquals(1, a.count("""
                select count(*) from qrtz_job_details where job_group = 'intake-api' and job_name = 'badges'
                   and is_nonconcurrent and job_class_name = 'org.apache.camel.component.quartz.StatefulCamelJob'"""));
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
        private final Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();

        Recorder(Queue<Firing> out) {
            this.out = out;
        }

        @Override
        public String getName() {
            return "test-recorder";
        }

        @Override
        public void jobToBeExecuted(JobExecutionContext context) {
            started.put(context.getFireInstanceId(), System.nanoTime());
        }

        @Override
        public void jobExecutionVetoed(JobExecutionContext context) {
            started.remove(context.getFireInstanceId());
        }

        @Override
        public void jobWasExecuted(JobExecutionContext context, JobExecutionException failure) {
            Long start = started.remove(context.getFireInstanceId());
            try {
                out.add(new Firing(context.getScheduler().getSchedulerInstanceId(), context.getJobDetail().getKey().toString(),
                        context.getScheduledFireTime().getTime(),
                        context.getFireTime().getTime() - context.getScheduledFireTime().getTime(),
                        start == null ? System.nanoTime() : start, System.nanoTime()));
            } catch (SchedulerException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
