package org.credentialhub.dropbox;

import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.credentialhub.support.PrivateFiles;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a vendor may do in its drop-box home, enforced on every SFTP operation (least privilege):
 * <ul>
 *   <li>home: list only; no files, folders or links of its own;</li>
 *   <li>{@code inbox/}: write-only drop: create new files (0600) and rename them within the inbox (upload as
 *       {@code .part}, then rename); no reading back, overwriting, deleting or renaming onto another file, so a file
 *       the hub has not taken yet stays as delivered;</li>
 *   <li>{@code outbox/}: read-only (the hub's acknowledgements): no writing, deleting or renaming;</li>
 *   <li>never: folders, symbolic or hard links, copies, owner or permission changes;</li>
 *   <li>quotas: at most {@code maxFiles} files in the inbox and {@code maxFileBytes} bytes per file.</li>
 * </ul>
 * The hub's service account (home: the drop-box root) keeps full access, with folders 0700 and files 0600.
 */
final class VendorAccess implements SftpFileSystemAccessor, SftpEventListener {
    private static final Set<OpenOption> WRITES = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.DELETE_ON_CLOSE);

    private final String serviceUser;
    private final long maxFileBytes;
    private final int maxFiles;

    VendorAccess(String serviceUser, long maxFileBytes, int maxFiles) {
        this.serviceUser = serviceUser;
        this.maxFileBytes = maxFileBytes;
        this.maxFiles = maxFiles;
    }

    private enum Zone { HOME, INBOX, OUTBOX }

    private boolean vendor(SftpSubsystemProxy s) {
        return vendor(s.getServerSession());
    }

    private boolean vendor(ServerSession session) {
        return session == null || !serviceUser.equals(session.getUsername());
    }

    /** The zone of a path in a vendor's home (its file system is rooted at the home). */
    private static Zone zone(Path file) {
        Path p = file.toAbsolutePath().normalize();
        if (p.getNameCount() == 0) {
            return Zone.HOME;
        }
        return switch (p.getName(0).toString()) {
            case "inbox" -> p.getNameCount() == 2 ? Zone.INBOX : (p.getNameCount() == 1 ? Zone.HOME : null);
            case "outbox" -> p.getNameCount() == 2 ? Zone.OUTBOX : (p.getNameCount() == 1 ? Zone.HOME : null);
            default -> Zone.HOME;
        };
    }

    private static AccessDeniedException denied(Path file, String why) {
        return new AccessDeniedException(file.toString(), null, why);
    }

    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
                                        Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        List<FileAttribute<?>> own = new ArrayList<>();
        for (FileAttribute<?> a : attrs) {
            if (!a.name().endsWith(":permissions")) {
                own.add(a);
            }
        }
        own.add(PrivateFiles.fileAttribute());
        boolean writes = options.stream().anyMatch(WRITES::contains);
        if (vendor(subsystem)) {
            Zone z = zone(file);
            if (writes) {
                if (z != Zone.INBOX) {
                    throw denied(file, "only the inbox takes files");
                }
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    throw denied(file, "a delivered file is not changed; upload under a new name");
                }
                try (Stream<Path> inbox = Files.list(file.toAbsolutePath().normalize().getParent())) {
                    if (inbox.count() >= maxFiles) {
                        throw denied(file, "the inbox holds its maximum of " + maxFiles + " files");
                    }
                }
            } else if (z != Zone.OUTBOX) {
                throw denied(file, "only the outbox can be read");
            }
        }
        SeekableByteChannel channel = SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, options,
                own.toArray(new FileAttribute<?>[0]));
        if (writes) {
            PrivateFiles.chmod(file, PrivateFiles.FILE);
        }
        return channel;
    }

    @Override
    public DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem, DirectoryHandle dirHandle, Path dir,
                                               String handle, LinkOption... options) throws IOException {
        // each entry with its attributes read as it is listed: a listing never fails for a file renamed meanwhile
        return new ListedDirectory(SftpFileSystemAccessor.super.openDirectory(subsystem, dirHandle, dir, handle, options));
    }

    @Override
    public void createDirectory(SftpSubsystemProxy subsystem, Path path) throws IOException {
        if (vendor(subsystem)) {
            throw denied(path, "no folders of one's own");
        }
        SftpFileSystemAccessor.super.createDirectory(subsystem, path);
        PrivateFiles.chmod(path, PrivateFiles.FOLDER);
    }

    @Override
    public void createLink(SftpSubsystemProxy subsystem, Path link, Path existing, boolean symLink) throws IOException {
        if (vendor(subsystem)) {
            throw denied(link, "no links");
        }
        SftpFileSystemAccessor.super.createLink(subsystem, link, existing, symLink);
    }

    @Override
    public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
        if (vendor(subsystem)) {
            throw denied(path, "delivered files and acknowledgements are not deleted");
        }
        SftpFileSystemAccessor.super.removeFile(subsystem, path, isDirectory);
    }

    @Override
    public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath, Collection<CopyOption> opts)
            throws IOException {
        if (vendor(subsystem) && (zone(oldPath) != Zone.INBOX || zone(newPath) != Zone.INBOX
                || Files.exists(newPath, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(oldPath))) {
            throw denied(oldPath, "files are renamed only within the inbox, onto a free name");
        }
        SftpFileSystemAccessor.super.renameFile(subsystem, oldPath, newPath, opts);
    }

    @Override
    public void copyFile(SftpSubsystemProxy subsystem, Path src, Path dst, Collection<CopyOption> opts) throws IOException {
        if (vendor(subsystem)) {
            throw denied(src, "no copies");
        }
        SftpFileSystemAccessor.super.copyFile(subsystem, src, dst, opts);
    }

    @Override
    public void setFilePermissions(SftpSubsystemProxy subsystem, Path path, Set<PosixFilePermission> perms,
                                   LinkOption... options) throws IOException {
        // files stay 0600 and folders 0700, whoever asks (clients send their local modes; ignored, not failed)
    }

    @Override
    public void setFileOwner(SftpSubsystemProxy subsystem, Path path, Principal value, LinkOption... options)
            throws IOException {
        if (vendor(subsystem)) {
            throw denied(path, "no owner changes");
        }
        SftpFileSystemAccessor.super.setFileOwner(subsystem, path, value, options);
    }

    @Override
    public void setGroupOwner(SftpSubsystemProxy subsystem, Path path, Principal value, LinkOption... options)
            throws IOException {
        if (vendor(subsystem)) {
            throw denied(path, "no owner changes");
        }
        SftpFileSystemAccessor.super.setGroupOwner(subsystem, path, value, options);
    }

    /** The per-file size quota, checked before each write reaches the disk. */
    @Override
    public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                        int dataOffset, int dataLen) throws IOException {
        if (vendor(session) && offset + dataLen > maxFileBytes) {
            throw new java.nio.file.FileSystemException(localHandle.getFile().toString(), null,
                    "a file is at most " + maxFileBytes + " bytes");
        }
    }
}
