package org.credentialhub.accounts;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Password hashing with Argon2id, stored in the PHC string format {@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}.
 * New hashes take this instance's cost (by default OWASP's 19 MiB, 2 iterations, 1 lane: {@link #owasp()}; set by
 * {@code hub.web.password.argon2.*}); a stored hash is verified at the cost written in it, so changing the cost
 * never locks anyone out.
 */
public final class Passwords {
    /** OWASP's Password Storage Cheat Sheet: 19 MiB, two passes, one lane. */
    public static final int OWASP_MEMORY_KB = 19456;
    public static final int OWASP_ITERATIONS = 2;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final Passwords OWASP = new Passwords(OWASP_MEMORY_KB, OWASP_ITERATIONS, 1);

    private final int memoryKb;
    private final int iterations;
    private final int parallelism;
    /** Compared against when the user does not exist, so a sign-in costs as much either way (made on first use). */
    private volatile String dummy;

    /**
     * @param memoryKb    memory per hash in KiB (at least 8 × parallelism)
     * @param iterations  passes over the memory (at least 1)
     * @param parallelism lanes (at least 1)
     */
    public Passwords(int memoryKb, int iterations, int parallelism) {
        if (parallelism < 1 || iterations < 1 || memoryKb < 8 * parallelism) {
            throw new IllegalArgumentException("Argon2id needs at least 1 lane, 1 iteration and 8 KiB of memory a lane"
                    + " (hub.web.password.argon2.*: memory-kb " + memoryKb + ", iterations " + iterations
                    + ", parallelism " + parallelism + ")");
        }
        this.memoryKb = memoryKb;
        this.iterations = iterations;
        this.parallelism = parallelism;
    }

    /** The recommended cost ({@link #OWASP_MEMORY_KB}, {@link #OWASP_ITERATIONS}, one lane). */
    public static Passwords owasp() {
        return OWASP;
    }

    /**
     * The cost {@code hub.web.password.argon2.memory-kb}, {@code .iterations} and {@code .parallelism} give (each
     * read with its default through {@code getInt}); a warning when it is below OWASP's recommendation.
     */
    public static Passwords configured(java.util.function.ToIntBiFunction<String, Integer> getInt) {
        Passwords p = new Passwords(getInt.applyAsInt("hub.web.password.argon2.memory-kb", OWASP_MEMORY_KB),
                getInt.applyAsInt("hub.web.password.argon2.iterations", OWASP_ITERATIONS),
                getInt.applyAsInt("hub.web.password.argon2.parallelism", 1));
        if (p.belowRecommendation()) {
            org.slf4j.LoggerFactory.getLogger(Passwords.class).warn("hub.web.password.argon2.* is below OWASP's"
                    + " recommended cost (m={}, t={}): new passwords are stored with a weak hash", p.memoryKb, p.iterations);
        }
        return p;
    }

    /**
     * True when this cost is below OWASP's least recommended one for its memory: OWASP's settings trade memory
     * for passes at 35,840 KiB-passes or more (19 MiB × 2, 12 MiB × 3, 9 MiB × 4, 7 MiB × 5, 46 MiB × 1).
     */
    public boolean belowRecommendation() {
        return memoryKb < 7168 || (long) memoryKb * iterations < 35_840;
    }

    public String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] out = derive(password, salt, memoryKb, iterations, parallelism, 32);
        return "$argon2id$v=19$m=" + memoryKb + ",t=" + iterations + ",p=" + parallelism + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
    }

    /** Whether the password is the one the stored hash was made from (at the stored hash's own cost). */
    public boolean verify(String password, String stored) {
        if (stored == null) {
            burn(password);
            return false;
        }
        String[] parts = stored.split("\\$");
        if (parts.length != 6 || !"argon2id".equals(parts[1])) {
            return false;
        }
        int m = 0;
        int t = 0;
        int p = 0;
        for (String kv : parts[3].split(",")) {
            String[] x = kv.split("=");
            switch (x[0]) {
                case "m" -> m = Integer.parseInt(x[1]);
                case "t" -> t = Integer.parseInt(x[1]);
                case "p" -> p = Integer.parseInt(x[1]);
                default -> {
                    return false;
                }
            }
        }
        byte[] salt = B64D.decode(parts[4]);
        byte[] expected = B64D.decode(parts[5]);
        byte[] actual = derive(password, salt, m, t, p, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** A hash's worth of work for a sign-in of an account that does not exist. */
    public void burn(String password) {
        String d = dummy;
        if (d == null) {
            d = hash("not-a-password-" + RANDOM.nextLong());
            dummy = d;
        }
        verify(password, d);
    }

    private static byte[] derive(String password, byte[] salt, int m, int t, int p, int len) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(m).withIterations(t).withParallelism(p).withSalt(salt).build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(params);
        byte[] out = new byte[len];
        gen.generateBytes(password.toCharArray(), out);
        return out;
    }

    /** A random password people can type: 16 characters without look-alikes. */
    public static String generate() {
        String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
