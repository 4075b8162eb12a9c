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
