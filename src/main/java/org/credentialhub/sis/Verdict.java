package org.credentialhub.sis;

import java.util.List;
import java.util.Map;

/**
 * What became of a OneRoster bundle: accepted (applied whole, perhaps with warnings) or refused
 * (nothing applied; every problem listed).
 *
 * @param deliveryId the bundle's {@code delivery} row
 * @param version    OneRoster version from the manifest ({@code 1.1}, {@code 1.2}), or null if unreadable
 * @param rows       data rows read per file ({@code users.csv} → n)
 * @param problems   every error and warning (stored ones; {@code problemCount} counts all)
 */
public record Verdict(long deliveryId, boolean accepted, String version, Map<String, Long> rows,
                      List<Problem> problems, long problemCount) {

    public String status() {
        return accepted ? "accepted" : "quarantined";
    }

    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }

    public List<Problem> warnings() {
        return problems.stream().filter(p -> !p.isError()).toList();
    }
}
