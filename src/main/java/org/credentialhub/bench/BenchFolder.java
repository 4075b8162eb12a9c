package org.credentialhub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A temporary folder for one bench (its generated files, the hub's data folder, the text the baseline copies). Closing
 * it stops any embedded PostgreSQL still running in it (a server outlives the JVM that started it) and deletes it
 * with everything in it; a shutdown hook does the same when the JVM ends first (Ctrl-C, an error that ends it).
 */
public final class BenchFolder implements AutoCloseable {
    private final Path dir;
    private final Thread hook;

    private BenchFolder(Path dir) {
        this.dir = dir;
        this.hook = new Thread(this::remove, "bench-folder-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** A new empty folder in the system's temporary folder, named {@code hub-bench-<what>-...}. */
    public static BenchFolder create(String what) throws IOException {
        return new BenchFolder(Files.createTempDirectory("hub-bench-" + what + "-"));
    }

    public Path path() {
        return dir;
    }

    /**
     * Writes a bench's generated inputs (a file, or every file under a folder) to disk before anything is timed: as a
     * delivered file is before the hub picks it up, and as they are when the baseline's COPY reads them at the end.
     * Otherwise the kernel writes them back while the hub works: a OneRoster bench's two bundles, 2.2 GB written just
     * before the first load, were still being written back through its staging (docs/performance.md, session 42).
     */
    public static void onDisk(Path path) throws IOException {
        try (Stream<Path> files = Files.walk(path)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
        }
    }

    public Path resolve(String other) {
        return dir.resolve(other);
    }

    @Override
    public void close() {
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down: the hook runs (and finds nothing)
        }
    }

    private synchronized void remove() {
        if (!Files.exists(dir)) {
            return;
        }
        stopPostgres();
        // again while something that was stopping (a server's last log line, a late acknowledgement) still wrote in
        // it: on a loaded machine one pass could leave the folder behind
        for (int pass = 0; pass < 10 && Files.exists(dir); pass++) {
            if (pass > 0) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            try {
                org.credentialhub.support.PrivateFiles.deleteTree(dir);
            } catch (IOException | RuntimeException e) {
                if (pass == 9) {
                    System.err.println("bench: could not remove " + dir + ": " + e.getMessage());
                }
            }
        }
    }

    /** Stops every PostgreSQL whose data folder (postmaster.pid) is inside this folder. */
    private void stopPostgres() {
        for (long p : postgresPids(dir)) {
            try {
                ProcessHandle.of(p).ifPresent(h -> {
                    h.destroy();   // SIGTERM: PostgreSQL's smart shutdown
                    try {
                        h.onExit().get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        h.destroyForcibly();
                    }
                });
            } catch (RuntimeException ignored) {
                // no server there
            }
        }
    }

    /**
     * The process ids of the PostgreSQL servers whose data folder is inside {@code dir} (their {@code postmaster.pid});
     * a pid file that cannot be read (a server starting or stopping) is passed over.
     */
    static List<Long> postgresPids(Path dir) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir, 4)) {
            files = walk.filter(p -> p.getFileName().toString().equals("postmaster.pid")).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        List<Long> pids = new java.util.ArrayList<>();
        for (Path file : files) {
            try {
                pids.add(Long.parseLong(Files.readAllLines(file).get(0).trim()));
            } catch (IOException | RuntimeException ignored) {
                // no server there
            }
        }
        return pids;
    }
}
