package org.credentialhub.sis;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A OneRoster CSV bundle as delivered: a folder holding {@code manifest.csv} and the CSV files, or a zip
 * of them (at its root or in one folder inside it). Files are read in place, streaming; nothing is
 * extracted.
 */
abstract class Bundle implements Closeable {

    /** File names in the bundle (no folders), in name order. */
    abstract List<String> names();

    abstract InputStream open(String name) throws IOException;

    /**
     * The bundle's content fingerprint (SHA-256), whatever holds it: over its files in name order, each
     * file's name and the SHA-256 of its bytes. The zip container (timestamps, compression, entry order,
     * a folder inside the zip) does not count, so a folder, a zip of it and the same folder zipped again
     * later all have the same fingerprint.
     */
    String fingerprint() throws IOException {
        MessageDigest all = sha();
        for (String name : names()) {
            MessageDigest file = sha();
            try (InputStream in = new DigestInputStream(open(name), file)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            all.update(name.getBytes(StandardCharsets.UTF_8));
            all.update((byte) 0);
            all.update(file.digest());
        }
        return HexFormat.of().formatHex(all.digest());
    }

    abstract long size() throws IOException;

    static Bundle open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return new FolderBundle(path);
        }
        if (Files.isRegularFile(path)) {
            return new ZipBundle(path);
        }
        throw new IOException(path.getFileName() + ": no such folder or zip file");
    }

    static MessageDigest sha() {
        return org.credentialhub.support.Sha256.digest();
    }

    private static final class FolderBundle extends Bundle {
        private final Path dir;
        private final List<String> names;

        FolderBundle(Path dir) throws IOException {
            this.dir = dir;
            try (Stream<Path> s = Files.list(dir)) {
                names = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
            }
        }

        @Override
        List<String> names() {
            return names;
        }

        @Override
        InputStream open(String name) throws IOException {
            return Files.newInputStream(dir.resolve(name));
        }

        @Override
        long size() throws IOException {
            long total = 0;
            for (String n : names) {
                total += Files.size(dir.resolve(n));
            }
            return total;
        }

        @Override
        public void close() {
        }
    }

    private static final class ZipBundle extends Bundle {
        private final Path file;
        private final ZipFile zip;
        private final Map<String, ZipEntry> entries = new LinkedHashMap<>();

        ZipBundle(Path file) throws IOException {
            this.file = file;
            try {
                this.zip = new ZipFile(file.toFile());
            } catch (java.util.zip.ZipException e) {
                throw new IOException(file.getFileName() + ": not a zip file", e);
            }
            List<ZipEntry> all = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (!e.isDirectory() && !e.getName().startsWith("__MACOSX/")) {
                    all.add(e);
                }
            }
            // The bundle's root is where manifest.csv is (the zip's root or one folder inside it).
            String prefix = "";
            for (ZipEntry e : all) {
                String n = e.getName();
                String base = n.substring(n.lastIndexOf('/') + 1);
                if (base.equalsIgnoreCase("manifest.csv") && (prefix.isEmpty() || n.length() < prefix.length())) {
                    prefix = n.substring(0, n.length() - base.length());
                }
            }
            for (ZipEntry e : all) {
                String n = e.getName();
                if (n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0) {
                    entries.put(n.substring(prefix.length()), e);
                }
            }
            try {
                org.credentialhub.support.ZipBounds.checkDeclared(all);
            } catch (IOException e) {
                zip.close();
                throw e;
            }
        }

        private final org.credentialhub.support.ZipBounds.Total inflated = org.credentialhub.support.ZipBounds.total();

        @Override
        List<String> names() {
            return entries.keySet().stream().sorted().toList();
        }

        @Override
        InputStream open(String name) throws IOException {
            ZipEntry e = entries.get(name);
            // bounded while read: a zip's directory may lie about sizes
            return org.credentialhub.support.ZipBounds.bounded(zip, e, name, inflated);
        }

        @Override
        long size() throws IOException {
            return Files.size(file);
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }
}
