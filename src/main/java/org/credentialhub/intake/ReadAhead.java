package org.credentialhub.intake;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.credentialhub.mapping.CanonicalResult;
import org.credentialhub.mapping.FileRejectedException;
import org.credentialhub.mapping.Mapping;
import org.credentialhub.mapping.RecordReader;
import org.credentialhub.mapping.RowRejection;
import org.credentialhub.mapping.SourceRow;

/**
 * A file's rows read, mapped and checked on a thread of their own, ahead of the staging that hashes them and writes
 * them to the COPY: the two halves cost about the same, and a large file's staging ran on one core (1,000,000 rows:
 * 19 s). Rows come back in the file's order, a few hundred at a time. What the reading thread throws (a file the
 * reader rejects, an I/O error, a mapping's failure) is thrown by {@link #next} in the file's place, after the rows
 * before it. Closing stops the reading thread, if it still runs, and waits for it: the reader is the caller's to close,
 * after this.
 */
final class ReadAhead implements AutoCloseable {
    /** One row of the file: its result, or why it was rejected. */
    record Row(CanonicalResult result, List<RowRejection> rejections) {
    }

    private static final int BATCH_ROWS = 256;
    /** Batches read ahead at most: a few thousand rows, whatever the file's size. */
    private static final int BATCHES = 8;
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BATCHES);
    private final Thread thread;
    private volatile boolean stopped;
    private Iterator<Row> batch = Collections.emptyIterator();
    private boolean ended;

    /** Starts reading {@code reader}; {@link #next} gives its rows, mapped by {@code mapping} and checked by {@code hooks}. */
    ReadAhead(RecordReader reader, Mapping mapping, Intake.Hooks hooks) {
        thread = new Thread(() -> read(reader, mapping, hooks), "intake-read-ahead");
        thread.setDaemon(true);
        thread.start();
    }

    private void read(RecordReader reader, Mapping mapping, Intake.Hooks hooks) {
        Object last = END;
        List<Row> rows = new ArrayList<>(BATCH_ROWS);
        try {
            int read = 0;
            SourceRow row;
            while (!stopped && (row = reader.next()) != null) {
                read++;
                Mapping.Outcome outcome = mapping.apply(row);
                if (!outcome.accepted()) {
                    rows.add(new Row(null, outcome.rejections()));
                } else {
                    List<RowRejection> more = hooks.check(outcome.result());
                    rows.add(more.isEmpty() ? new Row(outcome.result(), null) : new Row(null, more));
                }
                if (rows.size() == BATCH_ROWS) {
                    put(rows);
                    rows = new ArrayList<>(BATCH_ROWS);
                }
            }
            if (stopped) {
                return;
            }
            reader.finish(read);
        } catch (Throwable t) {   // handed to the staging thread, which fails the file with it
            last = t;
        }
        if (!rows.isEmpty()) {
            put(rows);   // the rows before the end or the failure
        }
        put(last);
    }

    /** Queues a batch, the end or a failure; gives up when closed (the staging thread no longer takes any). */
    private void put(Object item) {
        try {
            while (!stopped && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                // the staging thread is writing the batches before: wait for room
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }

    /** The next row in the file's order, or null after the last (and after the reader's checks of the whole file). */
    Row next() throws IOException, FileRejectedException {
        while (!batch.hasNext()) {
            if (ended) {
                return null;
            }
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("staging was interrupted");
            }
            if (item == END) {
                ended = true;
                return null;
            }
            if (item instanceof Throwable t) {
                ended = true;
                throw rethrown(t);
            }
            @SuppressWarnings("unchecked")
            List<Row> rows = (List<Row>) item;
            batch = rows.iterator();
        }
        return batch.next();
    }

    private static IOException rethrown(Throwable t) throws FileRejectedException {
        if (t instanceof FileRejectedException f) {
            throw f;
        }
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t);
    }

    /** Whether the reading thread still runs (it ends at the file's end, at a failure, or when closed). */
    boolean reading() {
        return thread.isAlive();
    }

    @Override
    public void close() {
        stopped = true;
        queue.clear();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
