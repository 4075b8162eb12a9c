package org.credentialhub.reporting;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuppressionTest {

    @Test
    void smallCountsAndTheirDependentsAreSuppressedAndNoColumnHasASingleOne() {
        Random random = new Random(7);
        for (int trial = 0; trial < 2000; trial++) {
            int rows = 1 + random.nextInt(12);
            long[][] counts = new long[rows][2];
            for (int r = 0; r < rows; r++) {
                counts[r][1] = random.nextInt(4) == 0 ? random.nextInt(12) : random.nextInt(400);
                counts[r][0] = counts[r][1] == 0 ? 0 : random.nextInt((int) counts[r][1] + 1);
            }
            // earned (0) goes with potential (1): a hidden potential hides the earned count
            boolean[][] hidden = Suppression.suppress(counts, new int[]{1, -1}, 10);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < 2; c++) {
                    if (counts[r][c] < 10) {
                        assertTrue(hidden[r][c], "trial " + trial + ": small cell shown");
                    }
                }
                if (hidden[r][1]) {
                    assertTrue(hidden[r][0], "trial " + trial + ": earned shown beside a hidden potential");
                }
            }
            if (rows > 1) {
                assertTrue(Suppression.recoverable(hidden).isEmpty(), "trial " + trial + ": " + Suppression.recoverable(hidden));
            }
        }
    }

    @Test
    void complementaryCellIsTheNextSmallest() {
        long[][] counts = {{5, 500}, {40, 300}, {25, 200}, {900, 1000}};
        boolean[][] hidden = Suppression.suppress(counts, new int[]{-1, -1}, 10);
        assertTrue(hidden[0][0]);
        assertTrue(hidden[2][0], "25 is the next smallest earned count");
        assertFalse(hidden[1][0]);
        assertFalse(hidden[3][0]);
        for (boolean[] row : hidden) {
            assertFalse(row[1], "no potential needed suppressing");
        }
    }

    @Test
    void ratesNearTheEdgesAreBanded() {
        assertEquals("<5%", Suppression.rate("3.2%", 3.2, false));
        assertEquals(">95%", Suppression.rate("97.0%", 97.0, false));
        assertEquals("41.0%", Suppression.rate("41.0%", 41.0, false));
        assertEquals("*", Suppression.rate("41.0%", 41.0, true));
    }
}
