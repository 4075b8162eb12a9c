package org.credentialhub.support;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the hub's content fingerprint (files, catalog folders, tokens at rest): a digest and its hex form. */
public final class Sha256 {
    private Sha256() {
    }

    /** A new SHA-256 digest. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The lower-case hex SHA-256 of the bytes. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** The lower-case hex SHA-256 of a file's bytes, read streaming. */
    public static String hex(java.nio.file.Path file) throws java.io.IOException {
        MessageDigest d = digest();
        update(d, file);
        return hex(d);
    }

    /** Adds a file's bytes, read streaming, to a digest. */
    public static void update(MessageDigest d, java.nio.file.Path file) throws java.io.IOException {
        try (java.io.InputStream in = new java.security.DigestInputStream(java.nio.file.Files.newInputStream(file), d)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** The lower-case hex form of a finished digest. */
    public static String hex(MessageDigest finished) {
        return HexFormat.of().formatHex(finished.digest());
    }
}
