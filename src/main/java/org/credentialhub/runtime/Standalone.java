package org.credentialhub.runtime;

import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.feeds.FeedsFile;
import org.credentialhub.mapping.Mappings;
import org.credentialhub.store.Database;
import org.credentialhub.support.Hmac;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a command that does not run the hub needs: the settings, the database (the running hub's
 * embedded one when there is one in the data folder), the identifier-hashing key, feeds and mappings.
 */
public final class Standalone implements AutoCloseable {
    public final Settings settings;
    public final Database database;
    public final Path dataDir;

    public Standalone(Map<String, String> overrides) throws java.io.IOException {
        this.settings = Settings.standalone(overrides);
        this.dataDir = settings.path("hub.data.dir", "data").toAbsolutePath();
        this.database = settings.openDatabase();
    }

    public Hmac hmac() throws java.io.IOException {
        return new Hmac(settings.identityKey());
    }

    public Map<String, FeedConfig> feeds() {
        Map<String, FeedConfig> m = new LinkedHashMap<>();
        FeedsFile.load(settings.path("hub.feeds.file", "config/feeds.yaml")).feeds().forEach(f -> m.put(f.code(), f));
        return m;
    }

    public Mappings mappings() {
        return Mappings.load(settings.path("hub.mappings.dir", "mappings"));
    }

    @Override
    public void close() throws java.io.IOException {
        database.close();
    }
}
