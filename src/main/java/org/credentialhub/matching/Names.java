package org.credentialhub.matching;

import java.text.Normalizer;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Normalisation of names, places and dates, and a small built-in nickname table. */
public final class Names {
    private Names() {
    }

    /** Lower-case ASCII letters only (accents folded, spaces/hyphens/apostrophes dropped); null if nothing is left. */
    public static String normalizeName(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = null;
        int n = s.length();
        boolean plain = true;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 'a' || c > 'z') {
                plain = false;
                break;
            }
        }
        if (plain) {
            return n == 0 ? null : s;
        }
        String t = s;
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) > 127) {
                t = Normalizer.normalize(s, Normalizer.Form.NFD);
                break;
            }
        }
        b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c >= 'a' && c <= 'z') {
                b.append(c);
            } else if (c >= 'A' && c <= 'Z') {
                b.append((char) (c + 32));
            }
        }
        return b.length() == 0 ? null : b.toString();
    }

    private static final java.util.Set<String> SURNAME_PARTICLES = java.util.Set.of("de", "del", "della", "der", "den",
            "di", "da", "das", "dos", "du", "la", "le", "van", "von", "st", "st.", "mac", "bin", "al", "el", "y");
    private static final java.util.Set<String> SUFFIXES = java.util.Set.of("jr", "jr.", "sr", "sr.", "ii", "iii", "iv");

    /**
     * Splits a whole name as one value ({@code Ana Peña}, {@code Ana María de la Cruz}, {@code Peña, Ana}) into
     * {first, last}, the way the matcher compares them: {@code Last, First} at the comma; otherwise the first word is
     * the first name and the last word, with the particles before it ({@code de la}, {@code van}), the last name;
     * middle names and suffixes ({@code Jr.}, {@code III}) are dropped. A single word is a last name. Null parts when
     * nothing is there.
     */
    public static String[] split(String full) {
        if (full == null || full.isBlank()) {
            return new String[2];
        }
        int comma = full.indexOf(',');
        if (comma >= 0) {
            String last = full.substring(0, comma).strip();
            String[] rest = full.substring(comma + 1).strip().split("\\s+");
            return new String[] {rest[0].isEmpty() ? null : rest[0], last.isEmpty() ? null : last};
        }
        List<String> words = new java.util.ArrayList<>(List.of(full.strip().split("\\s+")));
        while (words.size() > 1 && SUFFIXES.contains(words.get(words.size() - 1).toLowerCase(java.util.Locale.ROOT))) {
            words.remove(words.size() - 1);
        }
        if (words.size() == 1) {
            return new String[] {null, words.get(0)};
        }
        int start = words.size() - 1;
        while (start > 1 && SURNAME_PARTICLES.contains(words.get(start - 1).toLowerCase(java.util.Locale.ROOT))) {
            start--;
        }
        return new String[] {words.get(0), String.join(" ", words.subList(start, words.size()))};
    }

    /** Trimmed, lower-cased, inner whitespace collapsed; null if blank. */
    public static String normalizePlace(String s) {
        if (s == null) {
            return null;
        }
        String t = s.trim();
        if (t.isEmpty()) {
            return null;
        }
        t = t.toLowerCase(java.util.Locale.ROOT);
        // collapse runs of whitespace (regex \s: space, \t, \n, \u000B, \f, \r) to one space, without a regex
        int n = t.length();
        boolean collapse = false;
        for (int i = 0; i < n && !collapse; i++) {
            char c = t.charAt(i);
            collapse = isSpace(c) && (c != ' ' || (i + 1 < n && isSpace(t.charAt(i + 1))));
        }
        if (!collapse) {
            return t;
        }
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = t.charAt(i);
            if (isSpace(c)) {
                if (i == 0 || !isSpace(t.charAt(i - 1))) {
                    b.append(' ');
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** Date as yyyymmdd int, 0 for null. */
    public static int dateToInt(LocalDate d) {
        return d == null ? 0 : d.getYear() * 10000 + d.getMonthValue() * 100 + d.getDayOfMonth();
    }

    // ---- nicknames -------------------------------------------------------------------------------------------
    private static final String[] NICK_GROUPS = {
        "robert rob bob bobby robbie robby bert",
        "william will bill billy willie willy liam",
        "richard rick ricky rich richie dick",
        "james jim jimmy jamie",
        "john jack johnny jon",
        "jonathan jon jonny john",
        "joseph joe joey",
        "michael mike mikey mick micky",
        "christopher chris topher kit",
        "christian chris",
        "christina chris tina christy",
        "christine chris tina christy",
        "thomas tom tommy",
        "daniel dan danny",
        "david dave davey",
        "matthew matt matty",
        "anthony tony ant",
        "andrew andy drew",
        "alexander alex al xander sasha lex",
        "alexandra alex lexi sasha sandra",
        "alexis alex lexi",
        "benjamin ben benji benny",
        "nicholas nick nicky nico",
        "nicole nicky nikki",
        "samuel sam sammy",
        "samantha sam sammy",
        "zachary zach zack zak",
        "joshua josh",
        "jacob jake",
        "nathaniel nate nathan nat",
        "nathan nate",
        "edward ed eddie ted ned",
        "edwin ed eddie",
        "charles charlie chuck chas",
        "charlotte charlie lottie",
        "henry hank harry hal",
        "harold harry hal",
        "elizabeth liz lizzie beth betty eliza libby elise",
        "katherine kate katie kathy kat kay",
        "catherine cathy cate katie kate",
        "kathryn kate katie kathy",
        "margaret maggie meg peggy marge",
        "jennifer jen jenny",
        "jessica jess jessie",
        "rebecca becky becca",
        "victoria vicky tori",
        "abigail abby abbie gail",
        "gabriel gabe",
        "gabriella gabby ella",
        "gabrielle gabby elle",
        "isabella bella izzy isa",
        "isabel bella izzy",
        "olivia liv livvy",
        "madison maddie maddy",
        "madeline maddie maddy",
        "emily em emmy",
        "emma em emmy",
        "patricia pat patty trish",
        "patrick pat paddy",
        "stephen steve stevie",
        "steven steve stevie",
        "timothy tim timmy",
        "kenneth ken kenny",
        "ronald ron ronnie",
        "donald don donnie",
        "gregory greg",
        "jeffrey jeff",
        "raymond ray",
        "lawrence larry",
        "peter pete",
        "frederick fred freddie",
        "theodore theo ted teddy",
        "vincent vince vinny",
        "dominic dom",
        "maximilian max",
        "maxwell max",
        "tobias toby",
        "elijah eli",
        "jeremiah jerry",
        "gerald jerry",
        "francisco frank paco pancho",
        "francis frank fran",
        "franklin frank",
        "jose pepe",
        "guillermo memo",
        "alejandro alex ale",
        "eduardo eddie lalo",
        "manuel manny",
        "susan sue susie",
        "deborah deb debbie",
        "dorothy dot dottie",
        "jacqueline jackie",
        "josephine josie jo",
        "pamela pam",
        "sandra sandy",
        "cynthia cindy",
        "melissa mel missy",
        "melanie mel",
        "kimberly kim",
        "amanda mandy",
        "natalie nat",
        "valerie val",
        "angela angie",
        "veronica ronnie",
        "jasmine jazz jaz",
        "savannah savvy",
        "anthony anton",
        "mitchell mitch",
        "douglas doug",
        "leonard leo len lenny",
        "leonardo leo",
        "austin aus",
        "cameron cam",
        "dylan dill",
    };
    private static final Map<String, long[]> NICK = new HashMap<>();

    static {
        for (int g = 0; g < NICK_GROUPS.length; g++) {
            for (String name : NICK_GROUPS[g].split(" ")) {
                long[] bits = NICK.computeIfAbsent(name, k -> new long[(NICK_GROUPS.length + 63) / 64]);
                bits[g >>> 6] |= 1L << (g & 63);
            }
        }
    }

    /** True when the two (normalised) first names are different forms of one name, e.g. robert / bob. */
    public static boolean isNickname(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return isNickname(nicknameGroups(a), nicknameGroups(b));
    }

    /** The nickname groups a normalised name belongs to (one bit a group), or null when none. */
    static long[] nicknameGroups(String name) {
        return name == null ? null : NICK.get(name);
    }

    /** {@link #isNickname(String, String)} of two names' {@link #nicknameGroups}. */
    static boolean isNickname(long[] x, long[] y) {
        if (x == null || y == null) {
            return false;
        }
        for (int i = 0; i < x.length; i++) {
            if ((x[i] & y[i]) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Built-in nickname pairs (for synthetic data): canonical name → its short forms. */
    static Map<String, String[]> nicknameGroups() {
        Map<String, String[]> m = new HashMap<>();
        for (String g : NICK_GROUPS) {
            String[] p = g.split(" ");
            m.putIfAbsent(p[0], java.util.Arrays.copyOfRange(p, 1, p.length));
        }
        return m;
    }
}
