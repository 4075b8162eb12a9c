package org.credentialhub.sis;

import org.credentialhub.store.CopyWriter;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Parses a bundle's files on worker threads while the connection's own thread streams their rows into
 * the staging tables, so parsing (CSV, checks, hashing: most of an import's Java work) and the database's
 * COPY run at the same time instead of taking turns. The one connection (the import's transaction) COPYs
 * whichever file has rows ready; with several workers a file's rows may reach its table in several COPYs,
 * between other files' rows: the order of a staging table never matters, each row carries its line.
 */
final class ParallelStaging {
    /** Encoded chunks (about 240 kB each, {@link CopyWriter#binary}) waiting for the connection; parsers wait when it is full. */
    private static final int QUEUE_CHUNKS = 128;

    /** One file's parsing: writes its rows and returns how many it read. Runs on a worker thread. */
    interface FileTask {
        long stage(CopyWriter rows) throws IOException, SQLException;
    }

    /** A chunk of a file's COPY data, or (bytes null) the end of that file, with what stopped it if anything. */
    private record Chunk(int file, byte[] bytes, Throwable failure) {
    }

    private final List<String> copySql = new ArrayList<>();
    private final List<String[]> types = new ArrayList<>();
    private final List<FileTask> tasks = new ArrayList<>();

    /**
     * Adds a file: its rows go to {@code table}'s {@code columns}, of the SQL {@code types} (COPY's binary format:
     * {@link CopyWriter#binary}). Files are parsed in the order added.
     */
    void add(String table, String[] columns, String[] types, FileTask task) {
        copySql.add(CopyWriter.copyBinarySql(table, columns));
        this.types.add(types);
        tasks.add(task);
    }

    /**
     * Parses every file and COPYs its rows on {@code c}; fills {@code rows} (per file, in the order added).
     * Returns only once no worker runs any more; the first failure of a file's parsing or of the COPY is
     * thrown after every file is done.
     */
    void run(Connection c, int threads, long[] rows) throws IOException, SQLException {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, tasks.size())), workers());
        try {
            for (int i = 0; i < tasks.size(); i++) {
                int file = i;
                pool.execute(() -> parse(file, queue, rows));
            }
            copyAll(c, queue);
        } finally {
            pool.shutdownNow();
            awaitWorkers(pool);
        }
    }

    private void parse(int file, BlockingQueue<Chunk> queue, long[] rows) {
        Throwable failure = null;
        try (CopyWriter writer = CopyWriter.binary(bytes -> put(queue, new Chunk(file, bytes, null)), types.get(file))) {
            rows[file] = tasks.get(file).stage(writer);
        } catch (CancellationException e) {
            return;   // the COPY failed: nobody reads any more
        } catch (Throwable e) {
            failure = e;
        }
        try {
            put(queue, new Chunk(file, null, failure));
        } catch (CancellationException e) {
            // the COPY failed meanwhile
        }
    }

    private static void put(BlockingQueue<Chunk> queue, Chunk chunk) {
        try {
            queue.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("staging stopped");
        }
    }

    /** Takes chunks until every file is done, keeping one COPY open while the same file's chunks follow. */
    private void copyAll(Connection c, BlockingQueue<Chunk> queue) throws IOException, SQLException {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        CopyIn open = null;
        int openFile = -1;
        Throwable failure = null;
        try {
            for (int done = 0; done < tasks.size(); ) {
                Chunk chunk = take(queue);
                if (chunk.bytes() == null) {
                    done++;
                    failure = failure == null ? chunk.failure() : failure;
                    continue;
                }
                if (chunk.file() != openFile) {
                    if (open != null) {
                        end(open);
                    }
                    open = copy.copyIn(copySql.get(chunk.file()));
                    open.writeToCopy(CopyWriter.BINARY_HEADER, 0, CopyWriter.BINARY_HEADER.length);
                    openFile = chunk.file();
                }
                open.writeToCopy(chunk.bytes(), 0, chunk.bytes().length);
            }
            if (open != null) {
                end(open);
            }
        } finally {
            if (open != null && open.isActive()) {
                open.cancelCopy();
            }
        }
        if (failure != null) {
            throw rethrow(failure);
        }
    }

    /** Ends a binary COPY: its trailer, then the end of its data. */
    private static void end(CopyIn open) throws SQLException {
        open.writeToCopy(CopyWriter.BINARY_TRAILER, 0, CopyWriter.BINARY_TRAILER.length);
        open.endCopy();
    }

    private static Chunk take(BlockingQueue<Chunk> queue) throws InterruptedIOException {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while staging the bundle");
        }
    }

    private static RuntimeException rethrow(Throwable t) throws IOException, SQLException {
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof SQLException sql) {
            throw sql;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    private static void awaitWorkers(ExecutorService pool) {
        try {
            pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory workers() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "sis-stage-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
