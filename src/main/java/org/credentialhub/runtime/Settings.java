package org.credentialhub.runtime;

import org.apache.camel.CamelContext;
import org.credentialhub.support.ConfigException;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The hub's configuration keys ({@code hub.*} in {@code config/application.properties}), resolved by
 * Camel's properties component: a key missing there falls back to the environment variable of the same
 * name upper-cased with underscores ({@code hub.db.url} → {@code HUB_DB_URL}).
 */
public final class Settings {
    private final CamelContext camel;

    Settings(CamelContext camel) {
        this.camel = camel;
    }

    /** Settings for a command that does not run the hub: the same files, environment and overrides. */
    public static Settings standalone(java.util.Map<String, String> overrides) {
        org.apache.camel.impl.DefaultCamelContext ctx = new org.apache.camel.impl.DefaultCamelContext();
        ctx.getPropertiesComponent().setLocation("file:config/application.properties");
        java.util.Properties p = new java.util.Properties();
        p.putAll(overrides);
        ctx.getPropertiesComponent().setOverrideProperties(p);
        return new Settings(ctx);
    }

    /** Opens the configured database (the embedded one in the data folder when no URL is set). */
    public org.credentialhub.store.Database openDatabase() throws java.io.IOException {
        Path dataDir = path("hub.data.dir", "data").toAbsolutePath();
        return org.credentialhub.store.Database.open(get("hub.db.url", null), get("hub.db.user", null),
                get("hub.db.password", null), dataDir, 0, 4, embeddedDatabase());
    }

    /**
     * What the embedded PostgreSQL may take: {@code hub.db.embedded.shared-buffers} and {@code
     * hub.db.embedded.max-wal-size}, each {@link org.credentialhub.store.Database.Embedded#DEFAULTS}' where not set.
     */
    public org.credentialhub.store.Database.Embedded embeddedDatabase() {
        var defaults = org.credentialhub.store.Database.Embedded.DEFAULTS;
        return new org.credentialhub.store.Database.Embedded(
                amount("hub.db.embedded.shared-buffers", "shared_buffers", defaults.sharedBuffers()),
                amount("hub.db.embedded.max-wal-size", "max_wal_size", defaults.maxWalSize()));
    }

    /** The amount {@code key} gives the embedded server's {@code setting} ({@code fallback} where unset), checked. */
    private String amount(String key, String setting, String fallback) {
        try {
            return org.credentialhub.store.Database.Embedded.amount(key + " (" + setting + ")", get(key, fallback));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** The identifier-hashing key as configured (the generated one in the data folder otherwise). */
    public byte[] identityKey() throws java.io.IOException {
        String configured = get("hub.identity.hmac-key", null);
        if (configured != null) {
            return configured.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        Path file = path("hub.data.dir", "data").toAbsolutePath().resolve("secrets/identity-hmac.key");
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new ConfigException("hub.identity.hmac-key is not set and the hub has not generated one in " + file.getParent());
        }
        return java.nio.file.Files.readString(file).trim().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public Optional<String> get(String key) {
        return camel.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(s -> !s.isEmpty());
    }

    public String get(String key, String fallback) {
        return get(key).orElse(fallback);
    }

    public int getInt(String key, int fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + v + "' is not a whole number");
        }
    }

    public boolean getBoolean(String key, boolean fallback) {
        return get(key).map(Boolean::parseBoolean).orElse(fallback);
    }

    public Path path(String key, String fallback) {
        return Path.of(get(key, fallback));
    }
}
