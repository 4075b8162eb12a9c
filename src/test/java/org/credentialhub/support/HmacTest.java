package org.credentialhub.support;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The keyed hashes' two engines ({@link Hmac.Engine}): the platform's Mac and Bouncy Castle's HMac the quick JIT
 * uses give the same HMAC-SHA256, RFC 4231's test vectors among them, so stored hashes never depend on the JIT a
 * process runs.
 */
class HmacTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void theQuickJitEngineGivesRfc4231sVectors() {
        // test case 1: a 20-byte key
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", HEX.formatHex(
                new Hmac.QuickJitHmac(HEX.parseHex("0b".repeat(20))).hash("Hi There".getBytes(StandardCharsets.US_ASCII))));
        // test case 2: a key shorter than a block
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", HEX.formatHex(
                new Hmac.QuickJitHmac("Jefe".getBytes(StandardCharsets.US_ASCII))
                        .hash("what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII))));
        // test case 6: a key longer than a block (hashed first)
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", HEX.formatHex(
                new Hmac.QuickJitHmac(HEX.parseHex("aa".repeat(131)))
                        .hash("Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void bothEnginesAgreeWithThePlatformMacOnAnyKeyAndMessage() throws Exception {
        Random random = new Random(7);
        for (int keyLength : new int[]{16, 32, 63, 64, 65, 200}) {
            byte[] key = new byte[keyLength];
            random.nextBytes(key);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            Hmac hmac = new Hmac(key);
            Hmac.Engine padded = hmac.engine(false);
            Hmac.Engine platform = hmac.engine(true);
            for (int length : new int[]{0, 1, 10, 55, 56, 64, 119, 1000}) {
                byte[] message = new byte[length];
                random.nextBytes(message);
                byte[] expected = mac.doFinal(message);
                assertArrayEquals(expected, padded.hash(message), "padded, key " + keyLength + ", message " + length);
                assertArrayEquals(expected, padded.hash(message), "again (the engine is back at its padded key's state)");
                assertArrayEquals(expected, platform.hash(message), "platform, key " + keyLength + ", message " + length);
                // a message's first bytes, into an array of the caller's
                byte[] longer = java.util.Arrays.copyOf(message, length + 7);
                longer[length] = 1;
                for (Hmac.Engine e : new Hmac.Engine[]{padded, platform}) {
                    byte[] out = new byte[32];
                    e.hash(longer, length, out);
                    assertArrayEquals(expected, out, "the first " + length + " bytes, key " + keyLength);
                }
            }
        }
    }

    @Test
    void theHubsHashesAreTheSameUnderEitherJit() {
        // the values a stored hash has (state ID, its deletion neighbourhood, an identity), whichever engine this
        // JVM picked: computed by hand with the platform's Mac
        Hmac hmac = new Hmac("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        Hmac.Engine platform = hmac.engine(true);
        assertEquals(HEX.formatHex(platform.hash("1234567890".getBytes(StandardCharsets.UTF_8))), hmac.stateId("123-456-7890"));
        StringBuilder near = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            String deleted = "near|" + "1234".substring(0, i) + "1234".substring(i + 1);
            near.append(HEX.formatHex(platform.hash(deleted.getBytes(StandardCharsets.UTF_8)), 0, Hmac.NEAR_HEX / 2));
        }
        assertEquals(near.toString(), hmac.stateIdNear("1234"));
    }

    @Test
    void hashesAreWrittenAsTheJdksHexAndNeighbourhoodsAsTheirEntriesHex() {
        // Hmac.hex (every keyed hash's text) is HexFormat's lowercase hex, and nearText (a roster student's neighbourhood
        // given to a staged row) each entry's 16 hex digits, high first, as stateIdNear writes them; bytes of every value
        Random random = new Random(5);
        for (int t = 0; t < 2_000; t++) {
            byte[] bytes = new byte[t % 70];
            random.nextBytes(bytes);
            if (t < 256 && bytes.length > 0) {
                bytes[0] = (byte) t;
            }
            assertEquals(HEX.formatHex(bytes), Hmac.hex(bytes));
            long[] entries = new long[t % 12];
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < entries.length; i++) {
                entries[i] = i == 0 ? t - 1000L : random.nextLong();
                expected.append(HEX.toHexDigits(entries[i]));
            }
            assertEquals(expected.toString(), Hmac.nearText(entries));
        }
        Hmac hmac = new Hmac("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        assertEquals(HEX.formatHex(hmac.engine(true).hash("identity|ada|lovelace|2008-12-10".getBytes(StandardCharsets.UTF_8))),
                hmac.identity(" Ada", "LOVELACE ", java.time.LocalDate.of(2008, 12, 10)));
    }

    @Test
    void aStateIdsNeighbourhoodIsEachDeletionsHashWhateverItsCharacters() {
        // each entry the hash of the ID without its i-th character (UTF-16 char, as String.substring deletes it),
        // written out the plain way; IDs of ASCII (read byte by byte), of other characters and of surrogate pairs
        Hmac hmac = new Hmac("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        Hmac.Engine platform = hmac.engine(true);
        Random random = new Random(11);
        String[] alphabets = {"0123456789", "0123456789ABCDEFXYZabz", "0123456789é中", "01\uD83D\uDE00x"};
        for (int t = 0; t < 2_000; t++) {
            String alphabet = alphabets[t % alphabets.length];
            StringBuilder id = new StringBuilder();
            for (int i = random.nextInt(14); i > 0; i--) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
                if (random.nextInt(8) == 0) {
                    id.append("- .".charAt(random.nextInt(3)));   // separators, left out first
                }
            }
            String normalized = id.toString().replaceAll("[- .]", "");
            String expected = null;
            if (normalized.length() >= 2) {
                StringBuilder near = new StringBuilder();
                for (int i = 0; i < normalized.length(); i++) {
                    String deleted = "near|" + normalized.substring(0, i) + normalized.substring(i + 1);
                    near.append(HEX.formatHex(platform.hash(deleted.getBytes(StandardCharsets.UTF_8)), 0, Hmac.NEAR_HEX / 2));
                }
                expected = near.toString();
            }
            assertEquals(expected, hmac.stateIdNear(id.toString()), id.toString());
        }
    }

    @Test
    void aStateIdIsHashedWithoutItsSeparatorsWhicheverTheyAre() {
        // (the IDs without any are hashed as they are, without the pattern's matcher: the same hashes)
        Hmac hmac = new Hmac("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        String plain = hmac.stateId("1234567890");
        for (String written : new String[] {"123-456-7890", "123.456.7890", " 1234567890 ", "12\t34\n56\u000B78\f90\r",
                "1-2.3 4567890"}) {
            assertEquals(plain, hmac.stateId(written), written);
            assertEquals(hmac.stateIdNear("1234567890"), hmac.stateIdNear(written), written);
        }
        assertEquals(null, hmac.stateId(" -. "));
        // a character the pattern does not take out stays (U+00A0 is not among \\s without Unicode classes)
        assertEquals(false, plain.equals(hmac.stateId("12345\u00A067890")));
    }

    /**
     * A vendor's identity hash is read as the form {@code (?i)(sha256|md5)\$([0-9a-f]+)} says (the regular expression
     * it was read with before), with 64 or 32 hex digits: the same texts refused, and the same hash read from every
     * text taken, whatever the case of its letters and the blanks around it. Unicode's case folding does not make
     * another letter one of the form's ({@code ſ}, the Kelvin sign, a dotted capital I).
     */
    @Test
    void identityHashesAreReadAsTheirFormSays() {
        java.util.regex.Pattern form = java.util.regex.Pattern.compile("(?i)(sha256|md5)\\$([0-9a-f]+)");
        String[] prefixes = {"sha256$", "SHA256$", "Sha256$", "md5$", "MD5$", "mD5$", "\u017fha256$", "sha256",
                "md5", "sha-256$", "sha256$$", "m\u212a5$", "\u0130d5$", "sha256 $", " sha256$", "md5$sha256$", ""};
        String hex = "0123456789abcdefABCDEF";
        Random r = new Random(51);
        int taken = 0;
        for (int k = 0; k < 50_000; k++) {
            StringBuilder b = new StringBuilder(prefixes[r.nextInt(prefixes.length)]);
            int n = r.nextInt(4) == 0 ? r.nextInt(70) : r.nextBoolean() ? 64 : 32;
            for (int i = 0; i < n; i++) {
                b.append(r.nextInt(60) == 0 ? "g $\u0661\uff10".charAt(r.nextInt(5)) : hex.charAt(r.nextInt(hex.length())));
            }
            String text = (r.nextInt(5) == 0 ? " \t\u2003" : "") + b + (r.nextInt(5) == 0 ? "\n " : "");
            String salt = r.nextBoolean() ? null : "s" + r.nextInt(10);
            java.util.regex.Matcher m = form.matcher(text.strip());
            boolean sha = m.matches() && m.group(1).equalsIgnoreCase("sha256");
            boolean valid = m.matches() && m.group(2).length() == (sha ? 64 : 32);
            Hmac.SaltedHash parsed = Hmac.SaltedHash.parse(text, salt);
            assertEquals(valid, parsed != null, text);
            assertEquals(valid, Hmac.SaltedHash.isIdentityHash(text), text);
            if (valid) {
                // the hash the form's lowercase text names, read as the regular expression's groups gave it
                assertEquals(Hmac.SaltedHash.parse((sha ? "sha256$" : "md5$")
                        + m.group(2).toLowerCase(java.util.Locale.ROOT), salt), parsed, text);
                taken++;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(taken > 2_500, "hashes read: " + taken);
        // the digits decoded to the hash's bytes, whatever their case: real hashes of values, their letters' case
        // changed at random, still match their values (and not another's)
        for (int k = 0; k < 2_000; k++) {
            String value = "value " + k;
            char[] c = Hmac.SaltedHash.of(value, "s" + k).toCharArray();
            for (int i = 0; i < c.length; i++) {
                c[i] = r.nextBoolean() ? Character.toUpperCase(c[i]) : c[i];
            }
            Hmac.SaltedHash h = Hmac.SaltedHash.parse(" " + new String(c) + "\t", "s" + k);
            org.junit.jupiter.api.Assertions.assertTrue(h.matches(value), new String(c));
            assertEquals(false, h.matches("value " + (k + 1)));
        }
        assertEquals(null, Hmac.SaltedHash.parse(null, "s"));
        assertEquals(false, Hmac.SaltedHash.isIdentityHash(null));
        // a hash read from text is the one SaltedHash.of wrote
        String written = Hmac.SaltedHash.of("Ana Pe\u00f1a", "s5");
        org.junit.jupiter.api.Assertions.assertTrue(Hmac.SaltedHash.parse(" " + written.toUpperCase(java.util.Locale.ROOT)
                .replace("SHA256$", "Sha256$") + " ", "s5").matches("Ana Pe\u00f1a"));
    }
}
