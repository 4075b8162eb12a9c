package org.credentialhub.intake;

import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.feeds.FeedTable;
import org.credentialhub.feeds.FeedsFile;
import org.credentialhub.mapping.Mappings;
import org.credentialhub.matching.DeliveryMatcher;
import org.credentialhub.matching.MatchSettings;
import org.credentialhub.store.Database;
import org.credentialhub.store.Deliveries;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.Hmac;
import org.credentialhub.support.SchoolYears;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Staging a file, its matching included, needs no connection besides the one its transaction holds. Every feed's route
 * may be staging at once; when each held its connection and waited for a second one from the pool (to build the
 * roster index, to read or keep the feed's fitted model), as many routes as connections stalled one another until the
 * pool's timeout. Session 26 saw it when API pages were matched as they were staged as well (tried, not kept: nine
 * routes staging, eight connections; the NC year stood still for 30 s and failed); vendor files alone were seven.
 */
class StagingConnectionTest {
    private static final Hmac HMAC = new Hmac("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    @Test
    void aFileIsStagedAndMatchedOnItsTransactionsConnectionAlone() throws Exception {
        Path dir = Files.createTempDirectory("staging-connection");
        try (Database db = SharedPostgres.open(dir, 2)) {
            Exchange received = receivedFile(db, dir);
            Intake intake = intake(db, dir);
            // the first file after the roster came: the roster is indexed and the feed's model fitted and kept, all
            // in the staging transaction, while another route holds the pool's other connection (a second one would
            // wait for the pool's 30-s timeout)
            Connection other = db.dataSource().getConnection();
            CompletableFuture.runAsync(() -> {
                try {
                    intake.stageReceived(received);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).get(20, TimeUnit.SECONDS);
            try (Connection c = other; Statement st = c.createStatement()) {
                assertEquals("20 1", decidedAndModels(st));
            }
        } finally {
            Fixtures.deleteTree(dir);
        }
    }

    /**
     * The feed's model, fitted and kept in the staging transaction, goes with its rollback: a hub that used it from
     * memory afterwards would decide the file again with a model the database does not have, and after a restart
     * fit another.
     */
    @Test
    void aModelFittedInAStagingThatRolledBackIsFittedAndKeptAgain() throws Exception {
        Path dir = Files.createTempDirectory("staging-rollback");
        try (Database db = SharedPostgres.open(dir, 2);
             Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            Exchange received = receivedFile(db, dir);
            Intake intake = intake(db, dir);
            st.execute("""
                    create function test_publishing_fails() returns trigger language plpgsql as $$
                    begin raise exception 'publishing fails (test)'; end $$;
                    create trigger test_publishing_fails before insert on result
                        for each statement execute function test_publishing_fails()""");
            assertThrows(SQLException.class, () -> intake.stageReceived(received));
            assertEquals("0 0", decidedAndModels(st), "nothing of the failed staging is kept");
            st.execute("drop trigger test_publishing_fails on result");
            intake.stageReceived(received);
            assertEquals("20 1", decidedAndModels(st), "the model the decisions were made with is kept");
        } finally {
            Fixtures.deleteTree(dir);
        }
    }

    /** The decided results and the kept models of the certexam feed. */
    private static String decidedAndModels(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("""
                select count(*) filter (where match_decision is not null) || ' '
                       || (select count(*) from match_model where feed_code = 'certexam')
                from result""")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The hub's intake, matching each file in its staging transaction. */
    private static Intake intake(Database db, Path dir) {
        Map<String, FeedConfig> feeds = new HashMap<>();
        FeedsFile.load(Path.of("config/feeds.yaml")).feeds().forEach(f -> feeds.put(f.code(), f));
        DeliveryMatcher matcher = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
        return new Intake(db.dataSource(), feeds, Mappings.load(Path.of("mappings")), HMAC, new SchoolYears(7),
                dir.resolve("archive"), null, matcher);
    }

    /**
     * The feeds and a roster of 50 students, and a certexam file of 20 of them received as the SFTP route receives it
     * (routes/delivery.yaml: archived, recorded): the message that stages it.
     */
    private static Exchange receivedFile(Database db, Path dir) throws Exception {
        FeedTable.register(db.dataSource(), FeedsFile.load(Path.of("config/feeds.yaml")).feeds());
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("""
                    insert into student (state_id_hash, first_name, last_name, birth_date, district_code, school_code)
                    select 'h' || n, 'First' || n, 'Last' || n, date '2007-01-01' + n, '910', '910301'
                    from generate_series(1, 50) n""");
        }
        StringBuilder csv = new StringBuilder("\uFEFFcandidateId,orgCandidateId,firstName,lastName,email,birthDate,"
                + "examName,examCode,examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,"
                + "maxRawScore,percent,testCenterId,testCenterName\r\n");
        for (int n = 1; n <= 20; n++) {
            csv.append("K").append(n).append(",,First").append(n).append(",Last").append(n).append(",,")
                    .append(java.time.LocalDate.of(2007, 1, 1).plusDays(n))
                    .append(",Premiere,CE-420CC,F1,2025-02-03T09:00:00-05:00,Pass,800,700,40,50,80,910301,Riverside High\r\n");
        }
        byte[] content = csv.toString().getBytes(StandardCharsets.UTF_8);
        String name = "certexam_results_20250210.csv";
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Path archived = Files.createDirectories(dir.resolve("archive").resolve("certexam")).resolve(sha);
        Files.write(archived, content);
        long delivery;
        try (Connection c = db.dataSource().getConnection()) {
            delivery = Deliveries.insert(c, "certexam", name, sha, content.length, "received", null);
        }
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getIn().setHeader(Intake.DELIVERY_ID, delivery);
        exchange.getIn().setHeader(Intake.FEED, "certexam");
        exchange.getIn().setHeader(Intake.SHA256, sha);
        exchange.getIn().setHeader(Exchange.FILE_NAME_ONLY, name);
        return exchange;
    }
}
