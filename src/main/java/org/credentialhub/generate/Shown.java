package org.credentialhub.generate;

import java.time.LocalDate;
import java.util.SplittableRandom;

/** How one result record presents its student: the ID, names and birth date the vendor received, with noise. */
final class Shown {

    /**
     * Probabilities (per thousand) of one feed's identifiers. {@code landedId}: the state ID typed with one digit wrong
     * or two adjacent digits swapped so that it is another roster student's ID (taken from the rows that would
     * otherwise carry no ID).
     */
    record Profile(int stateId, int localId, int mistypedId, int birthMissing, int nameNoise, boolean keepsAccents,
                   int landedId) {
        Profile(int stateId, int localId, int mistypedId, int birthMissing, int nameNoise, boolean keepsAccents) {
            this(stateId, localId, mistypedId, birthMissing, nameNoise, keepsAccents, 0);
        }
    }

    String id = "";
    boolean idCorrect;
    /** The ID is another roster student's (a typo landing on it). */
    boolean landed;
    boolean localId;
    String first;
    String last;
    String middle;
    LocalDate birth;
    /** A version the vendor replaced by an identity-changing correction (IdentityCorrections): decided by nobody. */
    boolean replaced;
    /** A later version of an attempt that the vendor corrected: the hub may hold it for review, a district decides it. */
    boolean corrected;

    static Shown of(Roster r, int p, Profile prof, SplittableRandom rnd) {
        Shown s = new Shown();
        boolean onRoster = p < r.rosterSize;
        int x = rnd.nextInt(1000);
        if (!onRoster) {
            if (x < prof.localId()) {
                s.id = r.localId[p];
                s.localId = true;
            }
        } else if (x < prof.stateId()) {
            s.id = r.stateId[p];
            s.idCorrect = true;
        } else if (x < prof.stateId() + prof.localId()) {
            s.id = r.localId[p];
            s.localId = true;
        } else if (x < prof.stateId() + prof.localId() + prof.mistypedId()) {
            s.id = mistype(r, r.stateId[p], rnd);
        } else if (x < prof.stateId() + prof.localId() + prof.mistypedId() + prof.landedId()) {
            s.id = landOnAnother(r, p, rnd);
            s.landed = !s.id.equals(r.stateId[p]);
        }
        s.first = r.first[p];
        s.last = r.last[p];
        s.middle = r.middle[p];
        s.birth = rnd.nextInt(1000) < prof.birthMissing() ? null : r.birth[p];
        if (!prof.keepsAccents() || rnd.nextInt(2) == 0) {
            s.first = Names.ascii(s.first);
            s.last = Names.ascii(s.last);
        }
        if (rnd.nextInt(1000) < prof.nameNoise()) {
            switch (rnd.nextInt(6)) {
                case 0 -> {
                    String nick = Names.NICKNAMES.get(Names.ascii(s.first));
                    s.first = nick != null ? nick : Names.typo(s.first, rnd);
                }
                case 1 -> s.first = Names.typo(s.first, rnd);
                case 2 -> s.last = Names.typo(s.last, rnd);
                case 3 -> {
                    String t = s.first;
                    s.first = s.last;
                    s.last = t;
                }
                case 4 -> {
                    s.first = s.first.toUpperCase();
                    s.last = s.last.toUpperCase();
                }
                default -> {
                    s.first = s.first.toLowerCase();
                    s.last = s.last.toLowerCase();
                }
            }
        }
        if (s.birth != null && rnd.nextInt(1000) < 30) {
            LocalDate b = s.birth;
            if (b.getDayOfMonth() <= 12 && b.getDayOfMonth() != b.getMonthValue()) {
                s.birth = LocalDate.of(b.getYear(), b.getDayOfMonth(), b.getMonthValue());
            } else {
                s.birth = b.plusYears(rnd.nextBoolean() ? 1 : -1);
            }
        }
        return s;
    }

    /** Clean copy (a later correction by the vendor). */
    static Shown clean(Roster r, int p) {
        Shown s = new Shown();
        s.id = p < r.rosterSize ? r.stateId[p] : "";
        s.idCorrect = p < r.rosterSize;
        s.first = r.first[p];
        s.last = r.last[p];
        s.middle = r.middle[p];
        s.birth = r.birth[p];
        return s;
    }

    /**
     * The student's state ID with one digit changed or two adjacent digits swapped so that it is another roster
     * student's ID, chosen at random among those one edit away (half the time among those with the same first name,
     * if any); a plain mistype when there is none.
     */
    static String landOnAnother(Roster r, int p, SplittableRandom rnd) {
        String id = r.stateId[p];
        java.util.List<String> near = new java.util.ArrayList<>();
        char[] c = id.toCharArray();
        for (int i = 1; i < c.length; i++) {
            char was = c[i];
            for (char d = '0'; d <= '9'; d++) {
                if (d != was) {
                    c[i] = d;
                    addIfOtherStudent(r, p, new String(c), near);
                }
            }
            c[i] = was;
            if (i + 1 < c.length && c[i] != c[i + 1]) {
                c[i] = c[i + 1];
                c[i + 1] = was;
                addIfOtherStudent(r, p, new String(c), near);
                c[i + 1] = c[i];
                c[i] = was;
            }
        }
        if (near.isEmpty()) {
            return mistype(r, id, rnd);
        }
        // half of them on a student with the same first name when there is one: the case that goes wrong when a
        // first name is taken to confirm an ID
        if (rnd.nextBoolean()) {
            java.util.List<String> sameFirst = near.stream()
                    .filter(x -> Names.ascii(r.first[r.idOwner.get(x)]).equalsIgnoreCase(Names.ascii(r.first[p])))
                    .toList();
            if (!sameFirst.isEmpty()) {
                return sameFirst.get(rnd.nextInt(sameFirst.size()));
            }
        }
        return near.get(rnd.nextInt(near.size()));
    }

    private static void addIfOtherStudent(Roster r, int p, String id, java.util.List<String> out) {
        Integer owner = r.idOwner.get(id);
        if (owner != null && owner != p && owner < r.rosterSize) {
            out.add(id);
        }
    }

    /** A state ID with one digit wrong or two swapped, never another roster student's ID. */
    static String mistype(Roster r, String id, SplittableRandom rnd) {
        for (int tries = 0; ; tries++) {
            char[] c = id.toCharArray();
            int i = rnd.nextInt(c.length - 1);
            if (rnd.nextBoolean() && c[i] != c[i + 1]) {
                char t = c[i];
                c[i] = c[i + 1];
                c[i + 1] = t;
            } else {
                c[i + 1] = (char) ('0' + (c[i + 1] - '0' + 1 + rnd.nextInt(9)) % 10);
            }
            String s = new String(c);
            if (c[0] != '0' && !r.allIds.contains(s) || tries > 20) {
                return s.equals(id) ? id.substring(0, 9) : s;
            }
        }
    }

    boolean needsDecision() {
        return !replaced && (!idCorrect || corrected);
    }
}
