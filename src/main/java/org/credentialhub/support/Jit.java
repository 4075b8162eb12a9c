package org.credentialhub.support;

/**
 * Which JIT this JVM runs. {@code ./hub} starts the one-shot commands (ingest, bench, generate, ...) and the test JVMs
 * with the quick JIT alone ({@code -XX:TieredStopAtLevel=1}), and a running hub with both (docs/performance.md,
 * session 13). Only the optimizing JIT (C2) compiles the processor's SHA, AES and carry-less-multiply instructions
 * into the JDK's SHA-256, AES and GCM code; under the quick JIT they run as plain Java, and other algorithms are faster
 * there ({@link Hmac}'s engine, the SFTP intake's cipher: {@code intake.SftpKeyExchange#ciphers}).
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
}
