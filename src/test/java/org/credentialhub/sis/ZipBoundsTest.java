package org.credentialhub.sis;

import org.credentialhub.support.ZipBounds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zip bombs: bundles that expand beyond the bounds are refused clearly, before being read whole (workbooks, read within
 * the same bounds: {@code mapping.XlsxPackageTest}).
 */
class ZipBoundsTest {
    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        ZipBounds.configure(ZipBounds.Limits.defaults());
    }

    private Path zip(String name, Map<String, byte[]> entries) throws IOException {
        Path p = dir.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return p;
    }

    private static String fingerprintError(Path zip) {
        IOException e = assertThrows(IOException.class, () -> {
            try (Bundle b = Bundle.open(zip)) {
                b.fingerprint();
            }
        });
        return e.getMessage();
    }

    @Test
    void bundleBeyondTheRatioIsRefused() throws Exception {
        // 20 MB of one byte: ~20 KB compressed, a ratio near 1000
        Path bomb = zip("bomb.zip", Map.of("manifest.csv", "propertyName,value\n".getBytes(StandardCharsets.UTF_8),
                "users.csv", new byte[20 * 1024 * 1024]));
        assertTrue(Files.size(bomb) < 200_000, "small on disk: " + Files.size(bomb));
        String why = fingerprintError(bomb);
        assertTrue(why.contains("zip bomb") && why.contains("users.csv") && why.contains("100 times"), why);
    }

    @Test
    void bundleEntryAndTotalSizesAreBounded() throws Exception {
        ZipBounds.configure(new ZipBounds.Limits(3 * 1024 * 1024, 5 * 1024 * 1024, 100_000, 10));
        byte[] four = new byte[4 * 1024 * 1024];
        IOException e = assertThrows(IOException.class, () -> Bundle.open(zip("big.zip", Map.of("users.csv", four))));
        assertTrue(e.getMessage().contains("zip bomb") && e.getMessage().contains("an entry of"), e.getMessage());
        byte[] two = new byte[2 * 1024 * 1024];
        Path total = zip("total.zip", Map.of("a.csv", two, "b.csv", two, "c.csv", two));
        IOException t = assertThrows(IOException.class, () -> Bundle.open(total));
        assertTrue(t.getMessage().contains("in all"), t.getMessage());
        java.util.Map<String, byte[]> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 11; i++) {
            many.put("f" + i + ".csv", new byte[1]);
        }
        Path manyZip = zip("many.zip", many);
        assertTrue(assertThrows(IOException.class, () -> Bundle.open(manyZip)).getMessage().contains("entries"));
        // within the bounds: read as before
        try (Bundle ok = Bundle.open(zip("ok.zip", Map.of("manifest.csv", "a,b\n".getBytes(StandardCharsets.UTF_8))))) {
            assertEquals(64, ok.fingerprint().length());
        }
    }
}
