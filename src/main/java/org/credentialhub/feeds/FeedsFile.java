package org.credentialhub.feeds;

import org.credentialhub.support.ConfigException;
import org.credentialhub.support.Yaml;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code config/feeds.yaml}: the list of feeds, validated at start-up (errors name the file and the key). */
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
            if (!Set.of("sftp", "sis").contains(feed.kind()) && feed.sftp() != null) {
                throw new ConfigException(where + ".sftp: only SFTP and SIS feeds have sftp settings");
            }
            if ("api".equals(feed.kind())) {
                checkApi(where + ".api", feed.api());
            } else if (feed.api() != null) {
                throw new ConfigException(where + ".api: only an API feed has api settings");
            }
            if (feed.verify() != null) {
                if (!Set.of("required", "if-present", "off").contains(feed.verify().proofMode())) {
                    throw new ConfigException(where + ".verify.proof: '" + feed.verify().proof()
                            + "' is not one of required, if-present, off");
                }
                if (feed.verify().status() != null && !Set.of("check", "signed", "off").contains(feed.verify().status())) {
                    throw new ConfigException(where + ".verify.status: '" + feed.verify().status()
                            + "' is not one of check, signed, off");
                }
                for (String key : feed.verify().keys() == null ? java.util.List.<String>of() : feed.verify().keys()) {
                    if (!key.matches("(did:key:)?z[1-9A-HJ-NP-Za-km-z]+")) {
                        throw new ConfigException(where + ".verify.keys: '" + key
                                + "' is not a did:key or a multibase (z...) Ed25519 public key");
                    }
                }
            }
            if (feed.cadence() != null) {
                try {
                    Cadence.parse(feed.cadence());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where + ".cadence: " + e.getMessage());
                }
            }
            if (feed.sftp() != null && feed.sftp().include() != null) {
                try {
                    java.util.regex.Pattern.compile(feed.sftp().include());
                } catch (RuntimeException e) {
                    throw new ConfigException(where + ".sftp.include: not a regular expression: " + e.getMessage());
                }
            }
        }
        return f;
    }

    /** SIS feeds: OneRoster bundles from a SIS (over SFTP when the feed has sftp settings). */
    public List<FeedConfig> sisFeeds() {
        return feeds.stream().filter(f -> "sis".equals(f.kind())).toList();
    }

    private static void checkApi(String where, FeedConfig.Api api) {
        if (api == null) {
            throw new ConfigException(where + ": an API feed needs its api settings");
        }
        if (!Set.of("ob3", "clr2", "issued-badges").contains(api.style() == null ? "" : api.style())) {
            throw new ConfigException(where + ".style: '" + api.style() + "' is not ob3, clr2 or issued-badges");
        }
        if (!Set.of("oauth2", "basic").contains(api.auth())) {
            throw new ConfigException(where + ".auth: '" + api.auth() + "' is not oauth2 or basic");
        }
        if ("oauth2".equals(api.auth()) && (api.clientId() == null || api.clientId().isBlank())) {
            throw new ConfigException(where + ".client-id: OAuth 2.0 client credentials need a client id");
        }
        if ("issued-badges".equals(api.style()) && (api.org() == null || api.org().isBlank())) {
            throw new ConfigException(where + ".org: the issued-badges API needs the organization id");
        }
        if (api.pageSize() != null && (api.pageSize() < 1 || api.pageSize() > 10_000)) {
            throw new ConfigException(where + ".page-size: between 1 and 10000");
        }
        for (String[] d : new String[][]{{"poll", api.poll()}, {"backoff", api.backoff()}}) {
            if (d[1] != null) {
                try {
                    FeedConfig.parseDuration(d[1]);
                } catch (RuntimeException e) {
                    throw new ConfigException(where + "." + d[0] + ": " + e.getMessage());
                }
            }
        }
        if (api.start() != null) {
            try {
                java.time.OffsetDateTime.parse(api.start());
            } catch (RuntimeException e) {
                throw new ConfigException(where + ".start: '" + api.start() + "' is not an ISO-8601 timestamp with offset");
            }
        }
    }

    public List<FeedConfig> sftpFeeds() {
        return feeds.stream().filter(f -> "sftp".equals(f.kind())).toList();
    }

    public List<FeedConfig> apiFeeds() {
        return feeds.stream().filter(f -> "api".equals(f.kind())).toList();
    }
}
