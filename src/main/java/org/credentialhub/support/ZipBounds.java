package org.credentialhub.support;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Bounds on what a zip container (OneRoster bundles, Excel workbooks) may expand to, so that a small upload
 * cannot make the hub inflate gigabytes: the size of one entry, of all entries together, their number, and the
 * expansion ratio of an entry (checked beyond a grace size, as small files of one repeated byte compress
 * extremely well). Set once at start from {@code hub.bounds.zip.*}.
 */
public final class ZipBounds {
    /** Inflated bytes of an entry below which its ratio is not judged. */
    public static final long RATIO_GRACE_BYTES = 1024 * 1024;

    public record Limits(long maxEntryBytes, long maxTotalBytes, double maxRatio, int maxEntries) {
        public static Limits defaults() {
            return new Limits(1024L * 1024 * 1024, 4096L * 1024 * 1024, 100, 1000);
        }
    }

    private static volatile Limits limits = Limits.defaults();

    private ZipBounds() {
    }

    public static Limits limits() {
        return limits;
    }

    /** Applies the bounds to bundles and workbooks (mapping.XlsxPackage), both read through this class. */
    public static void configure(Limits l) {
        limits = l;
    }

    /** The refusal of a container beyond the bounds (an IOException, so readers report it as unreadable). */
    public static IOException refusal(String what) {
        return new Refused("refused as a possible zip bomb: " + what);
    }

    /** A refusal by these bounds: its message names the entry and the bound it passed (sizes, never content). */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * Checks what a zip's directory declares of {@code entries} (their number, each one's size, their sum); a lying
     * directory is caught while reading by {@link #bounded}.
     */
    public static void checkDeclared(java.util.Collection<? extends java.util.zip.ZipEntry> entries) throws IOException {
        long largest = 0;
        long declared = 0;
        for (java.util.zip.ZipEntry e : entries) {
            largest = Math.max(largest, e.getSize());
            declared += Math.max(0, e.getSize());
        }
        checkDeclared(entries.size(), largest, declared);
    }

    private static void checkDeclared(int entries, long largestEntry, long totalBytes) throws IOException {
        Limits l = limits;
        if (entries > l.maxEntries()) {
            throw refusal(entries + " entries, more than " + l.maxEntries());
        }
        if (largestEntry > l.maxEntryBytes()) {
            throw refusal("an entry of " + largestEntry + " bytes, more than " + l.maxEntryBytes());
        }
        if (totalBytes > l.maxTotalBytes()) {
            throw refusal(totalBytes + " bytes in all, more than " + l.maxTotalBytes());
        }
    }

    /** Running total of one container's inflated bytes, shared by the streams of its entries. */
    public interface Total {
        /** Adds bytes inflated from one entry (the largest count seen per entry counts once); returns the new total. */
        long add(String entry, long entryBytes);
    }

    /** A simple {@link Total}: per entry, the most bytes read from it; the total is their sum. */
    public static Total total() {
        java.util.Map<String, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicLong sum = new java.util.concurrent.atomic.AtomicLong();
        return (entry, bytes) -> {
            long before = seen.getOrDefault(entry, 0L);
            if (bytes > before) {
                seen.put(entry, bytes);
                return sum.addAndGet(bytes - before);
            }
            return sum.get();
        };
    }

    /** Entry {@code e} of {@code zip} inflated, refused once it passes a bound ({@code name}: the entry in a refusal). */
    public static InputStream bounded(java.util.zip.ZipFile zip, java.util.zip.ZipEntry e, String name, Total total)
            throws IOException {
        return bounded(zip.getInputStream(e), name, e.getCompressedSize(), total);
    }

    /** The entry's inflated content, refused (IOException) once it passes a bound. */
    public static InputStream bounded(InputStream in, String entry, long compressedBytes, Total total) {
        Limits l = limits;
        return new FilterInputStream(in) {
            private long read;

            private void count(long n) throws IOException {
                if (n <= 0) {
                    return;
                }
                read += n;
                if (read > l.maxEntryBytes()) {
                    throw refusal(entry + " expands beyond " + l.maxEntryBytes() + " bytes");
                }
                if (read > RATIO_GRACE_BYTES && read > l.maxRatio() * Math.max(1, compressedBytes)) {
                    throw refusal(entry + " expands more than " + (long) l.maxRatio() + " times");
                }
                if (total.add(entry, read) > l.maxTotalBytes()) {
                    throw refusal("the entries expand beyond " + l.maxTotalBytes() + " bytes in all");
                }
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                count(n);
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long s = super.skip(n);
                count(s);
                return s;
            }
        };
    }
}
