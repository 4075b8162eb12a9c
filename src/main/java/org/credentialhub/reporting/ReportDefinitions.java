package org.credentialhub.reporting;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.credentialhub.support.ConfigException;
import org.credentialhub.support.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The report definitions, one file a report ({@code reports/<name>.yaml} on the classpath, in the order of
 * {@code reports/index.yaml}), read into {@link Reports.Definition}s. The files name their columns' roles
 * (counts, what a count depends on, rates) by column name; a definition holds them as column positions.
 * Every mistake names the file and the key, on one line ({@code reports/x.yaml: rates.r.numerator: ...}).
 */
public final class ReportDefinitions {
    /** The folder of the definitions on the classpath. */
    static final String FOLDER = "reports";

    /** {@code reports/index.yaml}: the reports in order. */
    record Index(List<String> reports) {
    }

    /** A definition file as written (the keys are described in {@code reports/attainment-by-district.yaml}). */
    record Spec(String name, String title, @JsonProperty("all-years") Boolean allYears, Boolean total,
                List<String> columns, List<String> counts, @JsonProperty("depends-on") LinkedHashMap<String, String> dependsOn,
                LinkedHashMap<String, Rate> rates, String sql, List<LinkedHashMap<String, String>> variants) {

        /** This file with one variant's values put in for its {@code {key}}s (name, title and sql). */
        Spec with(Map<String, String> values) {
            return new Spec(fill(name, values), fill(title, values), allYears, total, columns, counts, dependsOn, rates,
                    fill(sql, values), null);
        }

        private static String fill(String text, Map<String, String> values) {
            if (text == null) {
                return null;
            }
            for (Map.Entry<String, String> v : values.entrySet()) {
                text = text.replace("{" + v.getKey() + "}", v.getValue());
            }
            return text;
        }
    }

    record Rate(String numerator, String denominator, Integer decimals) {
    }

    /** Where the files are: opens one by its name ({@code index.yaml}), or gives null when there is none. */
    private interface Source {
        InputStream open(String file) throws IOException;

        String where(String file);
    }

    private ReportDefinitions() {
    }

    /** The hub's definitions, from the classpath. */
    public static List<Reports.Definition> load() {
        return load(new Source() {
            @Override
            public InputStream open(String file) {
                return ReportDefinitions.class.getClassLoader().getResourceAsStream(FOLDER + "/" + file);
            }

            @Override
            public String where(String file) {
                return FOLDER + "/" + file;
            }
        });
    }

    /** Definitions from a folder holding an {@code index.yaml} and the files it lists (tests, checks of a copy). */
    public static List<Reports.Definition> load(Path folder) {
        return load(new Source() {
            @Override
            public InputStream open(String file) throws IOException {
                Path p = folder.resolve(file);
                return Files.isRegularFile(p) ? Files.newInputStream(p) : null;
            }

            @Override
            public String where(String file) {
                return folder.resolve(file).toString();
            }
        });
    }

    private static List<Reports.Definition> load(Source source) {
        String indexAt = source.where("index.yaml");
        Index index = read(source, "index.yaml", Index.class);
        if (index.reports() == null || index.reports().isEmpty()) {
            throw new ConfigException(indexAt + ": missing key 'reports' (the reports, in order)");
        }
        List<Reports.Definition> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < index.reports().size(); i++) {
            String name = index.reports().get(i);
            if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
                throw new ConfigException(indexAt + ": reports[" + i + "]: '" + name + "' is not a report name (lower case, digits, -)");
            }
            if (!seen.add(name)) {
                throw new ConfigException(indexAt + ": reports[" + i + "]: '" + name + "' is listed twice");
            }
            String file = name + ".yaml";
            Spec spec = read(source, file, Spec.class);
            for (Reports.Definition d : spec.variants() == null ? List.of(definition(source.where(file), name, spec))
                    : variants(source.where(file), name, spec)) {
                if (!seen.add(d.name()) && spec.variants() != null) {
                    throw new ConfigException(source.where(file) + ": name: '" + d.name() + "' is defined twice");
                }
                out.add(d);
            }
        }
        return List.copyOf(out);
    }

    /**
     * A file of several reports alike but for a few values (NC Tables 5a-c: the tier): {@code variants} lists each
     * report's values, put in for {@code {key}} in its name, title and sql. The file's name is the name with the
     * keys left out ({@code tier-{tier}-trend-by-student-group}: {@code tier-trend-by-student-group}).
     */
    private static List<Reports.Definition> variants(String where, String fileName, Spec s) {
        required(where, "name", s.name());
        if (s.variants().isEmpty()) {
            throw new ConfigException(where + ": variants: must list at least one variant");
        }
        String family = s.name().replaceAll("\\{[a-z]+\\}-?", "");
        if (!family.equals(fileName)) {
            throw new ConfigException(where + ": name: '" + s.name() + "' without its {keys} is '" + family
                    + "', not the file's name '" + fileName + "'");
        }
        List<Reports.Definition> out = new ArrayList<>();
        for (int i = 0; i < s.variants().size(); i++) {
            Map<String, String> values = s.variants().get(i);
            Spec v = s.with(values == null ? Map.of() : values);
            for (String text : java.util.Arrays.asList(v.name(), v.title(), v.sql())) {
                java.util.regex.Matcher left = java.util.regex.Pattern.compile("\\{([a-z]+)\\}").matcher(String.valueOf(text));
                if (left.find()) {
                    throw new ConfigException(where + ": variants[" + i + "]: no value for {" + left.group(1) + "}");
                }
            }
            if (!v.name().matches("[a-z][a-z0-9-]*")) {
                throw new ConfigException(where + ": variants[" + i + "]: '" + v.name() + "' is not a report name (lower case, digits, -)");
            }
            out.add(definition(where, v.name(), v));
        }
        return out;
    }

    private static <T> T read(Source source, String file, Class<T> type) {
        String where = source.where(file);
        try (InputStream in = source.open(file)) {
            if (in == null) {
                throw new ConfigException(where + ": file not found");
            }
            return Yaml.read(in, where, type);
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot be read: " + e.getMessage());
        }
    }

    /** Checks a file and turns its column names into the definition's column positions. */
    static Reports.Definition definition(String where, String expectedName, Spec s) {
        required(where, "name", s.name());
        required(where, "title", s.title());
        required(where, "all-years", s.allYears());
        required(where, "columns", s.columns());
        if (!s.name().equals(expectedName)) {
            throw new ConfigException(where + ": name: '" + s.name() + "' is not the file's name '" + expectedName + "'");
        }
        if (s.columns().isEmpty() || new HashSet<>(s.columns()).size() != s.columns().size()) {
            throw new ConfigException(where + ": columns: must list the columns, each once");
        }
        List<String> counts = s.counts() == null ? List.of() : s.counts();
        int[] countColumns = new int[counts.size()];
        for (int k = 0; k < counts.size(); k++) {
            countColumns[k] = column(where, "counts[" + k + "]", s.columns(), counts.get(k));
        }
        int[] dependsOn = new int[counts.size()];
        java.util.Arrays.fill(dependsOn, -1);
        if (s.dependsOn() != null) {
            s.dependsOn().forEach((count, on) -> {
                String key = "depends-on." + count;
                dependsOn[count(where, key, counts, count)] = countColumns[count(where, key, counts, on)];
            });
        }
        Map<Integer, int[]> rates = new LinkedHashMap<>();
        Integer decimals = null;
        if (s.rates() != null) {
            for (Map.Entry<String, Rate> e : s.rates().entrySet()) {
                String key = "rates." + e.getKey();
                Rate r = e.getValue();
                if (r == null) {
                    throw new ConfigException(where + ": " + key + ": needs numerator, denominator and decimals");
                }
                required(where, key + ".numerator", r.numerator());
                required(where, key + ".denominator", r.denominator());
                required(where, key + ".decimals", r.decimals());
                int col = column(where, key, s.columns(), e.getKey());
                if (counts.contains(e.getKey())) {
                    throw new ConfigException(where + ": " + key + ": a count column cannot be a rate");
                }
                rates.put(col, new int[]{countColumns[count(where, key + ".numerator", counts, r.numerator())],
                        countColumns[count(where, key + ".denominator", counts, r.denominator())]});
                if (r.decimals() < 0 || (decimals != null && !decimals.equals(r.decimals()))) {
                    throw new ConfigException(where + ": " + key + ".decimals: must be 0 or more, and the same for every rate");
                }
                decimals = r.decimals();
            }
        }
        boolean ranking = Rankings.NAMES.contains(s.name());
        if (ranking && s.sql() != null) {
            throw new ConfigException(where + ": sql: a ranking is computed in Java (Rankings) and has no sql");
        }
        if (!ranking) {
            required(where, "sql", s.sql() == null || s.sql().isBlank() ? null : s.sql());
        }
        return new Reports.Definition(s.name(), s.title(), s.allYears(), s.total() == null || s.total(), List.copyOf(s.columns()),
                countColumns, dependsOn, Collections.unmodifiableMap(rates), decimals == null ? 0 : decimals,
                s.sql() == null ? null : s.sql().stripTrailing());
    }

    private static void required(String where, String key, Object value) {
        if (value == null) {
            throw new ConfigException(where + ": missing key '" + key + "'");
        }
    }

    private static int column(String where, String key, List<String> columns, String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new ConfigException(where + ": " + key + ": '" + name + "' is not one of the columns " + columns);
        }
        return i;
    }

    private static int count(String where, String key, List<String> counts, String name) {
        int i = counts.indexOf(name);
        if (i < 0) {
            throw new ConfigException(where + ": " + key + ": '" + name + "' is not one of the counts " + counts);
        }
        return i;
    }
}
