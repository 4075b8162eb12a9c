package org.credentialhub.intake;

import com.jcraft.jsch.JSch;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What the SFTP client (JSch, under Camel's sftp component) offers when it negotiates a connection: which ciphers it
 * prefers ({@link #ciphers}), and the check of which key exchanges it can offer. Before every
 * connection JSch proves each algorithm named in {@code CheckKexes} by running it once, and its post-quantum hybrids
 * (sntrup761x25519, mlkem768x25519, from Bouncy Castle, which the hub ships) each generate a key pair for that:
 * a quarter of the hub's own CPU time on a run of small vendor files, for no connection's benefit. They are still
 * offered, in JSch's order, and used when the server prefers them; only the proof run is skipped.
 */
public final class SftpKeyExchange {
    private SftpKeyExchange() {
    }

    /**
     * The ciphers in order of preference (the client's order decides) for this JVM: JSch's own (AES-GCM first) under
     * the optimizing JIT (a running hub, and the commands that end, where it compiles the JDK's crypto alone), where
     * AES-GCM is the fastest (7.6 GB/s, ChaCha20-Poly1305 0.23 GB/s); ChaCha20-Poly1305 first under the quick JIT alone
     * (the tests), where it is 3.7 times as fast as AES-GCM (161-170 MB/s against 45 MB/s: GCM's GHASH in plain Java was the hottest method of the NC year's
     * SFTP work, JFR). A server without it takes the next one.
     */
    public static String ciphers() {
        String own = JSch.getConfig("cipher.c2s");
        if (org.credentialhub.support.Jit.optimizing()) {
            return own;
        }
        String chacha = "chacha20-poly1305@openssh.com";
        return chacha + Arrays.stream(own.split(",")).filter(c -> !c.equals(chacha)).map(c -> "," + c)
                .collect(Collectors.joining());
    }

    /** Drops the post-quantum hybrids from JSch's availability check (once per JVM; idempotent). */
    public static synchronized void skipProofOfBundledAlgorithms() {
        String check = JSch.getConfig("CheckKexes");
        if (check == null || check.isBlank()) {
            return;
        }
        String kept = Arrays.stream(check.split(","))
                .filter(k -> !k.startsWith("sntrup761") && !k.startsWith("mlkem"))
                .collect(Collectors.joining(","));
        JSch.setConfig("CheckKexes", kept);
    }
}
