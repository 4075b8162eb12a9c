package org.credentialhub.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.credentialhub.matching.LinkRunner;
import org.credentialhub.matching.MatchSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./hub link}: match vendor result rows to roster students (see docs/matching.md). */
@Command(name = "link", mixinStandardHelpOptions = true,
        description = "Match vendor result rows to roster students (crosswalk, state ID, Fellegi-Sunter).")
public final class LinkCommand implements Callable<Integer> {

    @Option(names = "--roster", required = true,
            description = "Roster CSV: id,state_id,first_name,last_name,birth_date,school")
    Path roster;

    @Option(names = "--results", required = true,
            description = "Results CSV: id,state_id,first_name,last_name,birth_date,school "
                    + "(optional columns: district, group_key, candidate_key)")
    Path results;

    @Option(names = "--out", required = true, description = "Decisions CSV: result_id,roster_id,decision,score")
    Path out;

    @Option(names = "--truth", description = "Truth CSV result_id,roster_id: print precision/recall/F1/review rate")
    Path truth;

    @Option(names = "--crosswalk", description = "Earlier decisions CSV candidate_key,roster_id (applied first)")
    Path crosswalk;

    @Option(names = "--explain", description = "Also write each review's candidates and reasons: "
            + "result_id,rank,roster_id,score,reasons")
    Path explain;

    @Option(names = "--match-probability", description = "Auto-match threshold on the posterior (default ${DEFAULT-VALUE})")
    double matchProbability = MatchSettings.defaults().matchProbability();

    @Option(names = "--review-probability", description = "Review threshold on the posterior (default ${DEFAULT-VALUE})")
    double reviewProbability = MatchSettings.defaults().reviewProbability();

    @Override
    public Integer call() throws Exception {
        MatchSettings s = MatchSettings.defaults().withMatchProbability(matchProbability)
                .withReviewProbability(reviewProbability);
        LinkRunner runner = new LinkRunner(s);
        if (explain != null) {
            runner.explainTo(explain);
        }
        runner.run(roster, results, out, truth, crosswalk, System.out);
        return 0;
    }
}
