package org.credentialhub.sis;

import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bulk file's lines as last published (table {@code sis_line_set}, column {@code line_hash}): the next bulk export
 * of the same file stages only its lines that are not among them. A SIS sends every row in every bulk export, nearly
 * all of them as they were; a line read exactly as a published line (the same characters, under the same header and
 * OneRoster version) would be staged, checked and published to the same row, so it is skipped, and the import becomes
 * the delta it is: the new and changed lines staged as read, and for each published line the file no longer has, its
 * row staged as {@code tobedeleted} (unless a staged line gives its sourcedId again). Everything after staging (the
 * guard, publishing, the checks) then reads the file as that delta, with a bulk file's rules: no date comparison, and
 * a published row whose reference the import removed is still found (its line named) once published.
 *
 * <p>The fast path is taken only when it gives what the whole file would: the line set is the source's last accepted
 * delivery's (an import without the file as a bulk file removes it), that delivery had no problem with the file (so no
 * unchanged line had a warning to repeat), every published row has its line's hash, the file has no quoting problem,
 * and no new line repeats an unchanged line's sourcedId. Otherwise the file is staged whole, as before. Lines are
 * compared by a 64-bit hash: two different lines agree by chance with a probability of about 2^-64 per pair, below
 * one in ten million per import for 60,000 changed lines against 6 million published ones.
 */
final class LineSets {
    /**
     * The files whose lines are kept, in the order their changed lines are checked once staged ({@link #afterStaging}):
     * users after enrollments (a user an enrollment makes a student is staged again), demographics after users (whose
     * staged lines may need their birth dates).
     */
    static final List<String> FILES = List.of("enrollments", "users", "demographics");
    /**
     * What the hub checks and stages of a line, and how it hashes it: another revision makes every stored line set
     * stale (2: records hashed as their UTF-8 bytes in words of eight, session 32).
     */
    static final int REVISION = 2;
    /** A record's hash before its first byte. */
    static final long START = 0x6A09E667F3BCC908L;
    /** Changed lines' text held for parsing, in characters: beyond it the file is staged whole (a bulk that changed much). */
    static final int MAX_CHANGED_CHARS = 32 << 20;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private LineSets() {
    }

    /** Adds a word of eight bytes (little-endian) to a record's running hash. */
    static long mix(long h, long word) {
        h = (h ^ word) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 32);
    }

    /**
     * A record's hash from its running hash, its last 0-7 bytes (a partial word, little-endian) and its length in bytes
     * (MurmurHash3's finaliser); never 0, which marks an empty slot.
     */
    static long finish(long h, long tail, long length) {
        h = mix(h, tail) ^ length;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    /**
     * The hash of a record: its bytes {@code [from, to)} as the file has them (UTF-8, its line end left out), read
     * eight at a time ({@link LinePass}); {@link Running} gives the same from the record's characters.
     */
    static long hash(byte[] b, int from, int to) {
        long h = START;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            h = mix(h, (long) LONGS.get(b, i));
        }
        long tail = 0;
        for (int shift = 0; i < to; i++, shift += 8) {
            tail |= (b[i] & 0xFFL) << shift;
        }
        return finish(h, tail, to - from);
    }

    /**
     * A record's hash built a character at a time (the parser's side: {@link StrictQuotes}), from the characters' UTF-8
     * bytes: what {@link #hash(byte[], int, int)} gives for the bytes the characters were decoded from.
     */
    static final class Running {
        private long h = START;
        private long word;
        private int count;
        private long length;
        private char high;

        void add(char c) {
            if (c < 0x80) {
                add((int) c);
            } else if (c < 0x800) {
                add(0xC0 | c >>> 6);
                add(0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c)) {
                high = c;
            } else if (Character.isLowSurrogate(c) && high != 0) {
                int cp = Character.toCodePoint(high, c);
                high = 0;
                add(0xF0 | cp >>> 18);
                add(0x80 | cp >>> 12 & 0x3F);
                add(0x80 | cp >>> 6 & 0x3F);
                add(0x80 | cp & 0x3F);
            } else {
                add(0xE0 | c >>> 12);
                add(0x80 | c >>> 6 & 0x3F);
                add(0x80 | c & 0x3F);
            }
        }

        private void add(int b) {
            word |= (long) (b & 0xFF) << (count << 3);
            length++;
            if (++count == 8) {
                h = mix(h, word);
                word = 0;
                count = 0;
            }
        }

        /** The record's hash; starts the next record. */
        long finish() {
            long out = LineSets.finish(h, word, length);
            reset();
            return out;
        }

        /** Forgets the record so far. */
        void reset() {
            h = START;
            word = 0;
            count = 0;
            length = 0;
            high = 0;
        }
    }

    /** What a file's line hashes stand for: its header line's hash, the OneRoster version, the revision. */
    static long context(long headerHash, String version) {
        byte[] b = (headerHash + "|" + version + "|" + REVISION).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return hash(b, 0, b.length);
    }

    /**
     * A published file's line hashes, an open-addressing table, and the line of the new file each was read at (0: not
     * read: the line is gone).
     */
    static final class Published {
        final long context;
        final long deliveryId;
        /**
         * Slot i's hash at 2i (0: empty), the line it was read at at 2i + 1: one cache line a look-up (the table is
         * 134 MB at 6,000,000 lines, and a look-up's misses were most of the pass over a large file).
         */
        private long[] table;
        private int mask;
        private int size;
        /** What {@link #touch} read (kept, so that the reads are not left out). */
        private long touched;

        Published(long context, long deliveryId, int count) {
            this.context = context;
            this.deliveryId = deliveryId;
            int slots = Integer.highestOneBit(Math.max(16, count + count / 3)) << 1;
            table = new long[2 * slots];
            mask = slots - 1;
        }

        void add(long hash) {
            if (size + 1 > (mask + 1) / 4 * 3) {
                grow();
            }
            int i = slot(hash);
            if (table[2 * i] == 0) {
                table[2 * i] = hash;
                size++;
            }
        }

        private void grow() {
            long[] old = table;
            table = new long[old.length * 2];
            mask = table.length / 2 - 1;
            for (int i = 0; i < old.length; i += 2) {
                if (old[i] != 0) {
                    table[2 * slot(old[i])] = old[i];
                }
            }
        }

        private int slot(long hash) {
            int i = (int) (hash ^ (hash >>> 32)) & mask;
            while (table[2 * i] != 0 && table[2 * i] != hash) {
                i = (i + 1) & mask;
            }
            return i;
        }

        /**
         * Reads the slots the hashes start at, all of them before any is compared: a look-up of a table this size
         * misses the processor's caches, and misses begun together are waited for together (what {@link #read} then
         * reads is in the cache).
         */
        void touch(long[] hashes, int n) {
            long sum = 0;
            for (int k = 0; k < n; k++) {
                long hash = hashes[k];
                sum += table[2 * ((int) (hash ^ (hash >>> 32)) & mask)];
            }
            touched = sum;
        }

        /**
         * Marks a line of the new file as read at {@code line}; false for a line that is not published, or read
         * before (a repeated line: staged, where its sourcedId then repeats an unchanged line's).
         */
        boolean read(long hash, int line) {
            int i = slot(hash);
            if (table[2 * i] == 0 || table[2 * i + 1] != 0) {
                return false;
            }
            table[2 * i + 1] = line;
            return true;
        }

        /** The line of the new file a published line was read at, or 0. */
        int lineOf(long hash) {
            int i = slot(hash);
            return table[2 * i] == 0 ? 0 : (int) table[2 * i + 1];
        }

        /** The published lines the new file does not have. */
        long[] gone() {
            int n = 0;
            for (int i = 0; i < table.length; i += 2) {
                if (table[i] != 0 && table[i + 1] == 0) {
                    n++;
                }
            }
            long[] out = new long[n];
            n = 0;
            for (int i = 0; i < table.length; i += 2) {
                if (table[i] != 0 && table[i + 1] == 0) {
                    out[n++] = table[i];
                }
            }
            return out;
        }
    }

    /** One import's line sets: those read before staging, the files' contexts, the files staged as deltas. */
    static final class Import {
        private final boolean enabled;
        private final Map<String, Published> published = new LinkedHashMap<>();
        private final Map<String, Long> contexts = new ConcurrentHashMap<>();
        private final Set<String> unhashed = ConcurrentHashMap.newKeySet();
        private final Map<String, Published> converted = new ConcurrentHashMap<>();
        private final Map<String, Long> deletes = new ConcurrentHashMap<>();

        Import(boolean enabled) {
            this.enabled = enabled;
        }

        /** Reads the published line sets of the bundle's bulk files that keep them (none when the import does not use them). */
        void read(Connection c, String feed, BundleManifest m) throws SQLException {
            if (!enabled) {
                return;
            }
            for (String file : FILES) {
                // demographics: only beside a bulk users file (the roster's upsert reads the users' demographics)
                if ("bulk".equals(m.modes.get(file)) && m.files.containsKey(file)
                        && (!file.equals("demographics") || "bulk".equals(m.modes.get("users")) && m.files.containsKey("users"))) {
                    Published p = LineSets.read(c, feed, file);
                    if (p != null) {
                        published.put(file, p);
                    }
                }
            }
        }

        /** The published lines of a file read before staging, whatever its header (null: none). */
        Published published(String file) {
            return published.get(file);
        }

        void context(String file, long context) {
            contexts.put(file, context);
        }

        /** A line of the file has no hash (its hashes cannot be kept). */
        void unhashed(String file) {
            unhashed.add(file);
        }

        void converted(String file, Published p) {
            converted.put(file, p);
        }

        /** The file was staged whole after all. */
        void notConverted(String file) {
            converted.remove(file);
        }

        boolean isConverted(String file) {
            return converted.containsKey(file);
        }

        Published convertedLines(String file) {
            return converted.get(file);
        }

        Set<String> convertedFiles() {
            return Set.copyOf(converted.keySet());
        }

        /** A converted file's gone rows staged as {@code tobedeleted}. */
        void deletes(String file, long rows) {
            deletes.put(file, rows);
        }

        /** Whether a file staged as a delta has rows to delete. */
        boolean deletes(String file) {
            return deletes.getOrDefault(file, 0L) > 0;
        }

    }

    /**
     * The published line set of a source's file, or null (none). Whether its lines may be compared with the new file's
     * (the same header, version and checks) is the staging's to tell, by its context.
     */
    private static Published read(Connection c, String feed, String file) throws SQLException {
        String table = OneRosterSpec.file(file).table();
        long context;
        long deliveryId;
        try (PreparedStatement ps = c.prepareStatement("select l.context, l.delivery_id from sis_line_set l"
                + " where l.sis_source = ? and l.file = ?")) {
            ps.setString(1, feed);
            ps.setString(2, file);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                context = rs.getLong(1);
                deliveryId = rs.getLong(2);
            }
        }
        // (every row has its line's hash: a line set is recorded only by a bulk import whose every line had one)
        long rows;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select reltuples from pg_class where oid = '"
                + table + "'::regclass")) {
            rows = rs.next() ? Math.max(0, (long) rs.getDouble(1)) : 0;
        }
        Published p = new Published(context, deliveryId, (int) Math.min(rows, 1 << 28));
        // one value of 8 bytes a row, aggregated by the server: a row at a time (a COPY's message per row) cost 4.2 s
        // for 7,500,000 rows, most of it in the driver
        try (PreparedStatement ps = c.prepareStatement("select string_agg(int8send(line_hash), ''::bytea) from " + table
                + " where sis_source = ?")) {
            // (in binary: as text the value came as hexadecimal digits, twice its size, decoded by the driver)
            ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1);
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                byte[] bytes = rs.getBytes(1);
                if (bytes != null) {
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    while (b.remaining() >= 8) {
                        p.add(b.getLong());
                    }
                }
            }
        }
        return p;
    }

    /**
     * Stages chosen lines of a file again, as read (their numbers in the file, ascending); false (nothing staged) when
     * their text is more than is held.
     */
    interface Restage {
        boolean lines(String file, int[] lines) throws IOException, SQLException;
    }

    /**
     * Once the converted files are staged: a new line that gives the sourcedId of an unchanged line (the file repeats
     * it) sends the file back to be staged whole (returned); otherwise each gone line's row is staged as
     * {@code tobedeleted}, unless a staged line gives its sourcedId again. For users.csv, the unchanged lines whose
     * student the roster would derive otherwise are staged again ({@link #usersAgain}); it is staged whole beside a
     * bulk demographics file staged whole, and with demographics.csv when that one is.
     *
     * @param later files found in their pass to need staging whole, staged once this returns (their staging tables
     *              are empty here)
     */
    static List<String> afterStaging(Connection c, String feed, BundleManifest m, Import lines, Set<String> later,
                                     Restage restage) throws SQLException, IOException {
        List<String> whole = new ArrayList<>();
        for (String file : FILES) {
            if (lines.isConverted(file) && !goneStaged(c, feed, file, lines)) {
                whole(c, lines, whole, file);
            }
        }
        if (lines.isConverted("users")) {
            long ta = System.nanoTime();
            // beside a bulk demographics file staged whole, the roster's upsert would read every user's line with it
            int[] again = "bulk".equals(m.modes.get("demographics")) && m.files.containsKey("demographics")
                    && !lines.isConverted("demographics") ? null : usersAgain(c, feed, m, lines.convertedLines("users"));
            if (again == null || again.length > 0 && !restage.lines("users", again)) {
                whole(c, lines, whole, "users");
            } else {
                ImportSteps.timed(ta, "stage " + again.length + " unchanged lines of users again");
            }
        }
        // demographics: the staged users' birth dates (users staged whole from here on are not staged yet: with them)
        if (lines.isConverted("demographics") && (whole.contains("users") || later.contains("users")
                || birthDatesNeeded(c, feed))) {
            whole(c, lines, whole, "demographics");
            if (lines.isConverted("users")) {
                whole(c, lines, whole, "users");   // its unchanged lines' students would read every demographics line
            }
        }
        return whole;
    }

    /**
     * A converted file's staged lines checked against its unchanged ones, and its gone rows staged as
     * {@code tobedeleted}; false when a new line gives an unchanged line's sourcedId (the file repeats it).
     */
    private static boolean goneStaged(Connection c, String feed, String file, Import lines) throws SQLException {
        OneRosterSpec.FileSpec f = OneRosterSpec.file(file);
        Published p = lines.convertedLines(file);
        try (Statement st = c.createStatement()) {
            st.execute("create temp table if not exists sis_gone_line (line_hash bigint) on commit drop");
            st.execute("truncate sis_gone_line");
        }
        long t0 = System.nanoTime();
        long[] gone = p.gone();
        copyLongs(c, "sis_gone_line", gone);
        try (Statement st = c.createStatement()) {
            st.execute("analyze sis_gone_line");
            st.execute("analyze " + f.stageTable());   // a few rows: planned as such, not as a whole file
        }
        // a staged line whose key is stored under a line the file still has: the file repeats the key.
        // (a count, not exists: planned for all the staged rows, each looked up by its key, not for a first row)
        long repeats;
        long replaced;
        // (lateral: each staged key looked up in the primary key, not the table read whole for a hash join)
        try (PreparedStatement ps = c.prepareStatement("select count(*) filter (where g.line_hash is null),"
                + " count(distinct t.sourced_id) filter (where g.line_hash is not null) from " + f.stageTable() + " s"
                + " cross join lateral (select x.sourced_id, x.line_hash from " + f.table() + " x where x.sis_source = ?"
                + " and x.sourced_id = s.sourced_id offset 0) t"
                + " left join sis_gone_line g on g.line_hash = t.line_hash where s.status <> 'tobedeleted'")) {
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                repeats = rs.getLong(1);
                replaced = rs.getLong(2);
            }
        }
        ImportSteps.timed(t0, "check the changed lines of " + file);
        if (repeats > 0) {
            return false;
        }
        // (every gone line's row given again by a changed line: nothing to delete)
        if (replaced < gone.length) {
            try (PreparedStatement ps = c.prepareStatement("insert into " + f.stageTable() + " (sourced_id, status)"
                    + " select t.sourced_id, 'tobedeleted' from " + f.table() + " t join sis_gone_line g on g.line_hash = t.line_hash"
                    + " where t.sis_source = ? and not exists (select 1 from " + f.stageTable() + " s where s.sourced_id = t.sourced_id)")) {
                ps.setString(1, feed);
                lines.deletes(file, ps.executeUpdate());
            }
            ImportSteps.timed(t0, "stage the gone rows of " + file);
        }
        return true;
    }

    /** The file is staged whole after all: its staged lines are dropped. */
    private static void whole(Connection c, Import lines, List<String> whole, String file) throws SQLException {
        lines.notConverted(file);
        lines.deletes.remove(file);
        whole.add(file);
        try (Statement st = c.createStatement()) {
            st.execute("truncate " + OneRosterSpec.file(file).stageTable());
        }
    }

    /**
     * The unchanged lines of users.csv whose student the roster's upsert ({@code sql/sis/roster-students.sql}) would
     * write otherwise than it stands, or whose published row would change: a whole file would stage them, so they are
     * staged again. Those of users whose organisation (or its parent) the bundle adds, changes or removes, whose roles
     * change (1.2: a user's role and organisation may be in roles.csv), whose demographics row is removed or belongs to
     * a user without the student role (the roster's demographics step writes the others' through their students), who
     * are not students by role but have a student enrollment staged, and every user sharing a state ID with a staged
     * user (which line is kept among them is the last one's). A student row another writer rewrote is the trigger's
     * (migration V79: the line set is gone). Null: a user row without its line in the file (staged whole).
     */
    private static int[] usersAgain(Connection c, String feed, BundleManifest m, Published users) throws SQLException {
        // each reason a set of sourcedIds (their union joined once: reasons or'ed in one scan were planned as a
        // sub-select per user)
        List<String> why = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            st.execute("create temp table if not exists sis_org_again (sourced_id text primary key) on commit drop");
            st.execute("truncate sis_org_again");
        }
        if (m.files.containsKey("orgs") && m.modes.containsKey("orgs")) {
            // the organisations the bundle adds, changes (as the roster reads them) or removes, and those under them
            String changed = "select coalesce(s.sourced_id, o.sourced_id) as sourced_id from sis_stage_orgs s "
                    + ("bulk".equals(m.modes.get("orgs")) ? "full" : "left") + " join (select sourced_id, type, identifier,"
                    + " parent_sourced_id from sis_org where sis_source = ?1) o on o.sourced_id = s.sourced_id"
                    + " where s.sourced_id is null or o.sourced_id is null or s.status = 'tobedeleted'"
                    + " or (s.type, s.identifier, s.parent_sourced_id) is distinct from (o.type, o.identifier, o.parent_sourced_id)";
            int orgs = ImportSteps.update(c, feed, "insert into sis_org_again " + changed);
            if (orgs > 0) {
                ImportSteps.update(c, feed, "insert into sis_org_again select x.sourced_id from sis_org x where x.sis_source = ?1"
                        + " and x.parent_sourced_id in (select sourced_id from sis_org_again) union select x.sourced_id"
                        + " from sis_stage_orgs x where x.parent_sourced_id in (select sourced_id from sis_org_again)"
                        + " on conflict do nothing");
                why.add("select x.sourced_id from sis_user x where x.sis_source = ?1 and x.primary_org_sourced_id in (select"
                        + " sourced_id from sis_org_again)");
                why.add("select x.sourced_id from sis_user x where x.sis_source = ?1 and x.org_sourced_ids[1] in (select"
                        + " sourced_id from sis_org_again)");
            }
        }
        if (m.files.containsKey("roles") && m.modes.containsKey("roles")) {
            why.add("select unnest(array[s.user_sourced_id, r.user_sourced_id]) from sis_stage_roles s "
                    + ("bulk".equals(m.modes.get("roles")) ? "full" : "left") + " join (select sourced_id, status, user_sourced_id,"
                    + " role_type, role, org_sourced_id from sis_role where sis_source = ?1) r on r.sourced_id = s.sourced_id"
                    + " where s.sourced_id is null or r.sourced_id is null or (s.status = 'tobedeleted') is distinct from"
                    + " (r.status = 'tobedeleted') or (s.user_sourced_id, s.role_type, s.role, s.org_sourced_id)"
                    + " is distinct from (r.user_sourced_id, r.role_type, r.role, r.org_sourced_id)");
        }
        if (m.files.containsKey("demographics") && m.modes.containsKey("demographics")) {
            why.add("select d.sourced_id from sis_stage_demographics d cross join lateral (select x.role from sis_user x"
                    + " where x.sis_source = ?1 and x.sourced_id = d.sourced_id offset 0) x where d.status = 'tobedeleted'"
                    + " or x.role is distinct from 'student'");
        }
        if (m.files.containsKey("enrollments") && m.modes.containsKey("enrollments")) {
            // (a join: the users without the student role but with a state ID are few, the staged enrollments many)
            why.add("select e.user_sourced_id from sis_stage_enrollments e join sis_user x on x.sis_source = ?1"
                    + " and x.sourced_id = e.user_sourced_id where e.role = 'student' and e.status <> 'tobedeleted'"
                    + " and x.role is distinct from 'student' and x.state_id_hash is not null");
        }
        // the users sharing a state ID with a staged user (as staged and as stored): through the state ID's student
        // (every student's user is linked to it; a user without a student is no student, whichever line is kept);
        // each stored user and student looked up by its key (joins read the roster and the users whole: 1.2 s of
        // 1.7 s at 1,500,000 students for a bulk with 1 % changed)
        why.add("select x.sourced_id from (select s.state_id_hash from sis_stage_users s where s.state_id_hash is not null"
                + " union select y.state_id_hash from sis_stage_users s cross join lateral (select y.state_id_hash from"
                + " sis_user y where y.sis_source = ?1 and y.sourced_id = s.sourced_id offset 0) y"
                + " where y.state_id_hash is not null) h cross join lateral (select st.student_id from student st"
                + " where st.state_id_hash = h.state_id_hash offset 0) st join sis_user x on x.student_id = st.student_id"
                + " and x.sis_source = ?1");
        try (Statement st = c.createStatement()) {
            st.execute("create temp table if not exists sis_user_again (sourced_id text primary key, state_id_hash text,"
                    + " line_hash bigint) on commit drop");
            st.execute("truncate sis_user_again");
        }
        String unstaged = "not exists (select 1 from sis_stage_users s where s.sourced_id = u.sourced_id)";
        // (each user looked up by its key: the reasons name few users, where a join would read them all)
        long picked = ImportSteps.update(c, feed, "insert into sis_user_again select u.sourced_id, u.state_id_hash, u.line_hash"
                + " from (" + String.join(" union ", why) + ") w (sourced_id) cross join lateral (select x.sourced_id,"
                + " x.state_id_hash, x.line_hash from sis_user x where x.sis_source = ?1 and x.sourced_id = w.sourced_id"
                + " offset 0) u where " + unstaged);
        if (picked > 0) {
            // the users sharing a state ID with one picked (its line decides with theirs)
            ImportSteps.update(c, feed, "insert into sis_user_again select u.sourced_id, u.state_id_hash, u.line_hash"
                    + " from student st join sis_user u on u.student_id = st.student_id and u.sis_source = ?1 where "
                    + unstaged + " and st.state_id_hash in (select a.state_id_hash from sis_user_again a)"
                    + " on conflict (sourced_id) do nothing");
        }
        List<Integer> found = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select line_hash from sis_user_again")) {
            while (rs.next()) {
                long h = rs.getLong(1);
                int line = rs.wasNull() ? 0 : users.lineOf(h);
                if (line == 0) {
                    return null;
                }
                found.add(line);
            }
        }
        return found.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * Whether the roster's upsert needs a birth date from an unchanged demographics line: a staged user whose student
     * row the upsert writes from another user's, another source's or no row (a new student, a state ID corrected),
     * with no staged demographics line. A student row written before from the same user keeps its birth date when the
     * user's demographics line is not staged, which the unchanged line would only give again.
     */
    private static boolean birthDatesNeeded(Connection c, String feed) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("analyze sis_stage_users");
        }
        try (PreparedStatement ps = c.prepareStatement("select count(*) from sis_stage_users u"
                + " left join student st on st.state_id_hash = u.state_id_hash"
                + " where u.state_id_hash is not null and u.status <> 'tobedeleted'"
                + " and (st.student_id is null or st.sis_source is distinct from ? or st.sourced_id is distinct from u.sourced_id)"
                + " and not exists (select 1 from sis_stage_demographics d where d.sourced_id = u.sourced_id)")) {
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private static void copyLongs(Connection c, String table, long[] values) throws SQLException {
        StringBuilder sb = new StringBuilder(values.length * 21);
        for (long v : values) {
            sb.append(v).append('\n');
        }
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + table + " from stdin",
                    new java.io.StringReader(sb.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Once the bundle is published and checked: its bulk files that keep lines, fully hashed and without a problem,
     * become the source's line sets; every other line set of the source is removed.
     */
    static void record(Connection c, String feed, long deliveryId, BundleManifest m, Problems problems, Import lines)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from sis_line_set where sis_source = ?")) {
            ps.setString(1, feed);
            ps.executeUpdate();
        }
        if (m == null) {
            return;
        }
        for (String file : FILES) {
            String name = m.files.get(file);
            Long context = lines.contexts.get(file);
            if (name == null || !"bulk".equals(m.modes.get(file)) || context == null || lines.unhashed.contains(file)
                    || problems.count() > problems.list().size()
                    || problems.list().stream().anyMatch(p -> name.equals(p.file()))) {
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement("insert into sis_line_set (sis_source, file, context, delivery_id)"
                    + " values (?, ?, ?, ?)")) {
                ps.setString(1, feed);
                ps.setString(2, file);
                ps.setLong(3, context);
                ps.setLong(4, deliveryId);
                ps.executeUpdate();
            }
        }
    }
}
