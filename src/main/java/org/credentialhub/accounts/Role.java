package org.credentialhub.accounts;

import java.util.Arrays;
import java.util.Locale;

/** What a person may see and do. District roles see one district; vendors only their own acknowledgements. */
public enum Role {
    /** State operations staff: every district, every feed. */
    OPS,
    /** District CTE administrator: one district; validates district-entered results. */
    DISTRICT_ADMIN,
    /** District staff: one district; resolves its exceptions. */
    DISTRICT_STAFF,
    /** A vendor: SFTP and its own acknowledgements only. */
    VENDOR;

    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isDistrict() {
        return this == DISTRICT_ADMIN || this == DISTRICT_STAFF;
    }

    /** Parses {@code ops}, {@code district-admin}, {@code district_staff}, ... */
    public static Role parse(String s) {
        String norm = s == null ? "" : s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(r -> r.name().equals(norm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown role '" + s + "'; use ops, district-admin, district-staff or vendor"));
    }
}
