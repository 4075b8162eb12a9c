package org.credentialhub.support;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Student data on disk is the hub's alone: folders 0700, files 0600 (the archive, the drop box, secrets,
 * work folders). The launcher ({@code ./hub}) also runs the hub under umask 077.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    public static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
        return PosixFilePermissions.asFileAttribute(FILE);
    }

    /** Creates the folder (and missing parents) and makes it 0700. */
    public static Path folder(Path dir) throws IOException {
        Files.createDirectories(dir);
        chmod(dir, FOLDER);
        return dir;
    }

    /**
     * Deletes a folder and everything in it, deepest first (a file that cannot be deleted is left, and its folders
     * with it); a folder that does not exist is nothing to do.
     */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }

    /** Makes a folder tree private: every folder 0700, every file 0600 (symbolic links are left alone). */
    public static void tree(Path dir) throws IOException {
        folder(dir);
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                chmod(d, FOLDER);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    chmod(f, FILE);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Writes the file as 0600 from its creation (through a temporary file in the same folder, moved into place). */
    public static void write(Path file, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".write", ".part");
        try {
            Files.write(tmp, content);
            chmod(tmp, FILE);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void chmod(Path p, Set<PosixFilePermission> perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (Windows): its ACLs apply
        }
    }
}
