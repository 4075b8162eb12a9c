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

/** Zip bombs: bundles and workbooks that expand beyond the bounds are refused clearly, before being read whole. */
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

    @Test
    void workbookBeyondTheRatioIsRefused() throws Exception {
        byte[] book;
        try (var wb = new org.apache.poi.xssf.usermodel.XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            wb.createSheet("s").createRow(0).createCell(0).setCellValue("x");
            wb.write(out);
            book = out.toByteArray();
        }
        // the same workbook with 20 MB of blanks inside its sheet (valid XML, ~20 KB compressed)
        Path bomb = dir.resolve("bomb.xlsx");
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(book));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bomb))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] content = in.readAllBytes();
                out.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().startsWith("xl/worksheets/")) {
                    String xml = new String(content, StandardCharsets.UTF_8);
                    int at = xml.indexOf("?>") + 2;
                    out.write(xml.substring(0, at).getBytes(StandardCharsets.UTF_8));
                    out.write(" ".repeat(20 * 1024 * 1024).getBytes(StandardCharsets.US_ASCII));
                    out.write(xml.substring(at).getBytes(StandardCharsets.UTF_8));
                } else {
                    out.write(content);
                }
                out.closeEntry();
            }
        }
        ZipBounds.configure(ZipBounds.Limits.defaults());
        Exception e = assertThrows(Exception.class, () -> {
            try (var pkg = org.apache.poi.openxml4j.opc.OPCPackage.open(bomb.toFile(),
                    org.apache.poi.openxml4j.opc.PackageAccess.READ);
                 var sheet = new org.apache.poi.xssf.eventusermodel.XSSFReader(pkg).getSheetsData().next()) {
                sheet.transferTo(OutputStream.nullOutputStream());
            }
        });
        String why = String.valueOf(e.getMessage()) + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
        assertTrue(why.toLowerCase().contains("zip bomb"), why);
    }
}
