package org.credentialhub.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free TCP port for a server the hub starts a moment later on the local machine ({@code ./hub ingest}, the
 * drill, the embedded PostgreSQL, tests).
 *
 * <p>A port from {@code new ServerSocket(0)} comes from the kernel's ephemeral range, the same range outgoing
 * connections take their local ports from: in the seconds between choosing it and the server binding it, any
 * outgoing connection (a database pool filling, an HTTP client) may take it, and the server's start fails with
 * "Address already in use". So the port is chosen at random below the ephemeral range (read from
 * {@code /proc/sys/net/ipv4/ip_local_port_range} where there is one) and checked to be free. A port handed out is
 * not handed out again by this JVM until thousands of others have been: its server may not have bound it yet (an
 * {@code ingest} asks for three ports before its hub starts; a test JVM starts hundreds of hubs), and the same port
 * twice failed a hub's start with "Address already in use".
 *
 * <p>JVMs that start servers side by side (the test suite's forks) each take their own slice of the range
 * ({@code hub.ports.slice} of {@code hub.ports.slices}, from 1): a port one JVM has handed out but not yet bound looks
 * free to another, and two forks choosing it at once failed a test's hub with "Address already in use" (CI, session 25).
 */
public final class Ports {

    static final int LOWEST = 20_000;
    /** How many of the ports handed out last are not handed out again (at most a third of the range). */
    static final int REMEMBERED = 4_096;
    private static final java.util.Set<Integer> recent = new java.util.LinkedHashSet<>();
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private Ports() {
    }

    /** A port no server listens on now, outside the range outgoing connections are given. */
    public static synchronized int free() throws IOException {
        int[] range = range(ephemeralLow(), Integer.getInteger("hub.ports.slice", 1),
                Integer.getInteger("hub.ports.slices", 1));
        if (range[1] - range[0] >= 1_000) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int attempt = 0; attempt < 50; attempt++) {
                int port = random.nextInt(range[0], range[1]);
                if (!recent.contains(port) && bindable(port)) {
                    remember(port, Math.min(REMEMBERED, (range[1] - range[0]) / 3));
                    return port;
                }
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {   // an unusual range: the kernel's choice
            return s.getLocalPort();
        }
    }

    private static void remember(int port, int limit) {
        while (recent.size() >= limit) {
            java.util.Iterator<Integer> oldest = recent.iterator();
            oldest.next();
            oldest.remove();
        }
        recent.add(port);
    }

    /**
     * The ports [from, to) this JVM chooses among: slice {@code slice} of {@code slices} equal parts of [{@link #LOWEST},
     * {@code below}) (the whole of it for a slice out of range).
     */
    static int[] range(int below, int slice, int slices) {
        if (slices <= 1 || slice < 1 || slice > slices) {
            return new int[] {LOWEST, below};
        }
        int width = (below - LOWEST) / slices;
        return new int[] {LOWEST + (slice - 1) * width, LOWEST + slice * width};
    }

    /** The first port of the kernel's ephemeral range (Linux's default 32768 elsewhere). */
    static int ephemeralLow() {
        try {
            if (Files.isReadable(RANGE)) {
                // (Files.readString reads a /proc file short: its size shows as 0)
                return Integer.parseInt(Files.readAllLines(RANGE).get(0).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            // the default below
        }
        return 32_768;
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new java.net.InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
