package org.credentialhub.accounts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which passwords the hub accepts, after NIST SP 800-63B (5.1.1.2): at least {@code minLength} and at most
 * {@code maxLength} characters (the maximum is checked before anything is hashed: a password is hashed with
 * Argon2id, which costs time per character), any characters including spaces, and none that is on the list of
 * common passwords shipped with the hub ({@code security/common-passwords.txt}, plus an optional file of one's
 * own), repetitive or sequential ({@code aaaaaaaaaaaa}, {@code 123456789012}, {@code qwertyuiop...}), or that
 * contains the user name. No composition rules, no expiry. Refusals never repeat the password.
 */
public final class PasswordPolicy {
    public static final int DEFAULT_MIN = 12;
    public static final int DEFAULT_MAX = 128;
    private static final String[] SEQUENCES = {
            "01234567890123456789", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
            "qwertyuiopasdfghjklzxcvbnm", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
            "qazwsxedcrfvtgbyhnujmikolp", "1234567890qwertyuiopasdfghjklzxcvbnm"};

    private final int minLength;
    private final int maxLength;
    private final Set<String> denied;

    public PasswordPolicy(int minLength, int maxLength, Path extraDenyList) {
        if (minLength < 8 || maxLength < 64 || maxLength < minLength) {
            throw new IllegalArgumentException("passwords need a minimum of at least 8 and a maximum of at least 64 characters");
        }
        this.minLength = minLength;
        this.maxLength = maxLength;
        Set<String> d = new HashSet<>();
        try (InputStream in = PasswordPolicy.class.getResourceAsStream("/security/common-passwords.txt")) {
            if (in == null) {
                throw new IllegalStateException("security/common-passwords.txt is missing from the class path");
            }
            read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), d);
            if (extraDenyList != null) {
                try (BufferedReader r = Files.newBufferedReader(extraDenyList, StandardCharsets.UTF_8)) {
                    read(r, d);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.denied = Set.copyOf(d);
    }

    public static PasswordPolicy defaults() {
        return new PasswordPolicy(DEFAULT_MIN, DEFAULT_MAX, null);
    }

    private static void read(BufferedReader r, Set<String> into) throws IOException {
        for (String line; (line = r.readLine()) != null; ) {
            String s = line.trim().toLowerCase(Locale.ROOT);
            if (!s.isEmpty() && !s.startsWith("#")) {
                into.add(s);
            }
        }
    }

    public int maxLength() {
        return maxLength;
    }

    /** True when the password is too long to be hashed at all (so it can never be right). */
    public boolean tooLong(String password) {
        return password != null && password.length() > maxLength;
    }

    /** Refuses (IllegalArgumentException, without the password in the message) a password the hub does not accept. */
    public void check(String username, String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("a password is required");
        }
        if (password.length() > maxLength) {
            throw new IllegalArgumentException("a password has at most " + maxLength + " characters");
        }
        if (password.codePointCount(0, password.length()) < minLength) {
            throw new IllegalArgumentException("a password has at least " + minLength + " characters");
        }
        String p = password.toLowerCase(Locale.ROOT);
        if (username != null && username.length() >= 3 && p.contains(username.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("a password must not contain the user name");
        }
        if (p.chars().distinct().count() < 4) {
            throw new IllegalArgumentException("the password is too repetitive; choose a longer phrase");
        }
        String compact = p.replaceAll("[\\s._-]", "");
        for (String seq : SEQUENCES) {
            String reversed = new StringBuilder(seq).reverse().toString();
            if (seq.contains(compact) || reversed.contains(compact)) {
                throw new IllegalArgumentException("the password is a keyboard or alphabet sequence; choose a phrase");
            }
        }
        String stripped = p.replaceAll("^[0-9]+", "").replaceAll("[0-9\\p{Punct}\\s]+$", "");
        if (denied.contains(p) || denied.contains(compact) || denied.contains(stripped)
                || denied.contains(stripped.replaceAll("[\\s._-]", ""))) {
            throw new IllegalArgumentException("the password is on the list of common passwords; choose another");
        }
    }
}
