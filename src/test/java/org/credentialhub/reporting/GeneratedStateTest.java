package org.credentialhub.reporting;

import org.junit.jupiter.api.Nested;

/**
 * The classes that check what comes out of the test run's one generated state ({@link
 * org.credentialhub.support.GeneratedState}), run as one class: a test run's forks each take whole classes, and two
 * forks would each make the state (a minute and a half) for a class of their own. One of them alone:
 * {@code ./mvnw test -Dtest='GeneratedStateTest$Acceptance'} (or {@code $AnnualReport}, {@code $ThreeYears},
 * {@code $OneRoster}).
 */
class GeneratedStateTest {

    @Nested
    class Acceptance extends AcceptanceTest {
    }

    @Nested
    class AnnualReport extends AnnualReportTest {
    }

    @Nested
    class ThreeYears extends ThreeYearsTest {
    }

    @Nested
    class OneRoster extends org.credentialhub.sis.OneRosterGeneratedTest {
    }
}
