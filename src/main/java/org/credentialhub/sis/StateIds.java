package org.credentialhub.sis;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds a user's state student ID: the {@code userIds} entry of a type that holds it (the types compared
 * without case and punctuation), else {@code identifier}. A malformed entry is a warning, never its value.
 */
final class StateIds {
    private final Set<String> stateIdTypes;

    StateIds(Collection<String> stateIdTypes) {
        this.stateIdTypes = stateIdTypes.stream().map(StateIds::normalType).collect(Collectors.toSet());
    }

    /** The state student ID: a {@code userIds} entry of a state type, else {@code identifier}. */
    String of(String userIds, String identifier, String file, int line, Problems problems) {
        if (!userIds.isEmpty()) {
            int i = 0;
            while (i < userIds.length()) {
                int open = userIds.indexOf('{', i);
                if (open < 0) {
                    if (!userIds.substring(i).replace(",", "").isBlank()) {
                        problems.warning(file, line, "userIds", "an entry is not in {type:identifier} form; ignored");
                    }
                    break;
                }
                if (!userIds.substring(i, open).replace(",", "").isBlank()) {
                    problems.warning(file, line, "userIds", "an entry is not in {type:identifier} form; ignored");
                }
                int close = userIds.indexOf('}', open);
                int colon = userIds.indexOf(':', open);
                if (close < 0 || colon < 0 || colon > close) {
                    problems.warning(file, line, "userIds", "an entry is not in {type:identifier} form; ignored");
                    break;
                }
                if (stateIdTypes.contains(normalType(userIds.substring(open + 1, colon)))) {
                    String id = userIds.substring(colon + 1, close).trim();
                    if (!id.isEmpty()) {
                        return id;
                    }
                }
                i = close + 1;
            }
        }
        return identifier.isEmpty() ? null : identifier;
    }

    /** A userIds type as compared: lower case, its letters and digits alone ("State ID" and "state-id": "stateid"). */
    private static String normalType(String t) {
        String lower = t.toLowerCase(Locale.ROOT);   // (the same string when it has no capital)
        StringBuilder kept = null;
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            boolean typeChar = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
            if (!typeChar && kept == null) {
                kept = new StringBuilder(lower.length()).append(lower, 0, i);
            } else if (typeChar && kept != null) {
                kept.append(c);
            }
        }
        return kept == null ? lower : kept.toString();
    }
}
