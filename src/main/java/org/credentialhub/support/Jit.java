package org.credentialhub.support;

/**
 * Which JIT compiles the JDK's crypto in this JVM. Only the optimizing JIT (C2) compiles the processor's SHA, AES and
 * carry-less-multiply instructions into the JDK's SHA-256, AES and GCM code; under the quick JIT (C1) they run as plain
 * Java, and other algorithms are faster there ({@link Hmac}'s engine, the SFTP intake's cipher:
 * {@code intake.SftpKeyExchange#ciphers}). {@code ./hub} starts a running hub with both JITs everywhere and the commands
 * that end (ingest, bench, generate, ...) with C2 for the JDK's crypto alone ({@code config/jvm-command.options});
 * the test JVMs run the quick JIT alone ({@code -XX:TieredStopAtLevel=1}). docs/performance.md, sessions 13 and 28.
 */
public final class Jit {
    private Jit() {
    }

    private static final boolean OPTIMIZING = detect();

    /**
     * Whether this JVM runs the optimizing JIT (C2), which then compiles the JDK's crypto: the quick JIT alone is
     * {@code -XX:TieredStopAtLevel} below 4 (the directives of {@code config/jit-directives.json} keep C2 for the crypto).
     */
    public static boolean optimizing() {
        return OPTIMIZING;
    }

    /**
     * How this JVM compiles, for a bench's description of the machine: the quick JIT alone, both JITs, or C2 only where
     * compiler directives keep it (a command's JVM: {@code config/jvm-command.options}).
     */
    public static String describe() {
        if (!OPTIMIZING) {
            return "quick JIT alone";
        }
        // a diagnostic option: readable only when unlocked, as the directives need
        String directives = vmOption("CompilerDirectivesFile");
        return directives == null || directives.isEmpty() ? "both JITs"
                : "C2 where " + directives + " keeps it, C1 otherwise";
    }

    private static boolean detect() {
        String tiered = vmOption("TieredCompilation");
        return tiered == null || !tiered.equals("true") || "4".equals(vmOption("TieredStopAtLevel"));
    }

    /** A HotSpot option's value, or null where this JVM does not let it be read. */
    private static String vmOption(String name) {
        try {
            var vm = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return vm == null ? null : vm.getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
