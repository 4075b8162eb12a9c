package org.credentialhub.support;

/**
 * Which JIT this JVM runs. {@code ./hub} starts the one-shot commands (ingest, bench, generate, ...) and the test JVMs
 * with the quick JIT alone ({@code -XX:TieredStopAtLevel=1}), and a running hub with both (docs/performance.md,
 * session 13). Only the optimizing JIT (C2) compiles the processor's SHA, AES and carry-less-multiply instructions
 * into the JDK's SHA-256, AES and GCM code; under the quick JIT they run as plain Java, and other algorithms are faster
 * there ({@link Hmac}'s engine, the SFTP intake's cipher: {@link #sftpCiphers}).
 */
public final class Jit {
    private Jit() {
    }

    private static final boolean OPTIMIZING = detect();

    /** Whether this JVM runs the optimizing JIT (C2): the quick JIT alone is {@code -XX:TieredStopAtLevel} below 4. */
    public static boolean optimizing() {
        return OPTIMIZING;
    }

    private static boolean detect() {
        try {
            var vm = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return vm == null || !"true".equals(vm.getVMOption("TieredCompilation").getValue())
                    || "4".equals(vm.getVMOption("TieredStopAtLevel").getValue());
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }

    /** JSch's own order of ciphers (AES-GCM first): the fastest under the optimizing JIT. */
    static final String JSCH_CIPHERS = "aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr";

    /**
     * The SFTP intake's ciphers, in order of preference (the client's order decides), for this JVM: JSch's own order
     * under the optimizing JIT, where AES-GCM is the fastest (7.6 GB/s, ChaCha20-Poly1305 0.23 GB/s); ChaCha20-Poly1305
     * first under the quick JIT, where it is 3.7 times as fast as AES-GCM (161-170 MB/s against 45 MB/s: GCM's GHASH in
     * plain Java was the hottest method of the NC year's SFTP work, JFR). A server without it takes the next one.
     */
    public static String sftpCiphers() {
        return optimizing() ? JSCH_CIPHERS : "chacha20-poly1305@openssh.com," + JSCH_CIPHERS;
    }
}
