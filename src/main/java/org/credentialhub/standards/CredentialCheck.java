package org.credentialhub.standards;

import com.fasterxml.jackson.databind.JsonNode;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.mapping.FixedShapeDates;
import org.credentialhub.mapping.RecordCheck;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the records of an Open Badges 3.0 or CLR 2.0 feed as those standards say, before they are mapped
 * (docs/open-badges.md):
 * <ol>
 *   <li>type: only an {@code OpenBadgeCredential} (or its older name {@code AchievementCredential}) is an award;
 *       an {@code EndorsementCredential} or any other type is refused with the reason. A CLR feed's record is a
 *       {@code ClrCredential}, and each achievement credential it wraps ({@code credentialSubject.verifiableCredential})
 *       is checked as an OB 3.0 record of its own;</li>
 *   <li>proof: per the feed's {@code verify.proof} ({@link Proofs}); a proof that fails refuses the credential;</li>
 *   <li>validity: a credential valid only from a later {@code validFrom} is held (verdict {@code not-yet-valid},
 *       {@code heldUntil}), not refused; one past its {@code validUntil} ({@code expirationDate}) counts for the
 *       time it was valid (verdict {@code expired});</li>
 *   <li>status: {@code credentialStatus} ({@link StatusLists}): revoked, or {@code status-unknown} while a list
 *       cannot be read.</li>
 * </ol>
 * A JWT (VC-JOSE) record, a compact JWS string, is verified as such and its credential checked the same way.
 */
public final class CredentialCheck implements RecordCheck {
    static final Set<String> AWARDS = Set.of("OpenBadgeCredential", "AchievementCredential");

    private final boolean clr;
    private final FeedConfig.Verify policy;
    private final Proofs proofs;
    private final StatusLists statusLists;

    CredentialCheck(boolean clr, FeedConfig.Verify policy, Proofs proofs, StatusLists statusLists) {
        this.clr = clr;
        this.policy = policy;
        this.proofs = proofs;
        this.statusLists = statusLists;
    }

    @Override
    public List<Checked> check(JsonNode record) {
        if (!clr) {
            return List.of(one(record, null));
        }
        Proofs.Opened outer = proofs.open(record);
        if (outer.credential() == null) {
            return List.of(Checked.refused(record, outer.problem(), null));
        }
        JsonNode c = outer.credential();
        if (!types(c).contains("ClrCredential")) {
            return List.of(Checked.refused(c, "the credential is of type " + String.join("/", types(c))
                    + ", not a ClrCredential (a CLR 2.0 feed sends CLRs)", null));
        }
        String problem = proofProblem(outer);
        if (problem == null) {
            problem = statusProblem(c);
        }
        JsonNode wrapped = c.path("credentialSubject").path("verifiableCredential");
        if (problem == null && (!wrapped.isArray() || wrapped.isEmpty())) {
            problem = "the ClrCredential wraps no achievement credentials (credentialSubject.verifiableCredential)";
        }
        if (problem != null) {
            return List.of(Checked.refused(c, "the CLR " + problem, null));
        }
        List<Checked> out = new ArrayList<>();
        int i = 0;
        JsonNode learner = c.path("credentialSubject").path("identifier");
        for (JsonNode inner : wrapped) {
            Checked checked = one(inner, "credential " + ++i + " of " + wrapped.size() + " in the CLR");
            JsonNode subject = checked.credential().path("credentialSubject");
            if (checked.rejection() == null && subject.isObject() && !subject.has("identifier") && !learner.isMissingNode()) {
                // verified as sent; the learner is the CLR's subject where the wrapped credential names no one
                com.fasterxml.jackson.databind.node.ObjectNode copy = checked.credential().deepCopy();
                ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("credentialSubject")).set("identifier", learner);
                checked = new Checked(copy, null, checked.columns(), checked.location());
            }
            out.add(checked);
        }
        return out;
    }

    /** One achievement credential (a JSON object, or a compact JWS). */
    private Checked one(JsonNode record, String location) {
        Proofs.Opened opened = proofs.open(record);
        if (opened.credential() == null) {
            return Checked.refused(record, opened.problem(), location);
        }
        JsonNode c = opened.credential();
        List<String> types = types(c);
        if (types.stream().noneMatch(AWARDS::contains)) {
            return Checked.refused(c, "the credential is " + (types.isEmpty() ? "of no type"
                    : "of type " + String.join("/", types))
                    + ", not an award (OpenBadgeCredential or AchievementCredential)", location);
        }
        if (!c.path("credentialSubject").path("achievement").isObject()) {
            return Checked.refused(c, "the credential names no achievement (credentialSubject.achievement, required by"
                    + " Open Badges 3.0): nothing says what was earned", location);
        }
        String problem = proofProblem(opened);
        if (problem != null) {
            return Checked.refused(c, problem, location);
        }
        Instant now = Instant.now();
        Instant from;
        Instant until;
        try {
            from = time(c, "validFrom", "issuanceDate");
            until = time(c, "validUntil", "expirationDate");
        } catch (DateTimeParseException e) {
            return Checked.refused(c, "the credential's validFrom or validUntil is not an ISO date-time with offset", location);
        }
        if (from != null && until != null && until.isBefore(from)) {
            return Checked.refused(c, "the credential's validUntil is before its validFrom", location);
        }
        List<String> entries;
        try {
            entries = policy.checksStatus() ? StatusLists.entries(c) : List.of();
        } catch (IllegalArgumentException e) {
            return Checked.refused(c, "the credential: " + e.getMessage(), location);
        }
        StatusLists.State state = entries.isEmpty() ? StatusLists.State.CLEAR
                : statusLists.state(entries, policy.signedListsOnly());
        String verdict = switch (state) {
            case REVOKED -> "revoked";
            case UNKNOWN -> "status-unknown";
            case CLEAR -> from != null && from.isAfter(now) ? "not-yet-valid"
                    : until != null && until.isBefore(now) ? "expired" : "valid";
        };
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put(VERIFICATION, verdict);
        columns.put(HELD_UNTIL, from != null && from.isAfter(now) ? from.toString() : "");
        columns.put(STATUS_ENTRIES, String.join("\n", entries));
        return new Checked(c, null, columns, location);
    }

    private String proofProblem(Proofs.Opened opened) {
        String mode = policy.proofMode();
        if ("off".equals(mode)) {
            return null;
        }
        if (!opened.signed()) {
            return "required".equals(mode) ? "the credential has no proof, and this feed requires one (verify.proof: required)" : null;
        }
        return proofs.verify(opened, policy.keys() == null ? List.of() : policy.keys());
    }

    private String statusProblem(JsonNode c) {
        try {
            List<String> entries = policy.checksStatus() ? StatusLists.entries(c) : List.of();
            return entries.isEmpty() || statusLists.state(entries, policy.signedListsOnly()) == StatusLists.State.CLEAR ? null
                    : "is revoked, or its status list cannot be read now";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    static List<String> types(JsonNode c) {
        JsonNode t = c.get("type");
        List<String> out = new ArrayList<>();
        if (t != null) {
            for (JsonNode e : t.isArray() ? t : List.of(t)) {
                if (e.isTextual() && !"VerifiableCredential".equals(e.asText())) {
                    out.add(e.asText());
                }
            }
        }
        return out;
    }

    private static Instant time(JsonNode c, String name, String older) {
        String v = c.path(name).asText(c.path(older).asText(null));
        return v == null || v.isBlank() ? null : FixedShapeDates.isoOffsetDateTime(v).toInstant();
    }
}
