package org.credentialhub.dropbox;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A small SFTP client (Apache MINA SSHD) for putting files into an account's folders and listing them. */
public final class SftpUpload implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final SshClient client;
    private final ClientSession session;
    private final SftpClient sftp;

    public SftpUpload(String host, int port, String user, String password) throws IOException {
        this(host, port, user, password, org.credentialhub.intake.SftpKeyExchange.ciphers());
    }

    /**
     * A client preferring the ciphers {@code preference} names (SSH names, comma-separated, most preferred first; the
     * client's order decides which one a connection uses), then MINA's others. The public constructor prefers what the
     * hub's own SFTP client does in this JVM ({@link org.credentialhub.intake.SftpKeyExchange#ciphers}): under the
     * optimizing JIT the JDK's AES-GCM, whose C2 code is the processor's AES instructions, where MINA's own first
     * choice, ChaCha20-Poly1305, is plain Java on both ends (a command compiles it with the quick JIT alone): 215 MB
     * uploaded to the hub's server in 4.2-4.5 s with 7.3-7.7 s of CPU (both ends) against 2.0-2.4 s with 2.7-3.7 s
     * (docs/performance.md, session 55).
     */
    SftpUpload(String host, int port, String user, String password, String preference) throws IOException {
        client = SshClient.setUpDefaultClient();
        client.setCipherFactories(ciphers(preference, client.getCipherFactories()));
        // a tool for the loopback drop box (demo data, tests): the server is the hub's own
        client.setServerKeyVerifier((session, address, key) -> true);
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(client, true);   // small requests, answered at once
        if (java.net.InetAddress.getByName(host).isLoopbackAddress()) {
            // a connection that never leaves the machine gains nothing from a post-quantum key exchange, and
            // sntrup761's key pair (MINA's first choice) cost 0.24-0.58 s of CPU a connection against 0.02-0.04 s for
            // curve25519 (quick JIT; the suite and ingest connect hundreds of times): offered last here
            java.util.List<org.apache.sshd.common.kex.KeyExchangeFactory> kex = new java.util.ArrayList<>(client.getKeyExchangeFactories());
            kex.sort(java.util.Comparator.comparingInt(f -> f.getName().startsWith("sntrup761") ? 1 : 0));
            client.setKeyExchangeFactories(kex);
        }
        client.start();
        try {
            session = client.connect(user, host, port).verify(TIMEOUT).getSession();
            session.addPasswordIdentity(password);
            session.auth().verify(TIMEOUT);
            sftp = SftpClientFactory.instance().createSftpClient(session);
        } catch (IOException | RuntimeException e) {
            client.stop();
            throw e;
        }
    }

    /**
     * MINA's {@code available} ciphers, those {@code preference} names first in its order (names MINA does not know
     * left out), the others after them in MINA's order.
     */
    static List<NamedFactory<Cipher>> ciphers(String preference,
            List<NamedFactory<Cipher>> available) {
        List<NamedFactory<Cipher>> out = new ArrayList<>();
        for (String name : preference.split(",")) {
            available.stream().filter(f -> f.getName().equals(name.trim()) && !out.contains(f)).findFirst()
                    .ifPresent(out::add);
        }
        available.stream().filter(f -> !out.contains(f)).forEach(out::add);
        return out;
    }

    /** The cipher this connection uses from client to server (as negotiated). */
    String cipher() {
        return session.getNegotiatedKexParameter(KexProposalOption.C2SENC);
    }

    /**
     * Writes a file under a temporary hidden name of its own and renames it, so the hub never sees it
     * half-written and an upload that died half-way leaves nothing in the way of the next.
     */
    public void put(String path, byte[] content) throws IOException {
        int slash = path.lastIndexOf('/');
        String tmp = path.substring(0, slash + 1) + "." + path.substring(slash + 1) + "."
                + Long.toHexString(RANDOM.nextLong()) + ".part";
        try (OutputStream out = sftp.write(tmp)) {
            out.write(content);
        }
        try {
            sftp.rename(tmp, path);
        } catch (IOException e) {
            sftp.remove(tmp);
            throw e;
        }
    }

    /** {@link #put(String, byte[])} for a file, streamed from disk (a large file is not read into memory). */
    public void put(String path, java.nio.file.Path file) throws IOException {
        int slash = path.lastIndexOf('/');
        String tmp = path.substring(0, slash + 1) + "." + path.substring(slash + 1) + "."
                + Long.toHexString(RANDOM.nextLong()) + ".part";
        try (OutputStream out = sftp.write(tmp); var in = java.nio.file.Files.newInputStream(file)) {
            in.transferTo(out);
        }
        try {
            sftp.rename(tmp, path);
        } catch (IOException e) {
            sftp.remove(tmp);
            throw e;
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Whether the path names a file (or folder) on the server. */
    public boolean exists(String path) throws IOException {
        try {
            sftp.stat(path);
            return true;
        } catch (org.apache.sshd.sftp.common.SftpException e) {
            if (e.getStatus() == org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return false;
            }
            throw e;
        }
    }

    public byte[] get(String path) throws IOException {
        try (var in = sftp.read(path)) {
            return in.readAllBytes();
        }
    }

    /** The session's SFTP client (tests list with it: {@link #list} gives the names only). */
    SftpClient sftp() {
        return sftp;
    }

    public List<String> list(String dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (SftpClient.DirEntry e : sftp.readDir(dir)) {
            if (!e.getFilename().startsWith(".")) {
                names.add(e.getFilename());
            }
        }
        return names;
    }

    /** The key exchange the session agreed on (e.g. {@code curve25519-sha256}). */
    public String keyExchange() {
        return session.getNegotiatedKexParameter(org.apache.sshd.common.kex.KexProposalOption.ALGORITHMS);
    }

    @Override
    public void close() throws IOException {
        try {
            sftp.close();
            session.close();
        } finally {
            client.stop();
        }
    }
}
