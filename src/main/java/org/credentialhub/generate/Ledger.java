package org.credentialhub.generate;

import org.apache.commons.csv.CSVPrinter;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/** truth.csv (who every result record is) and district-decisions.csv (what a district decides), written as we go. */
final class Ledger implements Closeable {
    private final CSVPrinter truth;
    private final CSVPrinter decisions;
    private final Roster roster;
    long truthRows;
    long decisionRows;

    Ledger(Path dir, Roster roster) throws IOException {
        this.roster = roster;
        truth = Roster.printer(dir.resolve("truth.csv"));
        decisions = Roster.printer(dir.resolve("district-decisions.csv"));
        truth.printRecord("feed", "source", "row", "state_id");
        decisions.printRecord("feed", "source", "row", "decision");
    }

    /**
     * One result record. {@code needsDecision}: the record does not carry the student's correct state ID, so a
     * district decides who it is (or rejects it); {@code ingested}: false for copies the hub skips or quarantines.
     */
    void record(String feed, String source, long row, int person, boolean needsDecision, boolean ingested)
            throws IOException {
        boolean onRoster = person < roster.rosterSize;
        truth.printRecord(feed, source, row, onRoster ? roster.stateId[person] : "");
        truthRows++;
        if (ingested && (needsDecision || !onRoster)) {
            decisions.printRecord(feed, source, row, onRoster ? roster.stateId[person] : "reject");
            decisionRows++;
        }
    }

    @Override
    public void close() throws IOException {
        truth.close();
        decisions.close();
    }
}
