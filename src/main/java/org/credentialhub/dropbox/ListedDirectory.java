package org.credentialhub.dropbox;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.fs.WithFileAttributes;
import org.apache.sshd.sftp.common.SftpHelper;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A folder's entries as an SFTP listing sends them, each with the attributes read as the entry was listed: an entry
 * gone by then (renamed or moved away since the folder was read) is left out, as OpenSSH's server does. MINA's server
 * reads each listed entry's attributes again, after reading the folder, and an entry renamed in between failed the
 * whole listing with "No such file or directory", which happened all the time in an inbox where vendors upload under
 * a temporary name and rename, and from which the hub's intake moves every file it takes (DropBoxListingTest: 881 of
 * 941 listings beside such renames). MINA takes the attributes an entry carries ({@link WithFileAttributes}) as they
 * are, without reading them again.
 */
final class ListedDirectory implements DirectoryStream<Path> {
    private final DirectoryStream<Path> entries;

    ListedDirectory(DirectoryStream<Path> entries) {
        this.entries = entries;
    }

    @Override
    public Iterator<Path> iterator() {
        Iterator<Path> all = entries.iterator();
        return new Iterator<>() {
            private Path next;

            @Override
            public boolean hasNext() {
                while (next == null && all.hasNext()) {
                    Path p = all.next();
                    try {
                        next = new Listed(p, attributes(p));
                    } catch (NoSuchFileException gone) {
                        // renamed or moved away since the folder was read: not there to list
                    } catch (IOException e) {
                        throw new DirectoryIteratorException(e);
                    }
                }
                return next != null;
            }

            @Override
            public Path next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Path p = next;
                next = null;
                return p;
            }
        };
    }

    @Override
    public void close() throws IOException {
        entries.close();
    }

    /**
     * An entry's attributes as an SFTP version 3 listing sends them (MINA's own: size, owner and group ids, type and
     * permissions, access and modification times), read once, without following a link: by the "unix" view, whose
     * mode is the type and permission bits SFTP sends, in one call; where there is none, by the POSIX view, without ids.
     */
    static SftpClient.Attributes attributes(Path p) throws IOException {
        SftpClient.Attributes out = new SftpClient.Attributes();
        if (p.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,size,uid,gid,lastAccessTime,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS);
            out.size((Long) a.get("size"));
            out.perms((Integer) a.get("mode"));
            out.owner((Integer) a.get("uid"), (Integer) a.get("gid"));
            out.accessTime((FileTime) a.get("lastAccessTime"));
            out.modifyTime((FileTime) a.get("lastModifiedTime"));
            return out;
        }
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        out.size(a.size());
        out.perms(SftpHelper.attributesToPermissions(a.isRegularFile(), a.isDirectory(), a.isSymbolicLink(),
                a.permissions()));
        out.accessTime(a.lastAccessTime());
        out.modifyTime(a.lastModifiedTime());
        return out;
    }

    /** A listed entry: its path, and the attributes it was listed with. */
    private static final class Listed implements Path, WithFileAttributes {
        private final Path path;
        private final SftpClient.Attributes attributes;

        Listed(Path path, SftpClient.Attributes attributes) {
            this.path = path;
            this.attributes = attributes;
        }

        @Override
        public SftpClient.Attributes getAttributes() {
            return attributes;
        }

        private static Path real(Path p) {
            return p instanceof Listed l ? l.path : p;
        }

        @Override
        public FileSystem getFileSystem() {
            return path.getFileSystem();
        }

        @Override
        public boolean isAbsolute() {
            return path.isAbsolute();
        }

        @Override
        public Path getRoot() {
            return path.getRoot();
        }

        @Override
        public Path getFileName() {
            return path.getFileName();
        }

        @Override
        public Path getParent() {
            return path.getParent();
        }

        @Override
        public int getNameCount() {
            return path.getNameCount();
        }

        @Override
        public Path getName(int index) {
            return path.getName(index);
        }

        @Override
        public Path subpath(int beginIndex, int endIndex) {
            return path.subpath(beginIndex, endIndex);
        }

        @Override
        public boolean startsWith(Path other) {
            return path.startsWith(real(other));
        }

        @Override
        public boolean endsWith(Path other) {
            return path.endsWith(real(other));
        }

        @Override
        public Path normalize() {
            return path.normalize();
        }

        @Override
        public Path resolve(Path other) {
            return path.resolve(real(other));
        }

        @Override
        public Path relativize(Path other) {
            return path.relativize(real(other));
        }

        @Override
        public URI toUri() {
            return path.toUri();
        }

        @Override
        public Path toAbsolutePath() {
            return path.toAbsolutePath();
        }

        @Override
        public Path toRealPath(LinkOption... options) throws IOException {
            return path.toRealPath(options);
        }

        @Override
        public File toFile() {
            return path.toFile();
        }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers)
                throws IOException {
            return path.register(watcher, events, modifiers);
        }

        @Override
        public int compareTo(Path other) {
            return path.compareTo(real(other));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Path p && path.equals(real(p));
        }

        @Override
        public int hashCode() {
            return path.hashCode();
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }
}
