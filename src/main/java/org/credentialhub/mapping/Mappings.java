package org.credentialhub.mapping;

import org.credentialhub.support.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every mapping file in the mappings folder, read and validated at start-up. */
public final class Mappings {
    private final Map<String, Mapping> byLayout = new TreeMap<>();

    public static Mappings load(Path dir) {
        Mappings m = new Mappings();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                Mapping mapping = Mapping.load(f);
                String expected = f.getFileName().toString().replaceFirst("\\.yaml$", "");
                if (!expected.equals(mapping.layout())) {
                    throw new ConfigException(f + ": layout '" + mapping.layout() + "' must equal the file name '" + expected + "'");
                }
                m.byLayout.put(mapping.layout(), mapping);
            }
        } catch (IOException e) {
            throw new ConfigException(dir + ": cannot list the mapping files: " + e.getMessage());
        }
        return m;
    }

    public Mapping get(String layout) {
        Mapping m = byLayout.get(layout);
        if (m == null) {
            throw new ConfigException("no mapping file for layout '" + layout + "' (expected mappings/" + layout + ".yaml)");
        }
        return m;
    }

    public Map<String, Mapping> all() {
        return byLayout;
    }
}
