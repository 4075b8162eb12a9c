package org.credentialhub.intake;

import com.jcraft.jsch.JSch;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The SFTP client's (JSch, under Camel's sftp component) check of which key exchanges it can offer. Before every
 * connection JSch proves each algorithm named in {@code CheckKexes} by running it once, and its post-quantum hybrids
 * (sntrup761x25519, mlkem768x25519, from Bouncy Castle, which the hub ships) each generate a key pair for that:
 * a quarter of the hub's own CPU time on a run of small vendor files, for no connection's benefit. They are still
 * offered, in JSch's order, and used when the server prefers them; only the proof run is skipped.
 */
public final class SftpKeyExchange {
    private SftpKeyExchange() {
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
