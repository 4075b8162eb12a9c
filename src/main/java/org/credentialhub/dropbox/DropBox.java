package org.credentialhub.dropbox;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process SFTP drop box (Apache MINA SSHD): one account and home folder ({@code inbox/},
 * {@code outbox/}) per vendor feed, chrooted so that a vendor never sees another vendor's folders;
 * password or public-key login; a host key kept in the data folder so clients can pin it. The hub
 * itself reads the inboxes through a service account whose home is the drop box root.
 * SFTP only: no shell, no command execution, no port forwarding.
 */
public final class DropBox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DropBox.class);

    /** An SFTP account: a name, its folder under the root, and how it may log in. */
    public record Account(String name, String password, Path authorizedKeys) {
    }

    private final Path root;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final SshServer server;
    private final SimpleGeneratorHostKeyProvider hostKeys;
    private final List<String> vendorNames = new ArrayList<>();

    /**
     * Vendor limits: per file and file count in an inbox (quotas), and password sign-in throttling per account
     * and source address (the first {@code freeFailures} failures cost nothing, then each closes that account to
     * that address for {@code baseDelay}, doubled per failure, at most {@code maxDelay}; unknown accounts alike).
     */
    public record Limits(long maxFileBytes, int maxFiles, int freeFailures, java.time.Duration baseDelay,
                         java.time.Duration maxDelay) {
        public static Limits defaults() {
            return new Limits(256L * 1024 * 1024, 500, 3, java.time.Duration.ofSeconds(1), java.time.Duration.ofMinutes(5));
        }
    }

    private final Limits limits;
    private final Map<String, long[]> failures = new ConcurrentHashMap<>();

    public DropBox(Path root, String host, int port, Path hostKey, Collection<Account> vendorAccounts,
                   Account serviceAccount) throws IOException {
        this(root, host, port, hostKey, vendorAccounts, serviceAccount, Limits.defaults());
    }

    public DropBox(Path root, String host, int port, Path hostKey, Collection<Account> vendorAccounts,
                   Account serviceAccount, Limits limits) throws IOException {
        this.root = root.toAbsolutePath();
        this.limits = limits;
        // the drop box's folders 0700 and files 0600 (existing ones tightened)
        org.credentialhub.support.PrivateFiles.tree(this.root);
        VirtualFileSystemFactory fileSystems = new VirtualFileSystemFactory();
        for (Account account : vendorAccounts) {
            Path home = this.root.resolve(account.name());
            org.credentialhub.support.PrivateFiles.folder(home);
            org.credentialhub.support.PrivateFiles.folder(home.resolve("inbox"));
            org.credentialhub.support.PrivateFiles.folder(home.resolve("outbox"));
            fileSystems.setUserHomeDir(account.name(), home);
            accounts.put(account.name(), account);
            vendorNames.add(account.name());
        }
        fileSystems.setUserHomeDir(serviceAccount.name(), this.root);
        accounts.put(serviceAccount.name(), serviceAccount);

        Files.createDirectories(hostKey.toAbsolutePath().getParent());
        server = SshServer.setUpDefaultServer();
        server.setHost(host);
        server.setPort(port);
        hostKeys = new SimpleGeneratorHostKeyProvider(hostKey);
        server.setKeyPairProvider(hostKeys);
        server.setFileSystemFactory(fileSystems);
        SftpSubsystemFactory sftp = new SftpSubsystemFactory();
        VendorAccess access = new VendorAccess(serviceAccount.name(), limits.maxFileBytes(), limits.maxFiles());
        sftp.setFileSystemAccessor(access);
        sftp.addSftpEventListener(access);
        server.setSubsystemFactories(List.of(sftp));
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        org.apache.sshd.core.CoreModuleProperties.MAX_AUTH_REQUESTS.set(server, 6);
        // SFTP is request/response in small packets: without TCP_NODELAY each reply can wait on Nagle's algorithm
        // for the client's delayed ACK (tens of ms per request; a file's pickup is a dozen requests)
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(server, true);
        server.setPasswordAuthenticator((user, password, session) -> throttledPassword(user, password,
                session.getClientAddress() instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() : "?"));
        server.setPublickeyAuthenticator((user, key, session) -> checkKey(user, key));
    }

    public void start() throws IOException {
        server.start();
        LOG.info("SFTP drop box listening on {}:{} with {} vendor account(s), root {}",
                server.getHost(), server.getPort(), accounts.size() - 1, root);
    }

    /**
     * Writes an OpenSSH known_hosts file that pins this server's host key for {@code host}, so that
     * clients (the hub's own SFTP consumer among them) verify the server instead of trusting any key.
     */
    public void writeKnownHosts(Path file, String host) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (java.security.KeyPair pair : hostKeys.loadKeys(null)) {
            sb.append('[').append(host).append("]:").append(port()).append(' ')
                    .append(org.apache.sshd.common.config.keys.PublicKeyEntry.toString(pair.getPublic())).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb.toString());
    }

    public int port() {
        return server.getPort();
    }

    public String host() {
        return server.getHost();
    }

    public boolean isRunning() {
        return server.isStarted() && server.isOpen();
    }

    public Path root() {
        return root;
    }

    public List<String> vendorAccounts() {
        return vendorNames;
    }

    /** The ciphers (client to server) of the account's open sessions, as negotiated: which one a client ended up with. */
    public List<String> ciphersOf(String account) {
        return server.getActiveSessions().stream().filter(x -> account.equals(x.getUsername()))
                .map(x -> x.getNegotiatedKexParameter(org.apache.sshd.common.kex.KexProposalOption.C2SENC)).toList();
    }

    /**
     * Password sign-in, throttled per account name (known or not) and source address: while an account waits
     * after repeated failures from an address, every password from there is refused without being looked at.
     */
    boolean throttledPassword(String user, String password, String source) {
        String key = user + "\u0000" + source;
        long now = System.currentTimeMillis();
        long[] f = failures.get(key);
        if (f != null && f[1] > now) {
            return false;
        }
        if (checkPassword(user, password)) {
            failures.remove(key);
            return true;
        }
        long[] updated = failures.merge(key, new long[]{1, 0}, (a, b) -> new long[]{a[0] + 1, a[1]});
        int n = (int) updated[0];
        if (n >= limits.freeFailures()) {
            long delay = Math.min(limits.maxDelay().toMillis(),
                    limits.baseDelay().toMillis() << Math.min(n - limits.freeFailures(), 30));
            updated[1] = now + delay;
            LOG.warn("SFTP: {} failed password sign-ins in a row for one account from one address: it waits {} ms", n, delay);
        }
        if (failures.size() > 10_000) {
            failures.entrySet().removeIf(e -> e.getValue()[1] < now - limits.maxDelay().toMillis());
        }
        return false;
    }

    private boolean checkPassword(String user, String password) {
        Account account = accounts.get(user);
        if (account == null || account.password() == null || account.password().isEmpty() || password == null) {
            return false;
        }
        return MessageDigest.isEqual(account.password().getBytes(StandardCharsets.UTF_8),
                password.getBytes(StandardCharsets.UTF_8));
    }

    private boolean checkKey(String user, PublicKey key) {
        Account account = accounts.get(user);
        if (account == null || account.authorizedKeys() == null || !Files.isRegularFile(account.authorizedKeys())) {
            return false;
        }
        try {
            for (AuthorizedKeyEntry entry : AuthorizedKeyEntry.readAuthorizedKeys(account.authorizedKeys())) {
                PublicKey allowed = entry.resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
                if (allowed != null && KeyUtils.compareKeys(allowed, key)) {
                    return true;
                }
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            LOG.warn("Could not read the authorized keys of SFTP account {}: {}", user, e.getMessage());
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
