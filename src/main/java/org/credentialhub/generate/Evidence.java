package org.credentialhub.generate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Tiny but valid evidence files: a one-page PDF with a line of text, a 1x1 PNG. */
final class Evidence {

    private Evidence() { }

    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    static byte[] png() {
        return PNG.clone();
    }

    static byte[] pdf(String text) {
        String[] objects = {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R "
                + "/Resources << /Font << /F1 5 0 R >> >> >>",
            null,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
        };
        String stream = "BT /F1 12 Tf 20 50 Td (" + text.replace("(", "").replace(")", "") + ") Tj ET";
        objects[3] = "<< /Length " + stream.length() + " >>\nstream\n" + stream + "\nendstream";
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        StringBuilder s = new StringBuilder("%PDF-1.4\n");
        int[] offsets = new int[objects.length];
        for (int i = 0; i < objects.length; i++) {
            offsets[i] = s.length();
            s.append(i + 1).append(" 0 obj\n").append(objects[i]).append("\nendobj\n");
        }
        int xref = s.length();
        s.append("xref\n0 ").append(objects.length + 1).append("\n0000000000 65535 f \n");
        for (int o : offsets) {
            s.append(String.format("%010d 00000 n \n", o));
        }
        s.append("trailer\n<< /Size ").append(objects.length + 1).append(" /Root 1 0 R >>\nstartxref\n")
                .append(xref).append("\n%%EOF\n");
        byte[] bytes = s.toString().getBytes(StandardCharsets.US_ASCII);
        b.writeBytes(bytes);
        return b.toByteArray();
    }
}
