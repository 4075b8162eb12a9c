package org.credentialhub.runtime;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortsTest {

    @Test
    void aFreePortLiesBelowTheRangeOutgoingConnectionsAreGivenAndCanBeBound() throws Exception {
        int low = Ports.ephemeralLow();
        for (int i = 0; i < 20; i++) {
            int port = Ports.free();
            assertTrue(port >= Ports.LOWEST && port < low, port + " is not in [" + Ports.LOWEST + ", " + low + ")");
            assertDoesNotThrow(() -> {
                try (ServerSocket s = new ServerSocket(port)) {
                    assertTrue(s.isBound());
                }
            });
        }
    }

    @Test
    void aPortAServerListensOnIsNotOffered() throws Exception {
        try (ServerSocket held = new ServerSocket(Ports.free())) {
            for (int i = 0; i < 200; i++) {
                assertTrue(Ports.free() != held.getLocalPort());
            }
        }
    }

    @Test
    void jvmsSideBySideChooseFromSlicesThatDoNotOverlap() {
        int below = 32_768;
        int[] previous = null;
        for (int slice = 1; slice <= 3; slice++) {
            int[] r = Ports.range(below, slice, 3);
            assertTrue(r[0] >= Ports.LOWEST && r[1] <= below && r[1] - r[0] >= 4_000, java.util.Arrays.toString(r));
            if (previous != null) {
                assertTrue(r[0] >= previous[1], "slices overlap: " + java.util.Arrays.toString(previous) + " "
                        + java.util.Arrays.toString(r));
            }
            previous = r;
        }
        assertTrue(java.util.Arrays.equals(new int[] {Ports.LOWEST, below}, Ports.range(below, 1, 1)), "one JVM: all");
        assertTrue(java.util.Arrays.equals(new int[] {Ports.LOWEST, below}, Ports.range(below, 4, 3)), "no such slice");
    }

    @Test
    void theTestForksEachChooseFromTheirOwnSlice() throws Exception {
        // the suite's JVMs are started with their slice (pom.xml): a port this fork hands out is in it
        int slice = Integer.getInteger("hub.ports.slice", 0);
        int slices = Integer.getInteger("hub.ports.slices", 0);
        assertTrue(slice >= 1 && slices >= 1, "the fork was started without its slice");
        int[] r = Ports.range(Ports.ephemeralLow(), slice, slices);
        for (int i = 0; i < 50; i++) {
            int port = Ports.free();
            assertTrue(port >= r[0] && port < r[1], port + " is not in this fork's slice " + java.util.Arrays.toString(r));
        }
    }

    @Test
    void aPortHandedOutIsNotHandedOutAgainBeforeItsServerBindsIt() throws Exception {
        // nothing binds these ports: each was free when handed out, and a second hand-out of one would start two
        // servers on it (a random choice among a fork's ~4,000 ports repeats itself within 1,000 choices almost surely)
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            int port = Ports.free();
            assertTrue(seen.add(port), "port " + port + " was handed out twice");
        }
    }
}
