package org.credentialhub.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * CPU seconds spent while it watches, by this JVM and by every PostgreSQL server whose data folder is under a folder
 * (the hub's embedded one, found by its {@code postmaster.pid}): on a machine shared with other work, wall time
 * says how busy the machine was as much as how much work was done; CPU time says the second. A server's CPU is
 * read from {@code /proc} (its own, its reaped children's - the connections that ended - and its live children's),
 * every half second, since it is gone once the hub stops it; a server started while watching counts from its
 * start. Linux only (elsewhere PostgreSQL counts nothing).
 */
final class CpuWatch implements AutoCloseable {
    private static final double TICK = 100.0;   // USER_HZ, clock ticks per second on Linux

    private final Path dir;
    private final long jvmStart = jvmNanos();
    private final Map<Long, double[]> servers = new HashMap<>();   // pid -> {at start, last seen}
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-cpu-watch");
        t.setDaemon(true);
        return t;
    });
    private boolean first = true;
    private double jvmSeconds = Double.NaN;

    CpuWatch(Path dir) {
        this.dir = dir;
        sample();
        first = false;
        sampler.scheduleAtFixedRate(this::sample, 500, 500, TimeUnit.MILLISECONDS);
    }

    private synchronized void sample() {
        for (long p : BenchFolder.postgresPids(dir)) {
            try {
                double cpu = serverSeconds(p);
                if (cpu >= 0) {
                    double[] seen = servers.computeIfAbsent(p, k -> new double[] {first ? cpu : 0, cpu});
                    seen[1] = Math.max(seen[1], cpu);
                }
            } catch (RuntimeException ignored) {
                // a server starting or stopping
            }
        }
    }

    /** The server's CPU: the postmaster's own and its reaped children's, and its live children's; -1 if gone. */
    private static double serverSeconds(long pid) {
        long[] own = stat(pid, true);
        if (own == null) {
            return -1;
        }
        long ticks = own[0];
        List<ProcessHandle> children = ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of());
        for (ProcessHandle c : children) {
            long[] s = stat(c.pid(), false);
            ticks += s == null ? 0 : s[0];
        }
        return ticks / TICK;
    }

    /** utime + stime (+ cutime + cstime) of a process, in ticks, from /proc/PID/stat; null if it is gone. */
    private static long[] stat(long pid, boolean withChildren) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // fields after the name: state(3) ... utime(14) stime(15) cutime(16) cstime(17), counted from 1
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            if (withChildren) {
                t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
            return new long[] {t};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long jvmNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean o
                ? o.getProcessCpuTime() : 0;
    }

    /** Stops watching (the servers must still run: their CPU is read one last time). */
    @Override
    public synchronized void close() {
        if (Double.isNaN(jvmSeconds)) {
            sample();
            sampler.shutdownNow();
            jvmSeconds = (jvmNanos() - jvmStart) / 1e9;
        }
    }

    /** This JVM's CPU seconds while watching. */
    synchronized double jvmSeconds() {
        return Double.isNaN(jvmSeconds) ? (jvmNanos() - jvmStart) / 1e9 : jvmSeconds;
    }

    /** The PostgreSQL servers' CPU seconds while watching. */
    synchronized double postgresSeconds() {
        double sum = 0;
        for (double[] s : servers.values()) {
            sum += s[1] - s[0];
        }
        return sum;
    }

    synchronized double seconds() {
        return jvmSeconds() + postgresSeconds();
    }
}
