package org.credentialhub.matching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Matches vendor result rows to roster students. Immutable and thread-safe; create one per run (or per roster and
 * delivery) with {@link #trained} or the constructor.
 *
 * <p>For each row, in this order:
 * <ol>
 *   <li><b>crosswalk</b> (tier 3 of the issue, applied first): the row's {@code candidateKey} was linked to a roster
 *       student before → match;</li>
 *   <li><b>state_id</b>: a roster student has the same state-ID hash and agrees on last name (Jaro-Winkler ≥ 0.92,
 *       or names swapped) or birth date (exact, day/month swapped or one digit off) → match; a first name alone does
 *       not confirm an ID. An ID that agrees but whose first name does not, while another roster student has the
 *       row's first and last name, goes to review (a sibling's ID). A partly alike ID's student stands unless
 *       something points elsewhere; a student whose ID is one edit from the sent one (keyed deletion neighbourhoods,
 *       {@link RosterIndex#rowsOneEditAway}) and whose names and birth date agree is matched ("one digit off");
 *       otherwise the row is scored on its names with the ID weighing against candidates it is not and for the one it
 *       is (by the roster's ID density, {@link MatchWeights#idEqualWeight}), and an ID that is another student's while
 *       the names point elsewhere goes to review, never automatic;</li>
 *   <li><b>probabilistic</b>: Fellegi-Sunter over the blocked candidates ({@link RosterIndex}) with the levels of
 *       {@link Comparisons}, weights log2(m/u) from {@link FsModel} and term-frequency adjusted exact name weights.
 *       The two widest blocks are looked up only when the students they alone would find could come within
 *       {@link #PRUNE_BITS} of the best candidate ({@link MatchWeights#deferredBound}) or the decision reads the other
 *       candidates (the sibling check).
 *       The posterior of the best candidate accounts for all competing candidates and the prior (match share / roster
 *       size). Auto-match needs posterior ≥ {@link MatchSettings#matchProbability()}, a margin of
 *       {@link MatchSettings#minMarginBits()} over the runner-up, no clear first-name conflict, and first-name
 *       agreement when a likely sibling or twin (same surname; same school, or close birth year in the same district) is among the
 *       candidates and the row's first name and birth date do not tell it from the best. Otherwise review (posterior ≥ {@link MatchSettings#reviewProbability()}) or none.</li>
 * </ol>
 * Within one {@link #matchBatch} call, rows with the same non-null {@link ResultRecord#groupKey()} never auto-match the
 * same student twice: only the strongest claim stays a match, the others become reviews ({@link OneToOneAssignment}).
 *
 * <p>This class holds the tiers and the scoring flow; the model's weights over the roster are {@link MatchWeights},
 * the candidates' reasons are built by {@link MatchExplanation}, and {@link OneToOneAssignment} settles competing claims.
 *
 * <p>The matcher logs counts and timings only, never names, dates or IDs, and its exceptions carry no values.
 */
public final class Matcher {
    private static final Logger LOG = LoggerFactory.getLogger(Matcher.class);

    private final RosterIndex index;
    private final FsModel model;
    private final MatchSettings settings;
    private final Crosswalk crosswalk;
    /** The model's weights over this roster (scoring, see {@link MatchWeights}). */
    private final MatchWeights weights;
    /** Builds the reasons of the candidates a decision reports (see {@link MatchExplanation}). */
    private final MatchExplanation explanation;
    private final double logPriorOdds;
    /**
     * Whether blocking also looks at the schools one typing mistake from the sent one: only when the fitted model
     * weighs such a school as evidence for a match (where school codes are dense and students change schools, a
     * neighbouring code is chance and the lookups would only add candidates).
     */
    private final boolean blockNearSchools;
    /** Candidates whose score bound is this far below the best are not scored in full. */
    static final double PRUNE_BITS = 20.0;
    /** Batches of this many rows or more are matched on both cores ({@link #matchBatch}). */
    static final int PARALLEL_FROM = 256;
    private final ThreadLocal<Work> work = ThreadLocal.withInitial(Work::new);
    /**
     * Whether the widest blocks are looked up only when they could matter ({@link #mustWiden}); false looks every
     * block up for every row (the reference the tests compare with).
     */
    private boolean deferWide = true;

    /**
     * @param index     roster index
     * @param model     m/u parameters (see {@link ModelTrainer})
     * @param settings  decision thresholds
     * @param crosswalk earlier decisions; may be null
     */
    public Matcher(RosterIndex index, FsModel model, MatchSettings settings, Crosswalk crosswalk) {
        this.index = Objects.requireNonNull(index, "index");
        this.model = Objects.requireNonNull(model, "model");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.crosswalk = crosswalk == null ? Crosswalk.empty() : crosswalk;
        this.weights = MatchWeights.of(index, model);
        this.explanation = new MatchExplanation(index, weights);
        this.blockNearSchools = weights.w[Comparisons.SCHOOL][Comparisons.PLACE_SCHOOL_ONE_EDIT] > 0;
        double share = model.matchShare();
        this.logPriorOdds = FsModel.log2(share / (1 - share)) - FsModel.log2(Math.max(1, index.size()));
    }

    /** Estimates the model from this batch and the roster (EM, see {@link ModelTrainer}) and returns a matcher. */
    public static Matcher trained(RosterIndex index, List<ResultRecord> batch, MatchSettings settings,
                                  Crosswalk crosswalk) {
        long t0 = System.nanoTime();
        FsModel model = new ModelTrainer().maxBlockSize(settings.maxBlockSize()).train(index, batch);
        LOG.info("model fitted in {} ms (EM {}, {} candidate pairs)", (System.nanoTime() - t0) / 1_000_000,
                model.estimated() ? "converged after " + model.emIterations + " iterations" : "skipped: too few pairs",
                model.trainingPairs);
        return new Matcher(index, model, settings, crosswalk);
    }

    public FsModel model() {
        return model;
    }

    /** This matcher looking up every block for every row (see {@link #deferWide}); for comparison in tests. */
    Matcher everyBlock() {
        Matcher m = new Matcher(index, model, settings, crosswalk);
        m.deferWide = false;
        return m;
    }

    public MatchSettings settings() {
        return settings;
    }

    /** Per-thread scratch space. */
    private static final class Work {
        final RosterIndex.Scratch scratch = new RosterIndex.Scratch();
        final int[] lv = new int[Comparisons.FIELDS];
        final int[] idRows = new int[16];
        /** Rows whose state ID is one edit from the sent one (this row's). */
        final int[] nearRows = new int[64];
        int nearCount;
        /** Rows whose state ID is the sent one (in {@link #idRows}), and how many there are (more when they did not fit). */
        int idCount;
        int idTotal;
        /** The runner-up's position among the candidates ({@link #rank}). */
        int second;
        double[] weights = new double[256];
        double[] bounds = new double[256];
        boolean[] firstAgree = new boolean[256];
        /** The match and the runner-up's positions among the candidates. */
        final int[] picked = new int[2];
        /** The fully scored candidates' levels, packed ({@link MatchExplanation#pack}). */
        int[] levels = new int[256];
        /** This row's name levels against dictionary names (reset for each row). */
        final NameMemo names = new NameMemo();
        /** The facts of the names and places this thread's rows sent ({@link RosterIndex#probe(ResultRecord, ProbeMemo)}). */
        final ProbeMemo probes = new ProbeMemo();
        /** The candidates' columns ({@link RosterIndex#gather}). */
        int[] gathered = new int[256 << RosterIndex.STRIDE_SHIFT];
    }

    /**
     * Matches a batch (one delivery), in parallel, then enforces one-to-one assignment per group key.
     *
     * @return one decision per row, in input order
     */
    public List<Decision> matchBatch(List<ResultRecord> batch) {
        Decision[] out = new Decision[batch.size()];
        OneToOneAssignment assignment = new OneToOneAssignment(batch, out);
        // a small delivery's rows on the caller's thread: handing a few dozen rows to the common pool's threads costs
        // more than it shares, and on a busy machine each hand-over waits for a core
        IntStream rows = IntStream.range(0, batch.size());
        (batch.size() >= PARALLEL_FROM ? rows.parallel() : rows).forEach(i -> {
            out[i] = match(batch.get(i));
            assignment.claim(i);
        });
        int conflicts = assignment.enforce();
        if (conflicts > 0) {
            LOG.info("one-to-one: {} auto-matches turned into reviews", conflicts);
        }
        return Arrays.asList(out);
    }

    /** Matches one row on its own (no one-to-one constraint). */
    public Decision match(ResultRecord r) {
        Work wk = work.get();
        // tier 3: crosswalk of earlier decisions
        Long linked = crosswalk.lookup(r.candidateKey());
        if (linked != null && r.candidateKey().equals(r.stateIdHash()) && idConfirmsAnother(r, linked, wk)) {
            linked = null; // a decision about a mistyped ID that is this row's student's own: not about this row
        }
        if (linked != null) {
            return new Decision(r.id(), Outcome.MATCH, linked, 1.0, Decision.TIER_CROSSWALK,
                    List.of(new Candidate(linked, Double.NaN, List.of("crosswalk: linked by an earlier decision"))));
        }
        Probe p = index.probe(r, wk.probes);
        wk.names.reset();
        wk.nearCount = 0;
        wk.idCount = 0;
        wk.idTotal = 0;
        // tier 1: state ID, corroborated by last name or birth date
        if (p.idFp != 0) {
            int k = index.rowsWithStateId(p.idFp, wk.idRows);
            wk.idCount = Math.min(k, wk.idRows.length);
            wk.idTotal = k;
            // (the students whose ID is one edit from the sent one are looked up below, when the ID is no corroborated
            // student's: a decision for corroborated students reads them nowhere, as their ID weighs as equal)
            int corroborated = -1;
            int nCorroborated = 0;
            for (int i = 0; i < k; i++) {
                Comparisons.levels(p, index, wk.idRows[i], wk.lv, wk.names);
                if (corroborates(wk.lv)) {
                    corroborated = wk.idRows[i];
                    nCorroborated++;
                }
            }
            if (nCorroborated == 1) {
                Comparisons.levels(p, index, corroborated, wk.lv, wk.names);
                int fl = wk.lv[Comparisons.FIRST];
                boolean conflict = settings.requireFirstNameAgreementForSiblings()
                        && fl > Comparisons.FN_JW92
                        && otherStudentFitsNames(p, corroborated, wk);
                boolean nothingSent = wk.lv[Comparisons.FIRST] < 0 && wk.lv[Comparisons.LAST] < 0 && wk.lv[Comparisons.DOB] < 0;
                Candidate c = explain(p, corroborated, wk,
                        conflict ? "decision: state ID agrees but first name does not, and another student has this row's names (sibling's ID?)"
                                : nothingSent ? "state_id: equal; no name or birth date was sent that could contradict it"
                                : "state_id: equal, corroborated by last name or birth date");
                if (conflict) {
                    return new Decision(r.id(), Outcome.REVIEW, null, 1.0, Decision.TIER_STATE_ID, List.of(c));
                }
                return new Decision(r.id(), Outcome.MATCH, index.idAt(corroborated), 1.0, Decision.TIER_STATE_ID,
                        List.of(c));
            }
            if (nCorroborated > 1) {
                List<Candidate> cs = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    Comparisons.levels(p, index, wk.idRows[i], wk.lv, wk.names);
                    if (corroborates(wk.lv)) {
                        cs.add(explain(p, wk.idRows[i], wk, "decision: several roster students share this state ID"));
                    }
                }
                return new Decision(r.id(), Outcome.REVIEW, null, 1.0, Decision.TIER_STATE_ID, cs);
            }
            long[] near = p.near();
            if (near == null && k > 0) {
                near = index.nearOf(wk.idRows[0]); // the same ID: its student's neighbourhood is the sent one's
            }
            wk.nearCount = index.rowsOneEditAway(near, p.idFp, wk.idRows, k, wk.nearRows);
            if (k == 1) {
                Decision weak = weaklyCorroborated(r, p, wk, wk.idRows[0]);
                if (weak != null) {
                    return weak;
                }
            }
            Decision off = oneEditOff(r, p, wk);
            if (off != null) {
                return off;
            }
            // the ID is nobody's, or another student's whose last name and birth date disagree: scored on names, the
            // ID weighing against every candidate whose ID it is not
            Decision byNames = probabilistic(r, p, wk);
            if (k > 0 && byNames.outcome() == Outcome.MATCH && byNames.rosterId() != index.idAt(wk.idRows[0])
                    && !isNear(byNames.rosterId(), wk)) {
                // the ID lands on another student while the names point elsewhere: never automatic
                List<Candidate> cs = new ArrayList<>(byNames.candidates());
                cs.add(explain(p, wk.idRows[0], wk,
                        "decision: the state ID is another student's, whose last name and birth date disagree"));
                return new Decision(r.id(), Outcome.REVIEW, null, byNames.score(), Decision.TIER_STATE_ID,
                        List.copyOf(cs));
            }
            return byNames;
        }
        return probabilistic(r, p, wk);
    }

    /**
     * Whether the row's state ID is another roster student's than {@code linked}, and that student's last name or birth
     * date agrees with the row. An earlier decision keyed by a state ID (a vendor that sends no candidate id) may have
     * been made for a row whose ID was mistyped onto this student's ID; it must not carry this student's own results
     * to the student the typo's row was linked to.
     */
    private boolean idConfirmsAnother(ResultRecord r, long linked, Work wk) {
        Probe p = index.probe(r, wk.probes);
        int k = index.rowsWithStateId(p.idFp, wk.idRows);
        for (int i = 0; i < k; i++) {
            if (index.idAt(wk.idRows[i]) != linked) {
                Comparisons.levels(p, index, wk.idRows[i], wk.lv);
                int f = wk.lv[Comparisons.FIRST];
                if (corroborates(wk.lv) && f <= Comparisons.FN_JW92 && (f >= 0 || wk.lv[Comparisons.LAST] >= 0)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * An ID whose student is only partly corroborated: both names alike (Jaro-Winkler ≥ 0.80, a damaged spelling rather
     * than another person's name), or one of them at the same school with no birth date against it. Such an ID
     * stands unless something points at someone else: a student whose ID is one edit from the sent one fits the row
     * better (the ID was mistyped), scoring the row on its names auto-matches another student, or a sibling fits the
     * names. Null when the ID does not stand this way.
     */
    private Decision weaklyCorroborated(ResultRecord r, Probe p, Work wk, int idRow) {
        Comparisons.levels(p, index, idRow, wk.lv, wk.names);
        int f = wk.lv[Comparisons.FIRST];
        int l = wk.lv[Comparisons.LAST];
        int d = wk.lv[Comparisons.DOB];
        // (alike: Jaro-Winkler ≥ 0.80, or one typing mistake apart, which Jaro-Winkler misses on short names)
        // one name alike is not enough on its own: the other must be alike too, or the student be at the row's
        // school with no birth date against it (a first name and a wholly different surname elsewhere, or with a
        // birth date years off, is a typo landing on another student's ID)
        boolean firstAlike = f >= 0 && f <= Comparisons.FN_JW80
                || f >= Comparisons.FN_TWO_EDITS && Comparisons.oneTypoApart(p.first, index.firstName(idRow));
        boolean lastAlike = l >= 0 && l <= Comparisons.LN_JW80
                || l >= Comparisons.LN_TWO_EDITS && (Comparisons.oneTypoApart(p.last, index.lastName(idRow))
                        || Comparisons.sharesSurnamePart(p.last, index.lastName(idRow)));
        boolean alike = firstAlike && lastAlike;
        // a name that agrees (not merely alike) at the student's school while the other name was not sent: nothing
        // but the birth date is against it, and a birth date is mistyped more often than a state ID lands on a
        // schoolmate with the same name (issue 12: fake_1000 rows with their ID, first name and place, no surname)
        boolean oneNameOnly = f >= 0 && f <= Comparisons.FN_JW92 && l < 0
                || l >= 0 && l <= Comparisons.LN_JW92 && f < 0;
        boolean atSchool = (firstAlike || lastAlike) && wk.lv[Comparisons.SCHOOL] == Comparisons.PLACE_SAME_SCHOOL
                && (d <= Comparisons.DOB_ONE_DIGIT || oneNameOnly);
        if (!alike && !atSchool) {
            return null;
        }
        double idScore = fieldScore(p, idRow, wk);
        for (int q = 0; q < wk.nearCount; q++) {
            if (fieldScore(p, wk.nearRows[q], wk) > idScore) {
                return null;
            }
        }
        Decision byNames = probabilistic(r, p, wk);
        if (byNames.outcome() == Outcome.MATCH && byNames.rosterId() != index.idAt(idRow)) {
            return null;
        }
        if (settings.requireFirstNameAgreementForSiblings() && f > Comparisons.FN_JW92
                && otherStudentFitsNames(p, idRow, wk)) {
            return null;
        }
        Comparisons.levels(p, index, idRow, wk.lv, wk.names);
        Candidate c = explain(p, idRow, wk, alike
                ? "state_id: equal; names alike but damaged, and no other student fits them"
                : "state_id: equal; a name alike and the same school, no birth date against it, and no other student fits");
        return new Decision(r.id(), Outcome.MATCH, index.idAt(idRow), 1.0, Decision.TIER_STATE_ID, List.of(c));
    }

    /** The row's match weight against a roster row on names, birth date and school (no state ID). */
    private double fieldScore(Probe p, int row, Work wk) {
        boolean swapped = Comparisons.levels(p, index, row, wk.lv, wk.names);
        return weights.score(p, row, wk.lv, swapped);
    }

    /** Whether a roster student's ID is one edit from the sent one. */
    private boolean isNear(Long rosterId, Work wk) {
        for (int q = 0; q < wk.nearCount; q++) {
            if (rosterId != null && index.idAt(wk.nearRows[q]) == rosterId) {
                return true;
            }
        }
        return false;
    }

    /**
     * A sent ID one edit from exactly one student's ID (one digit changed or two adjacent digits swapped) whose first
     * and last name agree, and whose birth date agrees (or none was sent, and scoring the row on its names
     * auto-matches that student too): that student, with the reason; review when the names auto-match someone else.
     * Null when no such student.
     */
    private Decision oneEditOff(ResultRecord r, Probe p, Work wk) {
        int found = -1;
        int nFound = 0;
        boolean dobAgrees = false;
        for (int i = 0; i < wk.nearCount; i++) {
            int row = wk.nearRows[i];
            Comparisons.levels(p, index, row, wk.lv, wk.names);
            int f = wk.lv[Comparisons.FIRST];
            int l = wk.lv[Comparisons.LAST];
            int d = wk.lv[Comparisons.DOB];
            if (f >= 0 && f <= Comparisons.FN_JW92 && l >= 0 && l <= Comparisons.LN_JW92
                    && d <= Comparisons.DOB_ONE_DIGIT) {
                found = row;
                nFound++;
                dobAgrees = d >= 0;
            }
        }
        if (nFound != 1) {
            return null;
        }
        Decision byNames = probabilistic(r, p, wk);
        if (!dobAgrees && (byNames.outcome() != Outcome.MATCH || byNames.rosterId() != index.idAt(found))) {
            return null;
        }
        if (byNames.outcome() == Outcome.MATCH && byNames.rosterId() != index.idAt(found)) {
            List<Candidate> cs = new ArrayList<>(byNames.candidates());
            cs.add(explain(p, found, wk, "decision: state ID one digit off from this student's, but the names point at "
                    + "another student"));
            return new Decision(r.id(), Outcome.REVIEW, null, byNames.score(), Decision.TIER_STATE_ID,
                    List.copyOf(cs));
        }
        Candidate c = explain(p, found, wk,
                "state_id: one digit off (one digit changed or two adjacent digits swapped); names and birth date agree");
        return new Decision(r.id(), Outcome.MATCH, index.idAt(found), 1.0, Decision.TIER_STATE_ID, List.of(c));
    }

    /** Whether another roster student (a blocked candidate) agrees with the row on first and last name. */
    private boolean otherStudentFitsNames(Probe p, int idRow, Work wk) {
        RosterIndex.Scratch s = wk.scratch;
        index.candidates(p, settings.maxBlockSize(), blockNearSchools, s);
        int[] id = new int[Comparisons.FIELDS];
        Comparisons.levels(p, index, idRow, id, wk.names);
        int[] lv = new int[Comparisons.FIELDS];
        for (int i = 0; i < s.count; i++) {
            int row = s.rows[i];
            if (row == idRow) {
                continue;
            }
            Comparisons.levels(p, index, row, lv, wk.names);
            int f = lv[Comparisons.FIRST];
            int l = lv[Comparisons.LAST];
            // the sibling must fit the row's names, and be the ID's student's equal on birth date and place:
            // a namesake elsewhere, or one whose birth date the row does not carry, is not the one who typed it
            if (f >= 0 && f <= Comparisons.FN_JW92 && l >= 0 && l <= Comparisons.LN_JW92
                    && noWorse(lv[Comparisons.DOB], id[Comparisons.DOB])
                    && noWorse(lv[Comparisons.SCHOOL], id[Comparisons.SCHOOL])) {
                return true;
            }
        }
        return false;
    }

    /** Level {@code a} agrees at least as well as {@code b} (lower is better; missing compares equal to anything). */
    private static boolean noWorse(int a, int b) {
        return a == Comparisons.MISSING || b == Comparisons.MISSING || a <= b;
    }

    /**
     * Whether a roster row with the same state ID is confirmed by the result: the last name (Jaro-Winkler ≥ 0.92, or
     * first and last name swapped) or the birth date (exact, day/month swapped, one digit off) agrees (a sibling's ID,
     * same surname, is then caught by the sibling check of the caller). A first name alone does not confirm an ID: a digit typo that lands on another student's ID often keeps a common first name.
     * A result that sent neither names nor birth date (an ID-only record, such as an Open Badges credential) has
     * nothing that could contradict it and is confirmed. Both names unlike the student's (not even two typing
     * mistakes apart, nor swapped) refuse it whatever the birth date.
     */
    static boolean corroborates(int[] lv) {
        int f = lv[Comparisons.FIRST];
        int l = lv[Comparisons.LAST];
        int d = lv[Comparisons.DOB];
        if (f < 0 && l < 0 && d < 0) {
            return true;
        }
        if (f == Comparisons.FN_OTHER && l == Comparisons.LN_OTHER) {
            return false; // another person's first and last name: a birth date alone (a date many share) does not outweigh them
        }
        boolean lastAgrees = l >= 0 && l <= Comparisons.LN_JW92;
        boolean dobAgrees = d >= 0 && d <= Comparisons.DOB_ONE_DIGIT;
        return lastAgrees || dobAgrees;
    }

    private Decision probabilistic(ResultRecord r, Probe p, Work wk) {
        RosterIndex.Scratch s = wk.scratch;
        if (deferWide) {
            index.candidatesDeferringWide(p, settings.maxBlockSize(), blockNearSchools, s);
        } else {
            index.candidates(p, settings.maxBlockSize(), blockNearSchools, s);
        }
        if (wk.nearCount > 0 || wk.idCount > 0) {
            // the students the sent ID is, or is one edit from, are candidates whatever the blocking found
            for (int q = 0; q < wk.nearCount; q++) {
                s.addRow(wk.nearRows[q]);
            }
            for (int q = 0; q < wk.idCount; q++) {
                s.addRow(wk.idRows[q]);
            }
        }
        int best = rank(p, wk, 0, s.count, -1);
        if (s.deferred() && mustWiden(p, wk, best)) {
            int had = s.count;
            index.addDeferred(settings.maxBlockSize(), s);
            best = rank(p, wk, had, s.count, best);
        }
        int n = s.count;
        if (best < 0) {
            return new Decision(r.id(), Outcome.NONE, null, 0.0, Decision.TIER_PROBABILISTIC, List.of());
        }
        double[] ws = wk.weights;
        int second = wk.second;
        // posterior of the best candidate against all candidates and "no match in roster"
        double maxLo = Math.max(0, ws[best] + logPriorOdds);
        double denom = Math.pow(2, -maxLo);
        for (int i = 0; i < n; i++) {
            if (ws[i] != Double.NEGATIVE_INFINITY) {
                denom += Math.pow(2, ws[i] + logPriorOdds - maxLo);
            }
        }
        double post = Math.pow(2, ws[best] + logPriorOdds - maxLo) / denom;
        int bestRow = s.rows[best];

        String blocker = null;
        if (post < settings.matchProbability()) {
            blocker = "decision: match probability below the auto-match threshold";
        } else if (second >= 0 && ws[best] - ws[second] < settings.minMarginBits()) {
            blocker = "decision: runner-up too close (margin below " + settings.minMarginBits() + " bits)";
        } else {
            if (settings.firstNameConflictBlocksAutoMatch()
                    && firstNameLevel(p, bestRow, wk) == Comparisons.FN_OTHER) {
                blocker = "decision: first name differs";
            } else if (settings.requireFirstNameAgreementForSiblings() && !wk.firstAgree[best]
                    && siblingAmongCandidates(p, best, s)) {
                blocker = "decision: possible sibling/twin among candidates and first name does not agree";
            }
        }
        if (blocker == null) {
            // the match and the runner-up, as the ranking found them
            List<Candidate> cs = List.of();
            if (settings.explain()) {
                int[] picked = wk.picked;
                picked[0] = best;
                picked[1] = second;
                cs = explanation.ranked(p, ws, s.rows, wk.levels, picked, second >= 0 ? 2 : 1, null, wk.nearRows,
                        wk.nearCount);
            }
            return new Decision(r.id(), Outcome.MATCH, index.idAt(bestRow), post, Decision.TIER_PROBABILISTIC, cs);
        }
        if (post >= settings.reviewProbability()) {
            List<Candidate> cs = settings.explain() ? top(p, wk, n, settings.reportedCandidates(), blocker)
                    : List.of();
            return new Decision(r.id(), Outcome.REVIEW, null, post, Decision.TIER_PROBABILISTIC, cs);
        }
        return new Decision(r.id(), Outcome.NONE, null, post, Decision.TIER_PROBABILISTIC, List.of());
    }

    /**
     * Whether the candidates the widest blocking schemes would add must be looked up for this row: unless the best
     * candidate so far (row {@code best} of the scratch, -1 for none) is ahead of anything they could add by more
     * than {@link #PRUNE_BITS} ({@link MatchWeights#deferredBound}), so that each would weigh as a candidate pruned,
     * and the decision reads none of the other candidates: no sibling check (the best's first name agrees), and every
     * student with the sent state ID is among the candidates.
     */
    private boolean mustWiden(Probe p, Work wk, int best) {
        if (best < 0 || wk.idTotal > wk.idCount
                || settings.requireFirstNameAgreementForSiblings() && !wk.firstAgree[best]) {
            return true;
        }
        RosterIndex.Scratch s = wk.scratch;
        return wk.weights[best] - PRUNE_BITS <= weights.deferredBound(p, s.dobRuledOut, s.schoolRuledOut, wk.names);
    }

    /**
     * Scores the candidates {@code scratch.rows[from..n)} into {@code wk.weights} (negative infinity for the pruned)
     * and ranks {@code [0..n)}: returns the best one's position (-1 when there are none) and puts the runner-up's in
     * {@code wk.second} (-1 when none was scored). {@code from} &gt; 0 adds candidates to those ranked before, whose
     * best was {@code best}: they are pruned against its score as if they had come after them in one pass.
     */
    private int rank(Probe p, Work wk, int from, int n, int best) {
        RosterIndex.Scratch s = wk.scratch;
        wk.second = -1;
        if (n == 0) {
            return -1;
        }
        if (wk.weights.length < n) {
            wk.weights = Arrays.copyOf(wk.weights, n * 2);
            wk.bounds = Arrays.copyOf(wk.bounds, n * 2);
            wk.firstAgree = Arrays.copyOf(wk.firstAgree, n * 2);
            wk.levels = Arrays.copyOf(wk.levels, n * 2);
        }
        double[] ws = wk.weights;
        // Phase 1: cheap upper bound per candidate (birth date, school and state ID exactly; names from their codes:
        // the sent name's code is exact, another is at best alike, see MatchWeights#nameBound).
        int[] g = wk.gathered = index.gather(s.rows, from, n, wk.gathered);
        int top = -1;
        for (int i = from; i < n; i++) {
            int o = i << RosterIndex.STRIDE_SHIFT;
            ws[i] = weights.upperBound(p, g, o)
                    + weights.idWeight(p, s.rows[i], g[o + 6], wk.nearRows, wk.nearCount);
            if (top < 0 || ws[i] > ws[top]) {
                top = i;
            }
        }
        // Phase 2: full scores, skipping candidates that cannot come within PRUNE_BITS of the best (negligible
        // posterior mass, below 2^-PRUNE_BITS each): by the bound, then by the bound with the last name compared
        // (most other students are told apart by it, without comparing the first name).
        double[] ub = wk.bounds;
        System.arraycopy(ws, from, ub, from, n - from);
        double bestScore;
        if (best < 0) {
            best = top;
            bestScore = fullScore(p, s.rows[best], wk, best);
            ws[best] = bestScore;
        } else {
            bestScore = ws[best];
        }
        for (int i = from; i < n; i++) {
            if (i == best) {
                continue;
            }
            int o = i << RosterIndex.STRIDE_SHIFT;
            if (ub[i] < bestScore - PRUNE_BITS
                    || weights.boundByLastName(p, g[o], g[o + 1], ub[i], wk.names, index) < bestScore - PRUNE_BITS) {
                ws[i] = Double.NEGATIVE_INFINITY;
                wk.firstAgree[i] = false;
                continue;
            }
            ws[i] = fullScore(p, s.rows[i], wk, i);
            if (ws[i] > bestScore) {
                bestScore = ws[i];
            }
        }
        best = -1;
        int second = -1;
        for (int i = 0; i < n; i++) {
            if (best < 0 || ahead(ws, s.rows, i, best, index)) {
                second = best;
                best = i;
            } else if (second < 0 || ahead(ws, s.rows, i, second, index)) {
                second = i;
            }
        }
        if (second >= 0 && ws[second] == Double.NEGATIVE_INFINITY) {
            second = -1;
        }
        wk.second = second;
        return best;
    }

    /**
     * Whether candidate {@code i} ranks before candidate {@code j}: a higher score, or the same score and the first in
     * the roster's order of contents ({@link RosterIndex#before}; candidates come in the order the blocking found them,
     * and the rows in the order the students were read, which went with the hub's identity key: the ranking must depend
     * on neither).
     */
    static boolean ahead(double[] ws, int[] rows, int i, int j, RosterIndex index) {
        return ws[i] > ws[j] || ws[i] == ws[j] && index.before(rows[i], rows[j]);
    }

    private int firstNameLevel(Probe p, int row, Work wk) {
        Comparisons.levels(p, index, row, wk.lv, wk.names);
        return wk.lv[Comparisons.FIRST];
    }

    /**
     * Another candidate with the best one's surname and another first name, in the same school, or born within 3
     * years in the same district (or where either school is unknown), whom the row does not tell apart from the best:
     * its first name fits the sibling at least as well as the best (or was not sent), and so does its birth date. A
     * row whose first name is the best's misspelt (and not the sibling's), or whose birth date is the best's and not
     * the sibling's, is the best's (issue 12: true matches with a typo in the first name went to review).
     */
    private boolean siblingAmongCandidates(Probe p, int best, RosterIndex.Scratch s) {
        int b = s.rows[best];
        int lb = index.last(b);
        if (lb < 0) {
            return false;
        }
        int[] bl = null;
        int[] cl = null;
        for (int i = 0; i < s.count; i++) {
            int c = s.rows[i];
            if (i == best || index.last(c) != lb || index.first(c) == index.first(b)) {
                continue;
            }
            // siblings live together: same school, or close in age in the same district (or where the place is
            // not known). Age alone is no evidence among high-school students, who are all close in age.
            boolean placeKnown = index.school(b) >= 0 && index.school(c) >= 0;
            boolean sameSchool = placeKnown && index.school(b) == index.school(c);
            boolean sameDistrict = index.district(b) >= 0 && index.district(b) == index.district(c);
            int yb = index.dob(b) / 10000;
            int yc = index.dob(c) / 10000;
            boolean closeYear = yb > 0 && yc > 0 && Math.abs(yb - yc) <= 3;
            if (!(sameSchool || closeYear && (sameDistrict || !placeKnown))) {
                continue;
            }
            if (bl == null) {
                bl = new int[Comparisons.FIELDS];
                cl = new int[Comparisons.FIELDS];
                Comparisons.levels(p, index, b, bl);
            }
            Comparisons.levels(p, index, c, cl);
            if (noWorse(cl[Comparisons.FIRST], bl[Comparisons.FIRST]) && noWorse(cl[Comparisons.DOB], bl[Comparisons.DOB])) {
                return true;
            }
        }
        return false;
    }

    private double fullScore(Probe p, int row, Work wk, int i) {
        boolean swapped = Comparisons.levels(p, index, row, wk.lv, wk.names);
        int fl = wk.lv[Comparisons.FIRST];
        wk.firstAgree[i] = fl >= 0 && fl <= Comparisons.FN_JW92;
        wk.levels[i] = MatchExplanation.pack(wk.lv, swapped);
        return weights.score(p, row, wk.lv, swapped) + idWeight(p, row, wk);
    }

    /** Weight of the sent state ID for a candidate (see {@link MatchWeights#idWeight}). */
    private double idWeight(Probe p, int row, Work wk) {
        return weights.idWeight(p, row, wk.nearRows, wk.nearCount);
    }

    /** The {@code k} best-scored candidates, the first with the note (see {@link MatchExplanation#top}). */
    private List<Candidate> top(Probe p, Work wk, int n, int k, String note) {
        return explanation.top(p, wk.weights, wk.scratch.rows, wk.levels, n, k, note, wk.nearRows, wk.nearCount);
    }

    /** A candidate with its match weight and reasons (see {@link MatchExplanation#explain}). */
    private Candidate explain(Probe p, int row, Work wk, String note) {
        return explanation.explain(p, row, wk.lv, wk.nearRows, wk.nearCount, note);
    }
}
