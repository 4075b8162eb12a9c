package org.credentialhub.mapping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.credentialhub.support.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON documents streaming (an API page, an exported file): the array at {@code records} (a
 * dotted path of object keys; without it the document is the array, or one record), one record at a
 * time; each column is a path into the record. Record numbers are the 1-based positions in the array.
 */
final class JsonReader implements RecordReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonParser parser;
    private final Map<String, List<JsonPath>> columns;
    private final java.util.Set<String> allValues;
    private final RecordCheck check;
    private final java.util.ArrayDeque<SourceRow> checked = new java.util.ArrayDeque<>();
    private boolean single;
    /** The document itself is the one record (records lists {@code $} and the object has none of the arrays). */
    private JsonNode whole;
    /** Several top-level arrays of records: the keys not read yet. */
    private final java.util.Set<String> pending = new java.util.LinkedHashSet<>();
    private boolean done;
    private int position;
    private int records;

    JsonReader(InputStream in, MappingSpec.Source source, Map<String, List<JsonPath>> columns)
            throws IOException, FileRejectedException {
        this(in, source, columns, java.util.Set.of(), null);
    }

    /**
     * @param allValues the columns that take every value of every path ({@code all: true}), one a line
     * @param check     checks each record as a credential of the mapping's standard first, or null
     */
    JsonReader(InputStream in, MappingSpec.Source source, Map<String, List<JsonPath>> columns,
               java.util.Set<String> allValues, RecordCheck check) throws IOException, FileRejectedException {
        this.columns = columns;
        this.allValues = allValues;
        this.check = check;
        JsonFactory factory = MAPPER.getFactory();
        parser = factory.createParser(in);
        try {
            JsonToken t = parser.nextToken();
            if (t == null) {
                throw new FileRejectedException("the file is empty");
            }
            List<String> paths = source.records() == null ? List.of() : source.records();
            String path = paths.isEmpty() ? null : paths.get(0);
            if (path == null || path.isBlank() || "$".equals(path)) {
                single = t == JsonToken.START_OBJECT;
                if (!single && t != JsonToken.START_ARRAY) {
                    throw new FileRejectedException("the document is neither an array of records nor a record");
                }
                return;
            }
            single = false;
            if (paths.size() > 1 && paths.contains("$")) {
                // the arrays named, or else the document itself: an array of records or one record (CLR 2.0: the
                // API's page {"credential": [...]} and a file holding a ClrCredential, one layout). An object is read
                // whole to tell which (a page of an API, a file of one credential)
                List<String> named = paths.stream().filter(p -> !"$".equals(p)).toList();
                if (t == JsonToken.START_ARRAY) {
                    return;
                }
                if (t != JsonToken.START_OBJECT) {
                    throw new FileRejectedException("the document is neither an array of records nor a record");
                }
                JsonNode doc = MAPPER.readTree(parser);
                if (named.stream().noneMatch(doc::has)) {
                    single = true;
                    whole = doc;
                    return;
                }
                parser.close();
                parser = doc.traverse(MAPPER);
                parser.nextToken();
                pending.addAll(named);
                if (!nextArray()) {
                    throw new FileRejectedException("the document has none of '" + String.join("', '", named) + "'");
                }
                return;
            }
            if (paths.size() > 1) {
                // several arrays side by side (OB 3.0: credential[] and compactJwsString[]), in whatever order
                pending.addAll(paths);
                if (t != JsonToken.START_OBJECT || !nextArray()) {
                    throw new FileRejectedException("the document has none of '" + String.join("', '", paths) + "'");
                }
                return;
            }
            for (String key : path.replaceFirst("^\\$\\.", "").split("\\.")) {
                if (t != JsonToken.START_OBJECT || !seek(key)) {
                    throw new FileRejectedException("the document has no '" + path + "'");
                }
                t = parser.nextToken();
            }
            if (t != JsonToken.START_ARRAY) {
                throw new FileRejectedException("'" + path + "' is not an array of records");
            }
        } catch (JsonProcessingException e) {
            throw notJson(e);
        }
    }

    private static FileRejectedException notJson(JsonProcessingException e) {
        return new FileRejectedException("the file is not valid JSON (cut short?) at line "
                + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()));
    }

    /** Not JSON inside the records: names the record being read (and the line, for a pretty-printed page). */
    private FileRejectedException notJsonInRecord(JsonProcessingException e) {
        String why = e instanceof com.fasterxml.jackson.core.io.JsonEOFException ? "(cut short?)"
                : e.getOriginalMessage() != null && e.getOriginalMessage().contains("UTF-8")
                ? "(a byte sequence that is not UTF-8)" : "(cut short?)";
        return new FileRejectedException("the file is not valid JSON " + why + " at record " + (position + 1)
                + " (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
    }

    /**
     * Moves, inside the top-level object, into the next array of one of the pending keys; false when the object has
     * no more of them. A pending key whose value is null is passed; one whose value is not an array is refused.
     */
    private boolean nextArray() throws IOException, FileRejectedException {
        JsonToken t;
        while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            JsonToken value = parser.nextToken();
            if (pending.remove(key) && value != JsonToken.VALUE_NULL) {
                if (value != JsonToken.START_ARRAY) {
                    throw new FileRejectedException("'" + key + "' is not an array of records");
                }
                return true;
            }
            parser.skipChildren();
        }
        return false;
    }

    /** Moves inside the current object to the value of {@code key}; false when the object has none. */
    private boolean seek(String key) throws IOException {
        JsonToken t;
        while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
            if (key.equals(parser.currentName())) {
                return true;
            }
            parser.nextToken();
            parser.skipChildren();
        }
        return false;
    }

    @Override
    public SourceRow next() throws IOException, FileRejectedException {
        while (true) {
            if (!checked.isEmpty()) {
                return checked.poll();
            }
            JsonNode node = nextNode();
            if (node == null) {
                return null;
            }
            if (check == null || !(node.isObject() || node.isTextual())) {
                return row(++position, node, null, Map.of(), null);
            }
            // each credential is a row of its own, a CLR's wrapped ones too (their location names the CLR)
            int record = ++records;
            for (RecordCheck.Checked c : check.check(node)) {
                checked.add(row(++position, c.credential(), c.rejection(), c.columns(),
                        c.location() == null ? null : c.location() + " at record " + record));
            }
        }
    }

    private JsonNode nextNode() throws IOException, FileRejectedException {
        if (done) {
            return null;
        }
        try {
            if (single) {
                done = true;
                return whole != null ? whole : MAPPER.readTree(parser);
            }
            JsonToken t = parser.nextToken();
            while (t == JsonToken.END_ARRAY && !pending.isEmpty() && nextArray()) {
                t = parser.nextToken();   // the next array of records
            }
            if (t == JsonToken.END_ARRAY || t == null) {
                done = true;
                if (t == null) {
                    throw new FileRejectedException("the file is not valid JSON: it ends inside the records (cut short?)");
                }
                return null;
            }
            return MAPPER.readTree(parser);
        } catch (JsonProcessingException e) {
            throw notJsonInRecord(e);
        }
    }

    private SourceRow row(int row, JsonNode record, String rejection, Map<String, String> verdict, String where) {
        return new SourceRow() {
            @Override
            public int rowNumber() {
                return row;
            }

            @Override
            public String get(String column) {
                String v = verdict.get(column);
                if (v != null) {
                    return v.isEmpty() ? null : v;
                }
                List<JsonPath> paths = columns.get(column);
                if (paths == null) {
                    return null;
                }
                if (allValues.contains(column)) {
                    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
                    for (JsonPath p : paths) {
                        all.addAll(p.texts(record));
                    }
                    return all.isEmpty() ? null : String.join("\n", all);
                }
                for (JsonPath p : paths) {
                    String v2 = p.text(record);
                    if (v2 != null && !v2.isEmpty()) {
                        return v2;
                    }
                }
                return null;
            }

            @Override
            public String structuralProblem() {
                return !record.isObject() ? "the record is not a JSON object" : rejection;
            }

            @Override
            public String location() {
                return where;
            }
        };
    }

    @Override
    public void finish(int detailRows) throws FileRejectedException {
        try {
            while (parser.nextToken() != null) {
                parser.skipChildren();
            }
        } catch (JsonProcessingException e) {
            throw notJson(e);
        } catch (IOException e) {
            throw new FileRejectedException("the file cannot be read to its end");
        }
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    /**
     * A path into a record: object keys separated by dots; a key may pick an array element by position
     * ({@code identifier[0]}) or by the first element whose fields have the given values
     * ({@code identifier[identityType=studentId,hashed=false]}). An array reached without a pick yields
     * its first element.
     */
    static final class JsonPath {
        private record Step(String key, Integer index, Map<String, String> where) {
        }

        private final String text;
        private final List<Step> steps = new ArrayList<>();

        JsonPath(String text) {
            this.text = text;
            for (String part : text.replaceFirst("^\\$\\.", "").split("\\.(?![^\\[]*\\])")) {
                int b = part.indexOf('[');
                if (b < 0) {
                    steps.add(new Step(part, null, null));
                    continue;
                }
                if (!part.endsWith("]")) {
                    throw new IllegalArgumentException("unbalanced [ in '" + part + "'");
                }
                String key = part.substring(0, b);
                String inner = part.substring(b + 1, part.length() - 1).trim();
                if (inner.matches("\\d+")) {
                    steps.add(new Step(key, Integer.parseInt(inner), null));
                } else if (inner.equals("*")) {
                    steps.add(new Step(key, 0, null));
                } else {
                    Map<String, String> where = new LinkedHashMap<>();
                    for (String cond : inner.split(",")) {
                        String[] kv = cond.split("=", 2);
                        if (kv.length != 2 || kv[0].isBlank()) {
                            throw new IllegalArgumentException("'" + cond + "' is not field=value");
                        }
                        where.put(kv[0].trim(), kv[1].trim().replaceAll("^['\"]|['\"]$", ""));
                    }
                    steps.add(new Step(key, null, where));
                }
            }
        }

        String text(JsonNode node) {
            JsonNode n = node;
            for (Step s : steps) {
                if (n == null) {
                    return null;
                }
                if (!s.key().isEmpty()) {
                    if (n.isArray()) {
                        n = n.get(0);
                    }
                    n = n == null ? null : n.get(s.key());
                }
                if (n == null) {
                    return null;
                }
                if (s.index() != null) {
                    n = n.isArray() ? n.get(s.index()) : (s.index() == 0 ? n : null);
                } else if (s.where() != null) {
                    JsonNode found = null;
                    for (JsonNode e : n.isArray() ? n : List.of(n)) {
                        boolean all = true;
                        for (Map.Entry<String, String> w : s.where().entrySet()) {
                            JsonNode f = e.get(w.getKey());
                            if (f == null || !f.asText().equals(w.getValue())) {
                                all = false;
                                break;
                            }
                        }
                        if (all) {
                            found = e;
                            break;
                        }
                    }
                    n = found;
                }
            }
            if (n == null || n.isNull() || n.isMissingNode()) {
                return null;
            }
            if (n.isArray()) {
                n = n.get(0);
                if (n == null) {
                    return null;
                }
            }
            return n.isValueNode() ? n.asText() : n.toString();
        }

        /** Every value the path reaches: an array met on the way (or at the end) gives all its elements. */
        List<String> texts(JsonNode node) {
            List<JsonNode> at = new ArrayList<>(List.of(node));
            for (Step s : steps) {
                List<JsonNode> next = new ArrayList<>();
                for (JsonNode n : at) {
                    for (JsonNode e : n.isArray() ? n : List.of(n)) {
                        JsonNode v = s.key().isEmpty() ? e : e.get(s.key());
                        if (v == null || v.isNull()) {
                            continue;
                        }
                        if (s.index() != null) {
                            v = v.isArray() ? v.get(s.index()) : (s.index() == 0 ? v : null);
                        } else if (s.where() != null) {
                            JsonNode found = null;
                            for (JsonNode c : v.isArray() ? v : List.of(v)) {
                                if (s.where().entrySet().stream().allMatch(w -> c.get(w.getKey()) != null
                                        && c.get(w.getKey()).asText().equals(w.getValue()))) {
                                    found = c;
                                    break;
                                }
                            }
                            v = found;
                        }
                        if (v != null) {
                            next.add(v);
                        }
                    }
                }
                at = next;
            }
            List<String> out = new ArrayList<>();
            for (JsonNode n : at) {
                for (JsonNode e : n.isArray() ? n : List.of(n)) {
                    if (e.isValueNode() && !e.asText().isBlank()) {
                        out.add(e.asText().strip());
                    }
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** The standards whose credentials a json layout's records may be ({@code source.standard}). */
    static final java.util.Set<String> STANDARDS = java.util.Set.of("open-badges-3", "clr-2");

    /** The keys of {@code source} only json files take, name then value. */
    static Object[] keys(MappingSpec.Source source) {
        return new Object[] {"records", source.records(), "standard", source.standard()};
    }

    /** A json layout's settings: the standard its records are checked against, each column one or more paths. */
    static SourceFormat settings(String where, MappingSpec.Source source) {
        if (source.standard() != null && !STANDARDS.contains(source.standard())) {
            throw new ConfigException(where + ": source.standard '" + source.standard() + "' is not one of " + STANDARDS);
        }
        SourceFormat.noTrailer(where, source);
        Map<String, List<JsonPath>> columns = new LinkedHashMap<>();
        java.util.Set<String> allValues = new java.util.HashSet<>();
        return new SourceFormat() {
            @Override
            public void column(String at, MappingSpec.Column c) {
                if (Boolean.TRUE.equals(c.all())) {
                    allValues.add(c.name());
                }
                List<String> paths = c.path() == null || c.path().isEmpty() ? List.of(c.name()) : c.path();
                List<JsonPath> compiled = new ArrayList<>();
                for (String p : paths) {
                    try {
                        compiled.add(new JsonPath(p));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(at + ".path: '" + p + "': " + e.getMessage());
                    }
                }
                columns.put(c.name(), compiled);
            }

            @Override
            public RecordReader open(InputStream in, RecordCheck check) throws IOException, FileRejectedException {
                return new JsonReader(in, source, columns, allValues, check);
            }
        };
    }
}
