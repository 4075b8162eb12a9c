package org.credentialhub.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What {@link StorableValue#characters} says of a text (a NUL, an unpaired surrogate, or nothing) is what a check of
 * every character in turn says, wherever the NUL or the surrogates are: texts of letters, accents, emoji (surrogate
 * pairs), NULs and lone surrogates in every order, drawn at random, and the edge cases written out.
 */
class StorableValueTest {
    private static final String NUL = "holds a NUL character (byte 0), which the database cannot store";
    private static final String UNPAIRED = "holds an unpaired UTF-16 surrogate (not a character)";

    /** Each character in turn: a NUL, a high surrogate without its low one, a low one on its own. */
    private static String expected(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\0') {
                return NUL;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return UNPAIRED;
            }
            if (Character.isLowSurrogate(c)) {
                return UNPAIRED;
            }
        }
        return null;
    }

    @Test
    void aTextIsRefusedForItsFirstNulOrUnpairedSurrogateWhereverItIs() {
        String[] cases = {"", "Ada", "Peña", "\u0000", "a\u0000", "\u0000a", "a\uD83D\uDE00b", "\uD83D\uDE00",
                "\uD83D", "\uDE00", "a\uD83D", "\uDE00a", "\uD83D\uD83D\uDE00", "\uD83D\uDE00\uDE00",
                "\uD83D\uDE00\u0000", "\u0000\uD83D", "\uDBFF\uDFFF", "\uD7FF\uE000", "\uFFFF"};
        for (int k = 0; k < cases.length; k++) {
            assertEquals(expected(cases[k]), StorableValue.characters(cases[k]), "case " + k);
        }
        char[] alphabet = {'a', 'Z', '7', ' ', 'é', '中', '\u0000', '\uD83D', '\uDE00', '\uD7FF', '\uE000', '\uDBFF'};
        Random random = new Random(3);
        for (int t = 0; t < 20_000; t++) {
            char[] text = new char[random.nextInt(12)];
            for (int i = 0; i < text.length; i++) {
                text[i] = alphabet[random.nextInt(random.nextInt(4) == 0 ? alphabet.length : 6)];
            }
            String v = new String(text);
            assertEquals(expected(v), StorableValue.characters(v), "text " + t);
        }
    }
}
