package org.credentialhub.feeds;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One delivery channel, as configured in {@code config/feeds.yaml}.
 *
 * @param code        the feed's code (also its mapping's layout unless {@code layout} says otherwise)
 * @param kind        {@code sftp}, {@code api}, {@code district} or {@code sis} (OneRoster bundles from a SIS)
 * @param layout      the mapping file in {@code mappings/} ({@code <layout>.yaml})
 * @param description what the feed is, for people
 * @param cadence     how often a delivery is expected ({@code daily}, {@code weekly}, an ISO-8601 duration)
 * @param sftp        SFTP settings for {@code kind: sftp}
 */
public record FeedConfig(
        @JsonProperty(required = true) String code,
        @JsonProperty(required = true) String kind,
        String layout,
        String description,
        String cadence,
        Sftp sftp) {

    /**
     * @param account        SFTP account name (default: the feed code); its home holds inbox/ and outbox/
     * @param include        regular expression of the file names the hub takes from the inbox
     * @param poll           how often the inbox is polled (Camel duration: 10s, 1m)
     * @param authorizedKeys path of an OpenSSH authorized_keys file for public-key login. The account's
     *                       password is never written here: it comes from the property or environment
     *                       variable {@code hub.sftp.password.<account>} / {@code HUB_SFTP_PASSWORD_<ACCOUNT>}
     */
    public record Sftp(String account, String include, String poll,
                       @JsonProperty("authorized-keys") String authorizedKeys) {
    }

    public String layoutName() {
        return layout == null || layout.isBlank() ? code : layout;
    }

    public String account() {
        return sftp == null || sftp.account() == null || sftp.account().isBlank() ? code : sftp.account();
    }
}
