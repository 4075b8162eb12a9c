package org.credentialhub.sis;

import java.util.List;
import java.util.Map;

/**
 * What became of a OneRoster bundle: accepted (applied whole, perhaps with warnings), refused (nothing
 * applied; every problem listed) or a duplicate (the same content as the source's last accepted bundle:
 * skipped, nothing to apply).
 *
 * @param deliveryId  the bundle's {@code delivery} row
 * @param version     OneRoster version from the manifest ({@code 1.1}, {@code 1.2}), or null if unreadable
 *                    or not read (a duplicate)
 * @param rows        data rows read per file ({@code users.csv} → n)
 * @param problems    every error and warning (stored ones; {@code problemCount} counts all)
 * @param duplicateOf for a duplicate, the earlier delivery whose content it repeats; otherwise null
 * @param hold        for a bundle held for approval (docs/guards.md): why ({@code reason}), the delivery it waits
 *                    for ({@code waits_for}) or what it would do ({@code impact}); otherwise null
 */
public record Verdict(long deliveryId, boolean accepted, String version, Map<String, Long> rows,
                      List<Problem> problems, long problemCount, Long duplicateOf, Map<String, Object> hold) {

    /** A duplicate of delivery {@code earlier}: nothing read, nothing applied. */
    static Verdict duplicate(long deliveryId, long earlier) {
        return new Verdict(deliveryId, false, null, Map.of(), List.of(), 0, earlier, null);
    }

    public boolean duplicate() {
        return duplicateOf != null;
    }

    public boolean held() {
        return hold != null;
    }

    /** The delivery's status: accepted, quarantined (refused), duplicate or held (for approval). */
    public String status() {
        return duplicate() ? "duplicate" : held() ? "held" : accepted ? "accepted" : "quarantined";
    }

    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }

    public List<Problem> warnings() {
        return problems.stream().filter(p -> !p.isError()).toList();
    }
}
