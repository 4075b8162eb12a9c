package org.credentialhub.feeds;

import org.credentialhub.support.ConfigException;
import org.credentialhub.support.Yaml;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code config/feeds.yaml}: the list of feeds. */
public record FeedsFile(List<FeedConfig> feeds) {

    public static FeedsFile load(Path file) {
        FeedsFile f = Yaml.read(file, FeedsFile.class);
        if (f.feeds() == null) {
            throw new ConfigException(file + ": missing key 'feeds'");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < f.feeds().size(); i++) {
            FeedConfig feed = f.feeds().get(i);
            String where = file + ": feeds[" + i + "]";
            if (!feed.code().matches("[a-z][a-z0-9_-]{1,40}")) {
                throw new ConfigException(where + ".code: '" + feed.code() + "' must be lower-case letters, digits, - or _");
            }
            if (!seen.add(feed.code())) {
                throw new ConfigException(where + ".code: feed '" + feed.code() + "' is listed twice");
            }
            if (!Set.of("sftp", "api", "district", "sis").contains(feed.kind())) {
                throw new ConfigException(where + ".kind: '" + feed.kind() + "' is not one of sftp, api, district, sis");
            }
            if ("sftp".equals(feed.kind()) && feed.sftp() == null) {
                throw new ConfigException(where + ".sftp: an SFTP feed needs its sftp settings");
            }
        }
        return f;
    }

    /** SIS feeds: OneRoster bundles from a SIS (over SFTP when the feed has sftp settings). */
    public List<FeedConfig> sisFeeds() {
        return feeds.stream().filter(f -> "sis".equals(f.kind())).toList();
    }

    public List<FeedConfig> sftpFeeds() {
        return feeds.stream().filter(f -> "sftp".equals(f.kind())).toList();
    }
}
