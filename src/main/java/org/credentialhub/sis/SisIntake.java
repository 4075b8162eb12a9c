package org.credentialhub.sis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.camel.Exchange;
import org.credentialhub.intake.Intake;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SIS intake routes' steps ({@code routes/intake-sis.yaml}): import a bundle delivered over SFTP
 * (a zip, already fingerprinted and archived), a zip dropped into the configured folder, or the
 * configured folder itself when its {@code manifest.csv} changes; then make the verdict the body, as
 * JSON, named {@code <bundle>.ack.json}.
 */
public final class SisIntake {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final OneRosterImport importer;

    public SisIntake(OneRosterImport importer) {
        this.importer = importer;
    }

    public OneRosterImport importer() {
        return importer;
    }

    /**
     * A zip taken from the SIS's SFTP inbox (moved to its pickup folder), archived by {@code intake.fingerprint};
     * a zip whose pickup was imported before a restart keeps that verdict.
     */
    public void importDelivered(Exchange exchange) throws SQLException, IOException {
        String feed = exchange.getIn().getHeader(Intake.FEED, String.class);
        org.credentialhub.intake.DeliveryFlow.Taken taken = org.credentialhub.intake.DeliveryFlow.Taken.of(exchange);
        Path archived = Path.of(exchange.getIn().getHeader(Intake.ARCHIVED, String.class));
        answer(exchange, feed, taken.name(), importer.importBundle(feed, archived, taken.name(), taken.pickupRef()));
    }

    /** A zip in the configured folder. */
    public void importZip(Exchange exchange) throws SQLException, IOException {
        String feed = exchange.getIn().getHeader(Intake.FEED, String.class);
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        answer(exchange, feed, name, importer.importBundle(feed, file, name));
    }

    /** The configured folder, a bundle itself: its manifest.csv was written or changed. */
    public void importFolder(Exchange exchange) throws SQLException, IOException {
        String feed = exchange.getIn().getHeader(Intake.FEED, String.class);
        Path folder = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath().getParent();
        String name = folder.getFileName().toString();
        answer(exchange, feed, name, importer.importBundle(feed, folder, name));
    }

    private static void answer(Exchange exchange, String feed, String name, Verdict v) throws IOException {
        exchange.getIn().setHeader(Intake.DELIVERY_ID, v.deliveryId());
        exchange.getIn().setHeader(Intake.STATUS, v.status());
        exchange.getIn().setBody(JSON.writeValueAsBytes(toJson(feed, name, v)));
        exchange.getIn().setHeader(Exchange.FILE_NAME, name + ".ack.json");
    }

    /** The verdict as the SIS reads it back: status, rows per file, every error and warning. */
    public static Map<String, Object> toJson(String feed, String name, Verdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bundle", name);
        m.put("feed", feed);
        m.put("delivery", v.deliveryId());
        m.put("status", v.duplicate() ? "duplicate" : v.held() ? "held for approval" : v.accepted() ? "accepted" : "refused");
        if (v.duplicate()) {
            m.put("duplicate_of", v.duplicateOf());
        }
        if (v.held()) {
            // why, and what it would do (counts per kind and district, samples by sourcedId only); the outcome
            // follows as <bundle>.outcome.ack.json once operations approve or reject it
            m.put("hold", v.hold());
        }
        m.put("oneroster_version", v.version());
        m.put("rows", v.rows());
        m.put("problems", v.problemCount());
        m.put("errors", list(v.errors()));
        m.put("warnings", list(v.warnings()));
        return m;
    }

    private static List<Map<String, Object>> list(List<Problem> problems) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Problem p : problems) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", p.file());
            m.put("line", p.line());
            m.put("column", p.column());
            m.put("message", p.message());
            out.add(m);
        }
        return out;
    }
}
