package org.credentialhub.generate;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** Every exam attempt or award of the synthetic year, from the plan's earners plus realistic noise. */
final class Attempts {

    enum Kind {
        /** the first pass that counts */ EARNED,
        /** a failed attempt before that pass */ RETAKE_FAIL,
        /** a second pass after the counting one */ REPEAT_PASS,
        /** a failed attempt of a student who does not earn the credential */ FAIL,
        /** a pass dated in the previous school year */ PRIOR_YEAR,
        /** a pass by a roster student not enrolled in any course aligned to the credential */ NOT_ENROLLED,
        /** a pass by someone who is not on the roster */ NOBODY,
        /** an issued badge later revoked */ REVOKED,
        /** an issued badge still pending */ PENDING
    }

    static final class Attempt {
        final int person;
        final String credential;
        final LocalDate date;
        final int minute;
        final boolean passed;
        final Kind kind;

        Attempt(int person, String credential, LocalDate date, int minute, boolean passed, Kind kind) {
            this.person = person;
            this.credential = credential;
            this.date = date;
            this.minute = minute;
            this.passed = passed;
            this.kind = kind;
        }
    }

    static final Set<String> FAILS = Set.of("certexam", "foodsafe", "workskills", "skillsxlsx");
    static final Comparator<Attempt> ORDER = Comparator.comparing((Attempt a) -> a.date).thenComparingInt(a -> a.minute)
            .thenComparingInt(a -> a.person).thenComparing(a -> a.credential);

    /** feed -> attempts in date order. */
    final Map<String, List<Attempt>> byFeed = new LinkedHashMap<>();

    Attempts(StatePlan plan, Roster roster, SplittableRandom rnd) {
        Catalog catalog = plan.catalog;
        List<Attempt> all = new ArrayList<>();
        Set<Long> earnedKeys = new HashSet<>();
        for (StatePlan.Earned e : plan.earned) {
            earnedKeys.add((long) e.student() * 4096 + e.row());
            String cred = plan.tables.courseCredentials.get(e.row()).credentialCode();
            String feed = catalog.credentials.get(cred).deliveredBy();
            LocalDate d = inYear(rnd);
            all.add(new Attempt(e.student(), cred, d, minute(rnd), true, Kind.EARNED));
            if (FAILS.contains(feed) && rnd.nextInt(100) < 15) {
                all.add(new Attempt(e.student(), cred, d.minusDays(7 + rnd.nextInt(60)), minute(rnd), false,
                        Kind.RETAKE_FAIL));
            }
            if (FAILS.contains(feed) && rnd.nextInt(200) == 0 && d.isBefore(LocalDate.of(2025, 5, 1))) {
                all.add(new Attempt(e.student(), cred, d.plusDays(10 + rnd.nextInt(30)), minute(rnd), true,
                        Kind.REPEAT_PASS));
            }
        }
        for (StatePlan.Klass k : plan.classes) {
            for (int st : k.students) {
                for (int r : k.offered) {
                    if (earnedKeys.contains((long) st * 4096 + r)) {
                        continue;
                    }
                    String cred = plan.tables.courseCredentials.get(r).credentialCode();
                    String feed = catalog.credentials.get(cred).deliveredBy();
                    int x = rnd.nextInt(1000);
                    if (FAILS.contains(feed) && x < 100) {
                        all.add(new Attempt(st, cred, inYear(rnd), minute(rnd), false, Kind.FAIL));
                    } else if (x >= 997) {
                        LocalDate d = LocalDate.of(2024, 4, 1).plusDays(rnd.nextInt(90));
                        all.add(new Attempt(st, cred, d, minute(rnd), true, Kind.PRIOR_YEAR));
                    } else if (feed.equals("issuedbadges") && x >= 990) {
                        all.add(new Attempt(st, cred, inYear(rnd), minute(rnd), x >= 994, x >= 994 ? Kind.PENDING
                                : Kind.REVOKED));
                    }
                }
            }
        }
        List<String> credentials = new ArrayList<>(catalog.credentials.keySet());
        long notEnrolled = Math.max(3, Math.round(plan.earned.size() * 0.003));
        for (long i = 0; i < notEnrolled; i++) {
            int st = rnd.nextInt(roster.rosterSize);
            String cred = credentials.get(rnd.nextInt(credentials.size()));
            if (alignedToAny(plan, st, cred) || catalog.credentials.get(cred).deliveredBy().isBlank()) {
                continue;
            }
            all.add(new Attempt(st, cred, inYear(rnd), minute(rnd), true, Kind.NOT_ENROLLED));
        }
        for (int p = roster.rosterSize; p < roster.stateId.length; p++) {
            String cred = credentials.get(rnd.nextInt(credentials.size()));
            all.add(new Attempt(p, cred, inYear(rnd), minute(rnd), true, Kind.NOBODY));
        }
        all.sort(ORDER);
        for (Attempt a : all) {
            String feed = catalog.credentials.get(a.credential).deliveredBy();
            byFeed.computeIfAbsent(feed, f -> new ArrayList<>()).add(a);
        }
    }

    private static boolean alignedToAny(StatePlan plan, int student, String cred) {
        for (int c : plan.students.get(student).courses) {
            if (plan.catalog.alignments.getOrDefault(plan.courseCodes.get(c), List.of()).contains(cred)) {
                return true;
            }
        }
        return false;
    }

    /** A school day of 2024-25 (September to early June), weighted to spring. */
    static LocalDate inYear(SplittableRandom rnd) {
        LocalDate d = LocalDate.of(2024, 9, 3).plusDays(rnd.nextInt(276));
        if (rnd.nextInt(3) == 0) {
            d = LocalDate.of(2025, 3, 1).plusDays(rnd.nextInt(97));
        }
        switch (d.getDayOfWeek()) {
            case SATURDAY: return d.minusDays(1);
            case SUNDAY: return d.plusDays(1);
            default: return d;
        }
    }

    static int minute(SplittableRandom rnd) {
        return 7 * 60 + 30 + rnd.nextInt(8 * 60);
    }
}
