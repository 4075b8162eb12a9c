package org.credentialhub.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Audit;
import org.credentialhub.accounts.Role;
import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.feeds.FeedConfig;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POST /api/deliveries/{id}/corrected: ops supply a corrected file for a quarantined delivery of an SFTP feed.
 * The file is put in the feed's inbox on the hub's own (embedded, loopback) drop box, through the hub's service
 * account, written under a hidden name and renamed: from there it is taken like any vendor file and becomes a
 * new delivery. Nothing is read or applied here. Ops only; at most {@code hub.web.corrected-file.max-bytes}.
 */
public final class CorrectedFiles {
    /** Where the drop box is and how the hub's service account signs in to it; null when it is not the hub's own. */
    public record Inbox(String host, int port, String user, String password) {
    }

    private final DataSource dataSource;
    private final Map<String, FeedConfig> feeds;
    private final Inbox inbox;
    private final long maxBytes;

    public CorrectedFiles(DataSource dataSource, Map<String, FeedConfig> feeds, Inbox inbox, long maxBytes) {
        this.dataSource = dataSource;
        this.feeds = feeds;
        this.inbox = inbox;
        this.maxBytes = maxBytes;
    }

    public void upload(Exchange ex) throws SQLException, IOException {
        Account a = Web.caller(ex, Role.OPS);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        JsonNode body = Web.body(ex);
        Map<String, Object> d = org.credentialhub.store.Deliveries.archived(dataSource, id);
        if (d == null) {
            throw ApiException.notFound();
        }
        if (!"quarantined".equals(d.get("status"))) {
            throw ApiException.badRequest("a corrected file is taken only for a quarantined delivery");
        }
        FeedConfig feed = feeds.get((String) d.get("feed_code"));
        if (feed == null || feed.sftp() == null) {
            throw ApiException.badRequest("only a feed that takes files from an SFTP inbox takes a corrected file");
        }
        if (inbox == null) {
            throw ApiException.badRequest("the drop box is not the hub's own: send the corrected file to the feed's SFTP inbox");
        }
        String name = body.path("fileName").asText("");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._ -]{0,200}")) {
            throw ApiException.badRequest("fileName is a plain file name (letters, digits, . _ - and spaces)");
        }
        String include = feed.sftp().include();
        if (include != null && !name.matches(include)) {
            throw ApiException.badRequest("the feed takes files named like " + include + "; rename the corrected file");
        }
        byte[] content;
        try {
            content = Base64.getDecoder().decode(body.path("content").asText(""));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("content is the file in base64");
        }
        if (content.length == 0) {
            throw ApiException.badRequest("the corrected file is empty");
        }
        if (content.length > maxBytes) {
            throw new ApiException(413, "the corrected file is larger than " + maxBytes + " bytes");
        }
        String path = feed.account() + "/inbox/" + name;
        try (SftpUpload up = new SftpUpload(inbox.host(), inbox.port(), inbox.user(), inbox.password())) {
            if (up.exists(path)) {
                throw new ApiException(409, "a file of that name is waiting in the feed's inbox already");
            }
            up.put(path, content);
        }
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("file", name);
        after.put("bytes", content.length);
        try (Connection c = dataSource.getConnection()) {
            Audit.record(c, a, "upload-corrected", "delivery", String.valueOf(id), null, Map.of("status", "quarantined"), after);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("feed", feed.code());
        out.put("file", name);
        out.put("bytes", content.length);
        out.put("status", "in the inbox");
        Web.json(ex, 202, out);
    }
}
