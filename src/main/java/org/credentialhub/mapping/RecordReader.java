package org.credentialhub.mapping;

import java.io.Closeable;
import java.io.IOException;

/** Streams the records of one source file, one at a time. */
public interface RecordReader extends Closeable {
    /** The next record, or null at the end. */
    SourceRow next() throws IOException, FileRejectedException;

    /** Checks made once the whole file was read (trailer counts and the like). */
    default void finish(int detailRows) throws FileRejectedException {
    }

    /**
     * What the reader passed over on purpose and the vendor should hear of (a hidden sheet skipped), for
     * the delivery's warnings; never personal data.
     */
    default java.util.List<String> warnings() {
        return java.util.List.of();
    }
}
