package org.credentialhub.matching;

import org.credentialhub.support.Hmac;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Identities a vendor sent hashed with a salt (Open Badges 3.0 {@code IdentityObject} with {@code hashed: true}: a whole
 * name, a birth date), which the hub cannot read back. They are compared the only way they can be: the roster students
 * the matcher would weigh for the row anyway (the state ID's students and the blocked candidates of its plain fields)
 * have their name and birth date hashed the same way, with the sent salt ({@link Hmac.SaltedHash}), in a few written
 * forms ({@code Ana Peña}, {@code ana pena}, {@code Peña, Ana}...; {@code 2007-05-01}, {@code 20070501},
 * {@code 05/01/2007}). The outcome becomes plain evidence the tiers already weigh, before they run:
 * <ul>
 *   <li>one candidate agrees on every hashed field: the row takes that student's name and birth date (where it has
 *       none of its own), as if the vendor had sent them plain;</li>
 *   <li>otherwise, the state ID's student agrees on some: the row takes those fields from that student (the ID is
 *       corroborated, as a plain name or birth date would);</li>
 *   <li>otherwise, when the ID's student agrees on none and the row has no plain name or birth date: the ID is not
 *       trusted (another student's name and birth date came with it) and the row is matched as if it had no ID.</li>
 * </ul>
 * The candidates' plain values are fetched for the comparison and dropped with the batch; nothing is stored or logged.
 * Called once per batch by {@link DeliveryMatcher}.
 */
public final class HashedIdentity {
    private static final DateTimeFormatter MDY = DateTimeFormatter.ofPattern("MM/dd/uuuu");
    private static final DateTimeFormatter YMD = DateTimeFormatter.ofPattern("uuuuMMdd");

    private HashedIdentity() {
    }

    /** What a row sent hashed: the whole name and the birth date, each with its salt (null: not sent). */
    public record Sent(Hmac.SaltedHash name, Hmac.SaltedHash birthDate) {
        /** From the stored columns; null when nothing usable was sent. */
        public static Sent of(String nameHash, String nameSalt, String birthDateHash, String birthDateSalt) {
            Hmac.SaltedHash n = Hmac.SaltedHash.parse(nameHash, nameSalt);
            Hmac.SaltedHash d = Hmac.SaltedHash.parse(birthDateHash, birthDateSalt);
            return n == null && d == null ? null : new Sent(n, d);
        }

        @Override
        public String toString() {
            return "Sent";
        }
    }

    /** What resolving a batch did (counts only). */
    public record Counts(int rows, int resolved, int idsDistrusted) {
    }

    /**
     * Resolves the hashed identities of a batch in place (the rows with nothing hashed are kept as they are).
     *
     * @param sent     what each row (by result id) sent hashed; rows absent here sent nothing hashed
     * @param students the plain name and birth date of roster students by roster id (asked once for the batch)
     */
    public static Counts resolve(RosterIndex index, List<ResultRecord> batch, Map<Long, Sent> sent, int maxBlock,
                                 Function<Collection<Long>, Map<Long, RosterRecord>> students) {
        if (sent.isEmpty()) {
            return new Counts(0, 0, 0);
        }
        // 1. the candidates the matcher would weigh for each row: the ID's students and the blocked ones
        RosterIndex.Scratch scratch = new RosterIndex.Scratch();
        int[] idRows = new int[16];
        List<long[]> candidates = new ArrayList<>(batch.size());
        List<long[]> idStudents = new ArrayList<>(batch.size());
        Set<Long> all = new HashSet<>();
        for (ResultRecord r : batch) {
            if (!sent.containsKey(r.id())) {
                candidates.add(null);
                idStudents.add(null);
                continue;
            }
            Probe p = index.probe(r);
            int k = index.rowsWithStateId(p.idFp, idRows);
            long[] byId = new long[k];
            LinkedHashSet<Long> ids = new LinkedHashSet<>();
            for (int i = 0; i < k; i++) {
                byId[i] = index.idAt(idRows[i]);
                ids.add(byId[i]);
            }
            if (r.firstName() != null || r.lastName() != null || r.birthDate() != null) {
                index.candidates(p, maxBlock, scratch);
                for (int i = 0; i < scratch.count; i++) {
                    ids.add(index.idAt(scratch.rows[i]));
                }
            }
            long[] c = ids.stream().mapToLong(Long::longValue).toArray();
            candidates.add(c);
            idStudents.add(byId);
            all.addAll(ids);
        }
        Map<Long, RosterRecord> plain = all.isEmpty() ? Map.of() : students.apply(all);
        // 2. compare, and turn the outcome into plain evidence
        int rows = 0;
        int resolved = 0;
        int distrusted = 0;
        for (int i = 0; i < batch.size(); i++) {
            long[] c = candidates.get(i);
            if (c == null) {
                continue;
            }
            rows++;
            ResultRecord r = batch.get(i);
            Sent s = sent.get(r.id());
            RosterRecord full = null;
            int fullCount = 0;
            for (long id : c) {
                RosterRecord st = plain.get(id);
                if (st != null && agrees(s, st, true)) {
                    if (full == null || !sameIdentity(full, st)) {
                        fullCount++;
                    }
                    full = st;
                }
            }
            if (fullCount == 1) {
                batch.set(i, fill(r, s, full, true));
                resolved++;
                continue;
            }
            long[] byId = idStudents.get(i);
            RosterRecord partial = null;
            int partialCount = 0;
            for (long id : byId) {
                RosterRecord st = plain.get(id);
                if (st != null && agrees(s, st, false)) {
                    partial = st;
                    partialCount++;
                }
            }
            if (byId.length == 1 && partialCount == 1) {
                batch.set(i, fill(r, s, partial, false));
                resolved++;
            } else if (byId.length > 0 && partialCount == 0 && fullCount == 0
                    && r.firstName() == null && r.lastName() == null && r.birthDate() == null) {
                batch.set(i, new ResultRecord(r.id(), r.groupKey(), null, null, null, null, r.school(), r.district(),
                        r.candidateKey()));
                distrusted++;
            }
        }
        return new Counts(rows, resolved, distrusted);
    }

    private static boolean sameIdentity(RosterRecord a, RosterRecord b) {
        return a.id() == b.id();
    }

    /** Every hashed field agrees ({@code all}), or at least one does. */
    private static boolean agrees(Sent s, RosterRecord st, boolean all) {
        boolean name = s.name() != null && nameAgrees(s.name(), st.firstName(), st.lastName());
        boolean birth = s.birthDate() != null && birthAgrees(s.birthDate(), st.birthDate());
        if (all) {
            return (s.name() == null || name) && (s.birthDate() == null || birth);
        }
        return name || birth;
    }

    /** The row with the agreeing student's values in the fields it sent hashed and has no plain value for. */
    private static ResultRecord fill(ResultRecord r, Sent s, RosterRecord st, boolean all) {
        boolean name = s.name() != null && r.firstName() == null && r.lastName() == null
                && (all || nameAgrees(s.name(), st.firstName(), st.lastName()));
        boolean birth = s.birthDate() != null && r.birthDate() == null
                && (all || birthAgrees(s.birthDate(), st.birthDate()));
        return new ResultRecord(r.id(), r.groupKey(), r.stateIdHash(),
                name ? st.firstName() : r.firstName(), name ? st.lastName() : r.lastName(),
                birth ? st.birthDate() : r.birthDate(), r.school(), r.district(), r.candidateKey(), r.stateIdNear());
    }

    static boolean nameAgrees(Hmac.SaltedHash h, String first, String last) {
        if (first == null && last == null) {
            return false;
        }
        for (String v : nameForms(first, last)) {
            if (h.matches(v)) {
                return true;
            }
        }
        return false;
    }

    static boolean birthAgrees(Hmac.SaltedHash h, LocalDate birth) {
        return birth != null && (h.matches(birth.toString()) || h.matches(birth.format(YMD)) || h.matches(birth.format(MDY)));
    }

    /** The ways a vendor may have written the name it hashed: first-last and last-comma-first, in four cases, accents kept or folded. */
    public static Set<String> nameForms(String first, String last) {
        String f = first == null ? "" : first.strip();
        String l = last == null ? "" : last.strip();
        Set<String> forms = new LinkedHashSet<>();
        for (String base : new String[] {(f + " " + l).strip(), f.isEmpty() ? l : l.isEmpty() ? f : l + ", " + f}) {
            for (String v : new String[] {base, fold(base)}) {
                forms.add(v);
                forms.add(v.toLowerCase(Locale.ROOT));
                forms.add(v.toUpperCase(Locale.ROOT));
                forms.add(title(v));
            }
        }
        return forms;
    }

    private static String fold(String s) {
        return java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean start = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return b.toString();
    }
}
