package org.credentialhub.matching;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.credentialhub.support.Reference;

/**
 * A roster of 30,000 synthetic students and 3,000 results sent for them ({@link MatchingBenchmark}'s, names drawn with
 * their real frequencies), with the model fitted on those results: the matching tests' state at a small size.
 */
record SyntheticRoster(RosterIndex index, List<ResultRecord> sent, FsModel model) {

    /** The same row with its names swapped. */
    static final UnaryOperator<ResultRecord> SWAPPED = r -> ResultVariants.withNames(r, r.lastName(), r.firstName());
    /** The same row with its first name alone. */
    static final UnaryOperator<ResultRecord> FIRST_ALONE = r -> ResultVariants.withNames(r, r.firstName(), null);

    /** The roster, results and model of {@code seed} (the bench's and the trainer's). */
    static SyntheticRoster of(long seed) throws IOException {
        MatchingBenchmark bench = new MatchingBenchmark(30_000, 3_000, seed, Reference.path("names/people.csv"));
        RosterIndex index = bench.index(new long[3]);
        List<ResultRecord> sent = bench.results().rows();
        return new SyntheticRoster(index, sent, new ModelTrainer().seed(seed).train(index, sent));
    }

    /** The model's weights over the roster. */
    MatchWeights weights() {
        return new MatchWeights(index, model);
    }

    /** Each row sent, followed by each of its {@code readings} (the same row with other names). */
    @SafeVarargs
    final List<ResultRecord> sentWith(UnaryOperator<ResultRecord>... readings) {
        List<ResultRecord> rows = new ArrayList<>();
        for (ResultRecord r : sent) {
            rows.add(r);
            for (UnaryOperator<ResultRecord> reading : readings) {
                rows.add(reading.apply(r));
            }
        }
        return rows;
    }
}
