package org.credentialhub.sis;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.sis.OneRosterSpec.FileSpec;

import java.io.IOException;
import java.io.Reader;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A bundle's manifest.csv, read and checked against the standard: the OneRoster version, and per file the
 * mode it is delivered in ({@code bulk}, {@code delta}) and its name in the bundle. Every problem found
 * (missing or unknown files, bad modes, files not in the manifest) goes to the bundle's problems.
 */
final class BundleManifest {
    String version;
    /** Per file the manifest lists as bulk or delta (and the hub reads): its mode. */
    final Map<String, String> modes = new HashMap<>();
    /** Per file the hub reads: its name in the bundle (also for a file with a bad mode, so it is checked). */
    final Map<String, String> files = new HashMap<>();

    private BundleManifest() {
    }

    /** Reads the bundle's manifest; null when there is none, or it gives no version the hub reads (an error). */
    static BundleManifest read(Bundle bundle, Problems problems) throws IOException {
        String name = find(bundle, "manifest.csv", problems);
        if (name == null) {
            problems.error("manifest.csv", 0, null, "the bundle has no manifest.csv");
            return null;
        }
        BundleManifest m = new BundleManifest();
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        try (Reader r = CsvFiles.reader(bundle.open(name)); CSVParser p = CsvFiles.CSV.parse(r)) {
            Iterator<CSVRecord> it = p.iterator();
            if (!it.hasNext()) {
                problems.error(name, 0, null, "the manifest is empty");
                return null;
            }
            CSVRecord header = it.next();
            if (header.size() < 2 || !CsvFiles.stripBom(header.get(0)).trim().equals("propertyName") || !header.get(1).trim().equals("value")) {
                problems.error(name, 1, null, "the header must be propertyName,value");
            }
            while (it.hasNext()) {
                CSVRecord rec = it.next();
                int line = (int) rec.getRecordNumber();
                String key = rec.get(0).trim();
                String value = rec.size() > 1 ? rec.get(1).trim() : "";
                if (props.containsKey(key)) {
                    problems.error(name, line, key, "repeats line " + lines.get(key));
                    continue;
                }
                props.put(key, value);
                lines.put(key, line);
            }
        }
        String version = props.get("oneroster.version");
        if (version == null) {
            problems.error(name, 0, "oneroster.version", "missing: the bundle's OneRoster version (1.1 or 1.2)");
            return null;
        }
        if (!version.equals("1.1") && !version.equals("1.2")) {
            problems.error(name, lines.get("oneroster.version"), "oneroster.version",
                    "'" + version + "' is not a OneRoster version the hub reads (1.1, 1.2)");
            return null;
        }
        m.version = version;
        String mv = props.get("manifest.version");
        if (!"1.0".equals(mv)) {
            problems.warning(name, lines.getOrDefault("manifest.version", 0), "manifest.version",
                    mv == null ? "missing (1.0 assumed)" : "'" + mv + "' is not 1.0 (read as 1.0)");
        }
        Set<String> known = OneRosterSpec.FILES.stream().map(FileSpec::name).collect(Collectors.toSet());
        Set<String> listed = new HashSet<>();
        for (Map.Entry<String, String> e : props.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("file.")) {
                continue;
            }
            String file = key.substring(5);
            int line = lines.get(key);
            String mode = e.getValue().toLowerCase(Locale.ROOT);
            listed.add(file);
            if (!known.contains(file) && !OneRosterSpec.UNUSED.contains(file)) {
                problems.warning(name, line, key, "not a file of OneRoster " + version + "; ignored");
                continue;
            }
            if (!Set.of("bulk", "delta", "absent").contains(mode)) {
                problems.error(name, line, key, e.getValue().isEmpty()
                        ? "has no value: it must be bulk, delta or absent"
                        : "'" + e.getValue() + "' is not bulk, delta or absent");
                // still check the file if it is there, so every problem is listed
                String present = find(bundle, file + ".csv", problems);
                if (present != null && known.contains(file)) {
                    m.files.put(file, present);
                }
                continue;
            }
            if (!mode.equals(e.getValue())) {
                problems.warning(name, line, key, "'" + e.getValue() + "' read as " + mode);
            }
            if (mode.equals("absent")) {
                String present = find(bundle, file + ".csv", null);
                if (present != null) {
                    problems.warning(present, 0, null, "in the bundle but marked absent in the manifest (" + key
                            + "); not read: if it should be, mark it bulk or delta");
                }
                continue;
            }
            if (OneRosterSpec.UNUSED.contains(file)) {
                problems.warning(file + ".csv", 0, null, "not used by the hub; not read");
                continue;
            }
            FileSpec spec = OneRosterSpec.file(file);
            if (spec.columns(version) == null) {
                problems.warning(file + ".csv", 0, null, "not a file of OneRoster " + version + "; not read");
                continue;
            }
            String present = find(bundle, spec.fileName(), problems);
            if (present == null) {
                problems.error(spec.fileName(), 0, null, "the manifest says " + mode + " but the file is not in the bundle");
                continue;
            }
            m.modes.put(file, mode);
            m.files.put(file, present);
        }
        for (String n : bundle.names()) {
            if (n.equalsIgnoreCase("manifest.csv") || !n.toLowerCase(Locale.ROOT).endsWith(".csv")) {
                continue;
            }
            String base = n.substring(0, n.length() - 4);
            boolean inManifest = listed.stream().anyMatch(l -> l.equalsIgnoreCase(base));
            if (!inManifest) {
                problems.warning(n, 0, null, "in the bundle but not in the manifest; not read");
            }
        }
        return m;
    }

    /** The file's name in the bundle: exact, or differing only in case (with a warning). */
    private static String find(Bundle bundle, String standard, Problems problems) {
        if (bundle.names().contains(standard)) {
            return standard;
        }
        for (String n : bundle.names()) {
            if (n.equalsIgnoreCase(standard)) {
                if (problems != null) {
                    problems.warning(n, 0, null, "named " + n + "; the standard name is " + standard + " (read as that)");
                }
                return n;
            }
        }
        return null;
    }
}
