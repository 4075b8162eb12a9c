package org.credentialhub.sis;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds a user's state student ID: the {@code userIds} entry of a type that holds it (the types compared
 * without case and punctuation), else {@code identifier}. A malformed entry is a warning, never its value.
 */
final class StateIds {
    private static final Pattern NOT_TYPE_CHARS = Pattern.compile("[^a-z0-9]");

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

    private static String normalType(String t) {
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
                return NOT_TYPE_CHARS.matcher(t.toLowerCase(Locale.ROOT)).replaceAll("");
            }
        }
        return t;   // (most types: nothing to lower or take out)
    }
}
