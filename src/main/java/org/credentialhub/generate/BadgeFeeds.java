package org.credentialhub.generate;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.credentialhub.generate.Attempts.Attempt;
import org.credentialhub.generate.Attempts.Kind;
import org.credentialhub.matching.HashedIdentity;
import org.credentialhub.support.Hmac;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.credentialhub.generate.Feeds.EASTERN;

/**
 * Writes the two badge APIs' pages (Open Badges 3.0 credentials, an issuer's badge list): a record a result, its
 * student's identifiers shown with the feed's noise, each record in the ledger.
 */
record BadgeFeeds(Path out, Catalog catalog, Roster roster, Ledger ledger, SplittableRandom rnd, Map<String, Long> counts) {

    /** Writes one record of a page: a result, its student as shown. */
    private interface Entry {
        void write(JsonGenerator g, Attempt a, Shown s, Catalog.Credential c) throws IOException;
    }

    /** Writes what follows a page's records, given their number. */
    private interface Closing {
        void write(JsonGenerator g, long records) throws IOException;
    }

    /**
     * Writes one API page: an object whose array {@code array} holds a record a result (15 in 1,000 of those
     * with their student's ID carry another student's), then what {@code closing} adds.
     */
    private void page(List<Attempt> attempts, String file, String array, Shown.Profile prof, Entry entry, Closing closing)
            throws IOException {
        Path f = out.resolve(file);
        Files.createDirectories(f.getParent());
        long n = 0;
        try (JsonGenerator g = new JsonFactory().createGenerator(f.toFile(), JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeArrayFieldStart(array);
            for (Attempt a : attempts) {
                Shown s = Shown.of(roster, a.person, prof, rnd);
                otherStudentsId(s, a.person, 15);
                entry.write(g, a, s, cred(a));
                n++;
            }
            g.writeEndArray();
            closing.write(g, n);
            g.writeEndObject();
        }
        counts.put(out.relativize(f).toString().replace('\\', '/'), n);
    }

    private Catalog.Credential cred(Attempt a) {
        return catalog.credentials.get(a.credential);
    }

    // ---------------------------------------------------------------- badges (Open Badges 3.0)

    private UUID uuid() {
        long hi = (rnd.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lo = (rnd.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(hi, lo);
    }

    void badges(List<Attempt> attempts) throws IOException {
        Shown.Profile prof = new Shown.Profile(600, 0, 20, 150, 40, true);
        page(attempts, "api/badges/credentials.json", "credential", prof, (g, a, s, c) -> {
            String id = "urn:uuid:" + uuid();
            g.writeStartObject();
            g.writeArrayFieldStart("@context");
            g.writeString("https://www.w3.org/ns/credentials/v2");
            g.writeString("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json");
            g.writeEndArray();
            g.writeStringField("id", id);
            g.writeArrayFieldStart("type");
            g.writeString("VerifiableCredential");
            g.writeString("OpenBadgeCredential");
            g.writeEndArray();
            g.writeObjectFieldStart("issuer");
            g.writeStringField("id", "https://badges.example.org/issuers/workready");
            g.writeArrayFieldStart("type");
            g.writeString("Profile");
            g.writeEndArray();
            g.writeStringField("name", "WorkReady Credentials");
            g.writeEndObject();
            g.writeStringField("name", c.name());
            g.writeStringField("validFrom", a.date.atTime(a.minute / 60, a.minute % 60).atZone(EASTERN)
                    .withZoneSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT));
            g.writeObjectFieldStart("credentialSubject");
            g.writeArrayFieldStart("type");
            g.writeString("AchievementSubject");
            g.writeEndArray();
            g.writeArrayFieldStart("identifier");
            if (!s.id.isEmpty()) {
                identity(g, s.id, "studentId", null);
            }
            int x = rnd.nextInt(100);
            if (s.id.isEmpty() || x < 30) {
                if (x < 15) {
                    String salt = Long.toHexString(rnd.nextLong());
                    identity(g, Hmac.SaltedHash.of(roster.email[a.person], salt), "emailAddress", salt);
                } else if (x < 80 || a.person >= roster.rosterSize) {
                    identity(g, a.person >= roster.rosterSize ? roster.personalEmail(a.person) : roster.email[a.person],
                            "emailAddress", null);
                } else {
                    identity(g, roster.personalEmail(a.person), "emailAddress", null);
                }
            }
            boolean unverifiable = nameAndBirthIdentifiers(g, s, a.person, "name", "ext:birthDate");
            g.writeEndArray();
            g.writeObjectFieldStart("achievement");
            g.writeStringField("id", "https://badges.example.org/achievements/" + c.examCode());
            g.writeArrayFieldStart("type");
            g.writeString("Achievement");
            g.writeEndArray();
            g.writeStringField("name", c.name());
            g.writeStringField("humanCode", c.examCode());
            g.writeObjectFieldStart("criteria");
            g.writeStringField("narrative", "Passed the " + c.name() + " assessment.");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
            ledger.record("badges", id, 1, a.person, s.needsDecision() || unverifiable, true);
        }, (g, n) -> { });
    }

    /**
     * A record that carries another roster student's state ID (a classmate's record copied), per thousand records
     * with the student's own ID: the names and birth date sent with it stay the student's own. truth.csv keeps the
     * student; the record no longer carries its student's ID, so a district decides it if the hub does not.
     */
    private void otherStudentsId(Shown s, int person, int perThousand) {
        if (s.idCorrect && rnd.nextInt(1000) < perThousand) {
            int other = rnd.nextInt(roster.rosterSize);
            if (other != person) {
                s.id = roster.stateId[other];
                s.idCorrect = false;
            }
        }
    }

    /**
     * The name and birth-date IdentityObjects of an Open Badges subject, as shown (with the profile's noise): the
     * name in 70 % of records (always when the ID is not the student's own), written {@code First Last} or
     * {@code Last, First}; the birth date in 60 % of those that have one; each hashed with its own salt 40 % of the
     * time. Returns true when the record carries its student's correct ID with a name or birth date, and none of those
     * is the roster's exactly (a damaged plain value, or noise in a hashed one): whether the hub's state-ID tier takes
     * the ID then depends on the damage, so a district decides it.
     */
    private boolean nameAndBirthIdentifiers(JsonGenerator g, Shown s, int person, String nameType, String birthType)
            throws IOException {
        boolean sendName = !s.idCorrect || rnd.nextInt(100) < 70;
        boolean sendBirth = s.birth != null && rnd.nextInt(100) < 60;
        boolean hashName = sendName && rnd.nextInt(100) < 40;
        boolean hashBirth = sendBirth && rnd.nextInt(100) < 40;
        String name = rnd.nextInt(10) == 0 ? s.last + ", " + s.first : s.first + " " + s.last;
        boolean onRoster = person < roster.rosterSize;
        if (sendName) {
            String salt = hashName ? Long.toHexString(rnd.nextLong()) : null;
            identity(g, hashName ? Hmac.SaltedHash.of(name, salt) : name, nameType, salt);
        }
        if (sendBirth) {
            String salt = hashBirth ? Long.toHexString(rnd.nextLong()) : null;
            identity(g, hashBirth ? Hmac.SaltedHash.of(s.birth.toString(), salt) : s.birth.toString(), birthType, salt);
        }
        if (!onRoster || !s.idCorrect || (!sendName && !sendBirth)) {
            // not the student's own ID (decided anyway), or an ID-only record (nothing can contradict it)
            return false;
        }
        // what can corroborate the ID, as the hub reads it: a name or birth date, plain or hashed, that is the
        // roster's exactly. Anything less (a damaged plain name, a wrong birth date, a hashed value with noise)
        // leaves the outcome to the hub's tolerance for that damage, so a district decides it (a decision that
        // confirms an automatic match changes nothing).
        boolean nameRight = sendName && (hashName
                ? HashedIdentity.nameForms(roster.first[person], roster.last[person]).contains(name)
                : org.credentialhub.matching.Names.normalizeName(s.first + s.last).equals(
                        org.credentialhub.matching.Names.normalizeName(roster.first[person] + roster.last[person])));
        boolean birthRight = sendBirth && s.birth.equals(roster.birth[person]);
        return !nameRight && !birthRight;
    }

    private static void identity(JsonGenerator g, String value, String type, String salt) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "IdentityObject");
        g.writeStringField("identityHash", value);
        g.writeStringField("identityType", type);
        g.writeBooleanField("hashed", salt != null);
        if (salt != null) {
            g.writeStringField("salt", salt);
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- issuedbadges

    void issuedbadges(List<Attempt> attempts) throws IOException {
        Shown.Profile prof = new Shown.Profile(700, 0, 30, 200, 100, true, 10);
        page(attempts, "api/issuedbadges/badges.json", "data", prof, (g, a, s, c) -> {
            String id = uuid().toString();
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("state", a.kind == Kind.REVOKED ? "revoked" : a.kind == Kind.PENDING ? "pending"
                    : "accepted");
            g.writeStringField("issued_at", a.date.atTime(a.minute / 60, a.minute % 60).atZone(EASTERN)
                    .toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            if (rnd.nextInt(10) == 0) {
                // the whole name only
                g.writeStringField("issued_to", s.first + " " + s.last);
            } else {
                g.writeStringField("issued_to_first_name", s.first);
                g.writeStringField("issued_to_last_name", s.last);
            }
            g.writeStringField("recipient_email", a.person < roster.rosterSize && rnd.nextInt(4) > 0
                    ? roster.email[a.person] : roster.personalEmail(a.person));
            if (s.id.isEmpty()) {
                g.writeNullField("issuer_earner_id");
            } else {
                g.writeStringField("issuer_earner_id", s.id);
            }
            if (s.birth != null && rnd.nextInt(10) < 8) {
                // the earner's birth date as an OB 3.0 identifier, plain or hashed with a salt
                String salt = rnd.nextInt(8) < 3 ? Long.toHexString(rnd.nextLong()) : null;
                g.writeArrayFieldStart("earner_identifiers");
                identity(g, salt == null ? s.birth.toString() : Hmac.SaltedHash.of(s.birth.toString(), salt),
                        "ext:birthDate", salt);
                g.writeEndArray();
            }
            g.writeObjectFieldStart("badge_template");
            g.writeStringField("id", c.examCode());
            g.writeStringField("name", c.name());
            g.writeEndObject();
            g.writeEndObject();
            ledger.record("issuedbadges", id, 1, a.person, s.needsDecision(), true);
        }, (g, n) -> {
            g.writeObjectFieldStart("metadata");
            g.writeNumberField("count", n);
            g.writeNumberField("current_page", 1);
            g.writeNumberField("total_pages", 1);
            g.writeNullField("next_page_url");
            g.writeEndObject();
        });
    }
}
