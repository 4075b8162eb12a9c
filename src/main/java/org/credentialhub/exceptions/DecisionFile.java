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
import org.credentialhub.store.LocalSettings;
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
        try (Truth truth = lookUpTruth(truthFile)) {
            return truth.count();
        }
    }

    /**
     * The lines of {@code truth.csv} with their results found ({@link #stage}), in a transaction of their own that
     * nothing commits, held until {@link Truth#count} counts the matcher's decisions as they are then: the results'
     * rows and lineage do not change once every delivery is processed, their decisions may (a re-match), and each of
     * the transaction's statements sees what was committed before it (read committed). So the lines, most of the
     * count's work, can be looked up beside a re-match and counted after it.
     */
    public Truth lookUpTruth(Path truthFile) throws IOException, SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            stage(c, truthFile, "state_id", true);
            return new Truth(c);
        } catch (IOException | SQLException | RuntimeException e) {
            org.credentialhub.store.Rollback.after(c, e);
            c.close();
            throw e;
        }
    }

    /** A truth file's lines looked up ({@link #lookUpTruth}); closing it rolls its transaction back. */
    public static final class Truth implements AutoCloseable {
        private final Connection c;

        private Truth(Connection c) {
            this.c = c;
        }

        /** The matcher's automatic matches, as committed now, against the lines. */
        public TruthCount count() throws SQLException {
            // each result's lines sorted in memory (at the server's 4 MB, on disk: the NC year's 434,069 lines)
            LocalSettings.set(c, "work_mem", LINES_WORK_MEM);
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
                return new TruthCount(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                c.rollback();
            } finally {
                c.close();
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

    /**
     * PostgreSQL's {@code work_mem} while a file's lines are looked up and counted: their joins with the lineage hash,
     * and their sorts, in memory (the NC year's 434,069 lines sorted on disk at the server's 4 MB).
     */
    static final String LINES_WORK_MEM = "64MB";

    /**
     * Each line's result: the first delivery of its feed and file (or workbook) with a lineage row of its row number,
     * else, for a line of row 1, the feed's API record of that id; parameters none. The lines are joined with the
     * deliveries and the lineage, and the planner chooses how: a few lines look their rows up by index, a state's
     * year of lines (the NC year's 434,069 of {@code truth.csv}) hash them, where a look-up per line, as this was
     * written before, took 4.9 s against 3.1 s (psql, docs/performance.md, session 57).
     */
    static final String LOOK_UP = """
            insert into decision_batch (result_id, action, state_id_hash, version, content_hash, lineage)
            select coalesce(f.result_id, a.result_id), l.action, l.state_id_hash,
                   coalesce(f.version, a.version), f.content_hash, l.lineage
            from decision_lines l
            -- the row the decision names: its result and the version of the result that row belongs to
            left join (select distinct on (l.line) l.line, rl.result_id, rl.version, rl.content_hash
                       from decision_lines l
                       join delivery d on d.feed_code = l.feed and d.source_name = l.source
                       join result_lineage rl on rl.delivery_id = d.delivery_id and rl.source_row = l.row
                       order by l.line, rl.delivery_id, rl.result_id) f on f.line = l.line
            -- an API record, by its own id: decided on the record as it stands
            left join (select distinct on (l.line) l.line, r.result_id, r.version
                       from decision_lines l join result r on r.feed_code = l.feed and r.source_ref = l.source
                       where l.row = 1
                       order by l.line, r.result_id) a on a.line = l.line and f.result_id is null""";

    /**
     * Finds each line's result by its lineage, into temp table {@code decision_batch(result_id, action, state_id_hash)}.
     * The file is read once: the workbooks its lines name (a line of a workbook feed names {@code file#sheet} and the
     * sheet's row) are read from the archive as they come, their deliveries looked up before the COPY holds the
     * connection.
     */
    void stage(Connection c, Path file, String decisionColumn, boolean emptyIsReject) throws IOException, SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("""
                    create temp table decision_lines (line int, feed text, source text, row int, action text,
                                                      state_id_hash text, lineage text) on commit drop;
                    create temp table decision_batch (result_id bigint, action text, state_id_hash text,
                                                      version int, content_hash text, lineage text) on commit drop""");
        }
        Map<String, String> archived = workbookDeliveries(c);
        Map<String, Map<String, Integer>> workbookRows = new HashMap<>();
        try (CopyWriter copy = new CopyWriter(c, "decision_lines", "line", "feed", "source", "row", "action",
                "state_id_hash", "lineage")) {
            int[] line = {0};
            read(file, decisionColumn, emptyIsReject, l -> {
                String source = l.source();
                int row = l.row();
                int hash = source.indexOf('#');
                if (hash > 0 && workbookFeed(l.feed())) {
                    String fileName = source.substring(0, hash);
                    String key = l.feed() + "/" + fileName;
                    Map<String, Integer> rows = workbookRows.computeIfAbsent(key,
                            k -> workbook(l.feed(), archived.get(k), fileName));
                    Integer continuous = rows.get(source.substring(hash + 1) + "#" + row);
                    source = fileName;
                    row = continuous == null ? -1 : continuous;
                }
                boolean reject = l.decision().equalsIgnoreCase("reject");
                copy.value(++line[0]).value(l.feed()).value(source).value(row).value(reject ? "reject" : "link")
                        .value(reject ? null : hmac.stateId(l.decision()))
                        .value(l.feed() + " " + l.source() + ", row " + l.row()).endRow();
            });
            copy.finish();
        }
        try (Statement st = c.createStatement()) {
            // (no index of the lines: the look-up reads them whole, or each once; one by feed, source and row, which no
            // plan read, took 0.6-0.86 s at the NC year's 434,069 lines; docs/performance.md, session 54)
            // the lines' count for the plan below, and the deliveries' and their rows' statistics too (a few hundred
            // rows; a sample of the lineage): taken before most deliveries arrived (as after a state's year, when
            // autovacuum had not come round), they had each line's look-up planned as a walk over every delivery in
            // key order, to the first with the line's file (NC year: 27.6 s for 434,069 lines instead of 2.4 s)
            st.execute("analyze decision_lines, delivery, result_lineage");
        }
        String before = LocalSettings.set(c, "work_mem", LINES_WORK_MEM);
        try (Statement st = c.createStatement()) {
            st.executeUpdate(LOOK_UP);
        }
        LocalSettings.set(c, "work_mem", before);
    }

    /** Whether {@code feed}'s layout is a workbook: its lines name {@code file#sheet}. */
    private boolean workbookFeed(String feed) {
        FeedConfig fc = feeds.get(feed);
        org.credentialhub.mapping.Mapping layout = fc == null ? null : mappings.all().get(fc.layoutName());
        return layout != null && "xlsx".equals(layout.format());
    }

    /** The archived content of each workbook feed's files, by "feed/file name": the first delivery of that name. */
    private Map<String, String> workbookDeliveries(Connection c) throws SQLException {
        Map<String, String> out = new HashMap<>();
        List<String> workbookFeeds = feeds.keySet().stream().filter(this::workbookFeed).toList();
        if (workbookFeeds.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select distinct on (feed_code, source_name) feed_code, source_name, content_sha256 from delivery
                where feed_code = any (?) and status not in ('duplicate', 'quarantined')
                order by feed_code, source_name, delivery_id""")) {
            ps.setArray(1, c.createArrayOf("text", workbookFeeds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "/" + rs.getString(2), rs.getString(3));
                }
            }
        }
        return out;
    }

    /** For a workbook delivery (its archived content {@code sha256}, or null: none): "sheet#sheetRow" → its lineage's row. */
    private Map<String, Integer> workbook(String feed, String sha256, String fileName) {
        Map<String, Integer> map = new HashMap<>();
        if (sha256 == null) {
            return map;
        }
        Path archived = archiveDir.resolve(feed).resolve(sha256);
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
        } catch (IOException | FileRejectedException e) {
            throw new IllegalStateException("cannot read the archived workbook " + fileName + ": " + e.getMessage(), e);
        }
        return map;
    }
}
