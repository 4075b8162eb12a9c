package org.credentialhub.exceptions;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.accounts.Account;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.mapping.FileRejectedException;
import org.credentialhub.mapping.Mappings;
import org.credentialhub.mapping.RecordReader;
import org.credentialhub.mapping.SourceRow;
import org.credentialhub.store.CopyWriter;
import org.credentialhub.support.Hmac;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A file of district decisions ({@code feed,source,row,decision}), as {@code ./hub resolve --decisions}
 * takes it: each line names a result by its lineage (feed; file name, or {@code file#sheet} for
 * workbooks, or the API record id; row number, 1 for API records) and decides it: a student's state ID
 * (link) or {@code reject}. Applied set-based through {@link Decisions#applyBatch}, in one transaction. A decision
 * is bound to the version of the result its row belongs to (the row's lineage and content hash): one made on a
 * version that an identity-changing correction replaced is reported, not applied, as are decisions for one result
 * that disagree.
 */
public final class DecisionFile {
    private final DataSource dataSource;
    private final Decisions decisions;
    private final Hmac hmac;
    private final Map<String, FeedConfig> feeds;
    private final Mappings mappings;
    private final Path archiveDir;

    public DecisionFile(DataSource dataSource, Decisions decisions, Hmac hmac, Map<String, FeedConfig> feeds,
                        Mappings mappings, Path archiveDir) {
        this.dataSource = dataSource;
        this.decisions = decisions;
        this.hmac = hmac;
        this.feeds = feeds;
        this.mappings = mappings;
        this.archiveDir = archiveDir;
    }

    private record Line(String feed, String source, int row, String decision) {
    }

    public Decisions.BatchOutcome apply(Path file, Account who) throws IOException, SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            stage(c, file, "decision", false);
            Decisions.BatchOutcome out = decisions.applyBatch(c, who);
            c.commit();
            return out;
        }
    }

    /**
     * Automatic matches measured against a generated state's {@code truth.csv} ({@code feed,source,row,state_id}, the
     * same lineage as a decision file; an empty state ID: the student is not on the roster).
     *
     * @param wrong     results matched by the matcher (tier state_id or probabilistic) to another student than truth
     *                  says, or to a student although truth says none is on the roster
     * @param automatic results matched by the matcher
     * @param results   distinct results that truth names
     */
    public record TruthCount(long wrong, long automatic, long results) {
    }

    /** Counts wrong automatic matches against {@code truth.csv} (read only; nothing is applied). */
    public TruthCount countAgainstTruth(Path truthFile) throws IOException, SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            stage(c, truthFile, "state_id", true);
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("""
                         select count(*) filter (where automatic and (b.action = 'reject'
                                                  or s.state_id_hash is distinct from b.state_id_hash)),
                                count(*) filter (where automatic), count(*)
                         from (select distinct on (result_id) result_id, action, state_id_hash from decision_batch
                               where result_id is not null order by result_id) b
                         join (select result_id, student_id, match_decision = 'match'
                                      and match_tier in ('state_id', 'probabilistic') as automatic
                               from result) r using (result_id)
                         left join student s on s.student_id = r.student_id""")) {
                rs.next();
                TruthCount out = new TruthCount(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                c.rollback();
                return out;
            }
        }
    }

    /** What takes the lines of a decision file, one at a time. */
    private interface Lines {
        void take(Line line) throws SQLException;
    }

    /**
     * Reads a decision file line by line into {@code into}, none of it held: a scale-5 state's {@code truth.csv}
     * (2.2 million lines) held as a list ran a 1 GB heap out of memory beside the reporting load.
     */
    private static void read(Path file, String decisionColumn, boolean emptyIsReject, Lines into)
            throws IOException, SQLException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (String col : List.of("feed", "source", "row", decisionColumn)) {
                if (!p.getHeaderMap().containsKey(col)) {
                    throw new IllegalArgumentException(file + ": missing column '" + col + "' (feed,source,row,"
                            + decisionColumn + ")");
                }
            }
            for (CSVRecord rec : p) {
                String decision = rec.get(decisionColumn).trim();
                int row;
                try {
                    row = Integer.parseInt(rec.get("row").trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ": line " + rec.getRecordNumber() + ": row is not a number");
                }
                if (decision.isEmpty()) {
                    if (!emptyIsReject) {
                        throw new IllegalArgumentException(file + ": line " + rec.getRecordNumber() + ": decision is empty");
                    }
                    decision = "reject";
                }
                // the source is exact: a sheet name may end in a space (Excel cuts names at 31 characters)
                into.take(new Line(rec.get("feed").trim(), rec.get("source"), row, decision));
            }
        }
    }

    /** Finds each line's result by its lineage, into temp table {@code decision_batch(result_id, action, state_id_hash)}. */
    private void stage(Connection c, Path file, String decisionColumn, boolean emptyIsReject)
            throws IOException, SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("""
                    create temp table decision_lines (feed text, source text, row int, action text,
                                                      state_id_hash text, lineage text) on commit drop;
                    create temp table decision_batch (result_id bigint, action text, state_id_hash text,
                                                      version int, content_hash text, lineage text) on commit drop""");
        }
        // a first reading checks every line and looks up the workbooks' rows, before the COPY holds the connection;
        // the second COPYs the lines
        Map<String, Map<String, Integer>> workbookRows = new HashMap<>();
        read(file, decisionColumn, emptyIsReject, l -> {
            int hash = l.source().indexOf('#');
            if (hash > 0) {
                String fileName = l.source().substring(0, hash);
                workbookRows.computeIfAbsent(l.feed() + "/" + fileName, k -> workbook(c, l.feed(), fileName));
            }
        });
        try (CopyWriter copy = new CopyWriter(c, "decision_lines", "feed", "source", "row", "action", "state_id_hash",
                "lineage")) {
            read(file, decisionColumn, emptyIsReject, l -> {
                String source = l.source();
                int row = l.row();
                int hash = source.indexOf('#');
                if (hash > 0) {
                    String fileName = source.substring(0, hash);
                    Map<String, Integer> rows = workbookRows.get(l.feed() + "/" + fileName);
                    Integer continuous = rows.get(source.substring(hash + 1) + "#" + row);
                    source = fileName;
                    row = continuous == null ? -1 : continuous;
                }
                boolean reject = l.decision().equalsIgnoreCase("reject");
                copy.value(l.feed()).value(source).value(row).value(reject ? "reject" : "link")
                        .value(reject ? null : hmac.stateId(l.decision()))
                        .value(l.feed() + " " + l.source() + ", row " + l.row()).endRow();
            });
            copy.finish();
        }
        try (Statement st = c.createStatement()) {
            // (no index of the lines: each is read once, in turn, and looks its row up in the lineage; one by feed,
            // source and row, which no plan read, took 0.6-0.86 s at the NC year's 434,069 lines; docs/performance.md,
            // session 54)
            // the lines' count for the plan below, and the deliveries' and their rows' statistics too (a few hundred
            // rows; a sample of the lineage): taken before most deliveries arrived (as after a state's year, when
            // autovacuum had not come round), they had each line's look-up below planned as a walk over every
            // delivery in key order, to the first with the line's file (NC year: 27.6 s for 434,069 lines instead of
            // 2.4 s)
            st.execute("analyze decision_lines, delivery, result_lineage");
            st.executeUpdate("""
                    insert into decision_batch (result_id, action, state_id_hash, version, content_hash, lineage)
                    select coalesce(f.result_id, a.result_id), l.action, l.state_id_hash,
                           coalesce(f.version, a.version), f.content_hash, l.lineage
                    from decision_lines l
                    -- the row the decision names: its result and the version of the result that row belongs to
                    left join lateral (
                             select rl.result_id, rl.version, rl.content_hash
                             from delivery d join result_lineage rl using (delivery_id)
                             where d.feed_code = l.feed and d.source_name = l.source and rl.source_row = l.row
                             order by rl.delivery_id limit 1) f on true
                    -- an API record, by its own id: decided on the record as it stands
                    left join lateral (
                             select r.result_id, r.version from result r where f.result_id is null
                               and r.feed_code = l.feed and r.source_ref = l.source and l.row = 1 limit 1) a on true""");
        }
    }

    /** For a workbook delivery: "sheet#sheetRow" → the row number its lineage carries. */
    private Map<String, Integer> workbook(Connection c, String feed, String fileName) {
        Map<String, Integer> map = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select content_sha256 from delivery where feed_code = ? and source_name = ?
                  and status not in ('duplicate', 'quarantined') order by delivery_id limit 1""")) {
            ps.setString(1, feed);
            ps.setString(2, fileName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return map;
                }
                Path archived = archiveDir.resolve(feed).resolve(rs.getString(1));
                FeedConfig fc = feeds.get(feed);
                if (fc == null || !Files.isRegularFile(archived)) {
                    return map;
                }
                try (InputStream in = Files.newInputStream(archived);
                     RecordReader reader = mappings.get(fc.layoutName()).open(in, fileName)) {
                    SourceRow row;
                    while ((row = reader.next()) != null) {
                        map.put(row.part() + "#" + row.partRow(), row.rowNumber());
                    }
                }
            }
        } catch (SQLException | IOException | FileRejectedException e) {
            throw new IllegalStateException("cannot read the archived workbook " + fileName + ": " + e.getMessage(), e);
        }
        return map;
    }
}
