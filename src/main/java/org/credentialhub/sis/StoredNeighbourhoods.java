package org.credentialhub.sis;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;

/**
 * The roster's state IDs whose deletion neighbourhood ({@link org.credentialhub.support.Hmac#stateIdNear}) the
 * {@code student} table already holds, known by the first 64 bits of their keyed hash. A neighbourhood depends on the
 * ID and the key alone, so a bulk file's user whose ID is one of these is staged without it (ten keyed hashes a
 * student, most of the users file's parsing) and the roster's upsert keeps the stored one
 * ({@code sql/sis/roster-students.sql}). An ID that is no student's yet gets its neighbourhood worked out as before.
 * Two IDs share 64 bits of a keyed hash with odds of about one in 10^19 a pair; matching already tells IDs apart by a
 * 64-bit fingerprint.
 */
final class StoredNeighbourhoods {
    private static final StoredNeighbourhoods NONE = new StoredNeighbourhoods(new long[0]);
    /** Sorted. */
    private final long[] ids;

    private StoredNeighbourhoods(long[] ids) {
        this.ids = ids;
    }

    /** None: every ID's neighbourhood is worked out (a delta file, a hub without a roster yet). */
    static StoredNeighbourhoods none() {
        return NONE;
    }

    /** The stored IDs, read on the import's connection (its snapshot: the roster the upsert compares with). */
    static StoredNeighbourhoods read(Connection c) throws SQLException {
        long[] ids = new long[1024];
        int n = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(50_000);
            try (ResultSet rs = st.executeQuery("""
                    select ('x' || substr(state_id_hash, 1, 16))::bit(64)::bigint from student
                    where state_id_near is not null and length(state_id_hash) = 64""")) {
                while (rs.next()) {
                    if (n == ids.length) {
                        ids = Arrays.copyOf(ids, n * 2);
                    }
                    ids[n++] = rs.getLong(1);
                }
            }
        }
        ids = Arrays.copyOf(ids, n);
        Arrays.sort(ids);
        return new StoredNeighbourhoods(ids);
    }

    /** Whether the roster holds the neighbourhood of the ID whose keyed hash (64 hex characters) this is. */
    boolean has(String stateIdHash) {
        if (ids.length == 0 || stateIdHash == null || stateIdHash.length() != 64) {
            return false;
        }
        return Arrays.binarySearch(ids, Long.parseUnsignedLong(stateIdHash, 0, 16, 16)) >= 0;
    }
}
