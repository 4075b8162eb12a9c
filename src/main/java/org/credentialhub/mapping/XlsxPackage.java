package org.credentialhub.mapping;

import org.apache.poi.ss.usermodel.BuiltinFormats;
import org.apache.poi.ss.usermodel.DateUtil;
import org.credentialhub.support.ZipBounds;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The parts of an Excel workbook (.xlsx: an Office Open XML package, a zip) that {@link XlsxReader} reads, found
 * through the package's relationships and read with the JDK's zip and StAX: the sheets in the workbook's order (name,
 * part, hidden or not), the shared strings, and which cell styles are dates. POI's package and styles model did the
 * same at a cost of its own for each workbook (its package's parts and content types parsed into documents, the
 * styles into XmlBeans, an XML reader made for each part after it looked for a class the class path does not have):
 * two thirds of a small workbook's reading (docs/performance.md, session 50). What the values mean is POI's still:
 * a style's number format, built in or the workbook's own ({@link BuiltinFormats}), is a date by
 * {@link DateUtil#isADateFormat}, and a shared string's {@code _xHHHH_} escapes are decoded as POI decodes them.
 *
 * <p>Every entry is read within {@link ZipBounds} (the sizes the zip's directory declares, and again while
 * inflating), as a OneRoster bundle's are.
 */
final class XlsxPackage implements Closeable {
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    static {
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    /** The relationship types (their last segment: transitional and strict namespaces alike) of parts a sheet is. */
    private static final List<String> SHEET_TYPES = List.of("/worksheet", "/chartsheet", "/dialogsheet",
            "/xlMacrosheet", "/xlIntlMacrosheet");

    /** A sheet of the workbook: its name, its part in the package, whether it is hidden (or very hidden). */
    record Sheet(String name, String part, boolean hidden) {
    }

    private final ZipFile zip;
    /** The package's entries by their part name, lower case (part names are compared without case). */
    private final Map<String, ZipEntry> entries = new HashMap<>();
    private final ZipBounds.Total inflated = ZipBounds.total();
    private final List<Sheet> sheets = new ArrayList<>();
    private final List<String> strings = new ArrayList<>();
    /** Whether each cell style (cellXfs, by the style's index) formats numbers as dates. */
    private boolean[] dateStyles = new boolean[0];

    private XlsxPackage(ZipFile zip) {
        this.zip = zip;
    }

    /** Opens the workbook in {@code file}: its directory checked, its workbook, relationships, strings and styles read. */
    static XlsxPackage open(Path file) throws IOException, XMLStreamException {
        ZipFile zip = new ZipFile(file.toFile());
        XlsxPackage p = new XlsxPackage(zip);
        try {
            p.read();
            return p;
        } catch (IOException | XMLStreamException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void read() throws IOException, XMLStreamException {
        List<? extends ZipEntry> all = zip.stream().toList();
        ZipBounds.checkDeclared(all);
        for (ZipEntry e : all) {
            entries.putIfAbsent(e.getName().toLowerCase(Locale.ROOT), e);
        }
        String workbook = null;
        for (Relationship r : relationships("")) {
            if (r.type().endsWith("/officeDocument")) {
                workbook = r.target();
                break;
            }
        }
        if (workbook == null || !entries.containsKey(workbook.toLowerCase(Locale.ROOT))) {
            throw new IOException("the package has no workbook part");
        }
        Map<String, Relationship> rels = new HashMap<>();
        String sharedStrings = null;
        String styles = null;
        for (Relationship r : relationships(workbook)) {
            rels.put(r.id(), r);
            if (r.type().endsWith("/sharedStrings") && sharedStrings == null) {
                sharedStrings = r.target();
            } else if (r.type().endsWith("/styles") && styles == null) {
                styles = r.target();
            }
        }
        readSheets(workbook, rels);
        if (sharedStrings != null && has(sharedStrings)) {
            readStrings(sharedStrings);
        }
        if (styles != null && has(styles)) {
            readStyles(styles);
        }
    }

    /** The workbook's sheets, in its order. */
    List<Sheet> sheets() {
        return sheets;
    }

    /** Shared string {@code i}, as POI's {@code ReadOnlySharedStringsTable.getItemAt(i).getString()} reads it. */
    String sharedString(int i) {
        return strings.get(i);
    }

    /**
     * Whether cell style {@code index} (a cell's {@code s}) formats numbers as dates: its number format, the workbook's
     * own for that id or else the built-in one, by {@link DateUtil#isADateFormat}. A style the workbook does not have
     * is none.
     */
    boolean isDateStyle(int index) {
        return index >= 0 && index < dateStyles.length && dateStyles[index];
    }

    /** A part's content, inflated within the bounds. */
    InputStream part(String name) throws IOException {
        ZipEntry e = entries.get(name.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IOException("the package has no part " + name);
        }
        return ZipBounds.bounded(zip, e, e.getName(), inflated);
    }

    private boolean has(String name) {
        return entries.containsKey(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    private record Relationship(String id, String type, String target) {
    }

    /**
     * The relationships of part {@code source} ("" for the package's own), their targets resolved to part names (an
     * external target is left out).
     */
    private List<Relationship> relationships(String source) throws IOException, XMLStreamException {
        int slash = source.lastIndexOf('/');
        String folder = slash < 0 ? "" : source.substring(0, slash + 1);
        String relsPart = folder + "_rels/" + source.substring(slash + 1) + ".rels";
        List<Relationship> out = new ArrayList<>();
        if (!has(relsPart)) {
            return out;
        }
        try (InputStream in = part(relsPart)) {
            XMLStreamReader x = XML.createXMLStreamReader(in);
            try {
                while (x.hasNext()) {
                    if (x.next() == XMLStreamConstants.START_ELEMENT && "Relationship".equals(x.getLocalName())) {
                        String target = x.getAttributeValue(null, "Target");
                        if (target == null || "External".equals(x.getAttributeValue(null, "TargetMode"))) {
                            continue;
                        }
                        out.add(new Relationship(String.valueOf(x.getAttributeValue(null, "Id")),
                                String.valueOf(x.getAttributeValue(null, "Type")), resolve(folder, target)));
                    }
                }
            } finally {
                x.close();
            }
        }
        return out;
    }

    /** A relationship's target as a part name: from the package's root when it starts with /, else from {@code folder}. */
    static String resolve(String folder, String target) {
        String decoded = target;
        if (target.indexOf('%') >= 0) {
            try {
                decoded = new java.net.URI(target).getPath();   // a target is a URI: %20 is a space in the part's name
            } catch (java.net.URISyntaxException | RuntimeException e) {
                decoded = target;
            }
        }
        String path = decoded.startsWith("/") ? decoded.substring(1) : folder + decoded;
        List<String> segments = new ArrayList<>();
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (!segments.isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
                continue;
            }
            segments.add(s);
        }
        return String.join("/", segments);
    }

    /** The workbook's sheets (its {@code sheet} elements) whose relationship is a sheet part's. */
    private void readSheets(String workbook, Map<String, Relationship> rels) throws IOException, XMLStreamException {
        try (InputStream in = part(workbook)) {
            XMLStreamReader x = XML.createXMLStreamReader(in);
            try {
                while (x.hasNext()) {
                    if (x.next() != XMLStreamConstants.START_ELEMENT || !"sheet".equals(x.getLocalName())) {
                        continue;
                    }
                    String id = null;
                    for (int a = 0; a < x.getAttributeCount(); a++) {
                        String ns = x.getAttributeNamespace(a);
                        if ("id".equals(x.getAttributeLocalName(a)) && ns != null && !ns.isEmpty()) {
                            id = x.getAttributeValue(a);
                        }
                    }
                    Relationship r = id == null ? null : rels.get(id);
                    if (r == null || SHEET_TYPES.stream().noneMatch(r.type()::endsWith)) {
                        continue;
                    }
                    if (!has(r.target())) {
                        // a sheet the workbook lists and the package lacks: the file is broken, not a sheet fewer
                        throw new IOException("a sheet's part is missing from the package");
                    }
                    String state = x.getAttributeValue(null, "state");
                    sheets.add(new Sheet(x.getAttributeValue(null, "name"), r.target(),
                            state != null && !"visible".equals(state)));
                }
            } finally {
                x.close();
            }
        }
    }

    /**
     * The shared strings: each {@code si}'s text runs ({@code t}) joined, its phonetic runs ({@code rPh}) left out,
     * and {@code _xHHHH_} escapes decoded, as POI's {@code ReadOnlySharedStringsTable} without phonetic runs reads them.
     */
    private void readStrings(String part) throws IOException, XMLStreamException {
        try (InputStream in = part(part)) {
            XMLStreamReader x = XML.createXMLStreamReader(in);
            try {
                StringBuilder text = new StringBuilder(64);
                boolean inT = false;
                int phonetic = 0;
                while (x.hasNext()) {
                    int ev = x.next();
                    if (ev == XMLStreamConstants.START_ELEMENT) {
                        String n = x.getLocalName();
                        if ("si".equals(n)) {
                            text.setLength(0);
                        } else if ("t".equals(n)) {
                            inT = true;
                        } else if ("rPh".equals(n)) {
                            phonetic++;
                        }
                    } else if (ev == XMLStreamConstants.END_ELEMENT) {
                        String n = x.getLocalName();
                        if ("si".equals(n)) {
                            strings.add(decode(text.toString()));
                        } else if ("t".equals(n)) {
                            inT = false;
                        } else if ("rPh".equals(n)) {
                            phonetic--;
                        }
                    } else if (inT && phonetic == 0 && (ev == XMLStreamConstants.CHARACTERS
                            || ev == XMLStreamConstants.CDATA || ev == XMLStreamConstants.SPACE)) {
                        text.append(x.getTextCharacters(), x.getTextStart(), x.getTextLength());
                    }
                }
            } finally {
                x.close();
            }
        }
    }

    private static final Pattern ESCAPE = Pattern.compile("_x([0-9A-Fa-f]{4})_");

    /** A text's {@code _xHHHH_} escapes (ECMA-376: a character XML cannot hold, such as a control character) decoded. */
    static String decode(String value) {
        if (!value.contains("_x")) {
            return value;
        }
        Matcher m = ESCAPE.matcher(value);
        StringBuilder out = null;
        int at = 0;
        while (m.find()) {
            if (out == null) {
                out = new StringBuilder(value.length());
            }
            out.append(value, at, m.start()).append((char) Integer.parseInt(m.group(1), 16));
            at = m.end();
        }
        return out == null ? value : out.append(value, at, value.length()).toString();
    }

    /**
     * Which cell styles are dates: each {@code cellXfs} {@code xf}'s {@code numFmtId} (0 when absent), the workbook's own
     * format of that id ({@code numFmt}) or else the built-in one, judged by {@link DateUtil#isADateFormat}.
     */
    private void readStyles(String part) throws IOException, XMLStreamException {
        List<Integer> xfs = new ArrayList<>();
        Map<Integer, String> formats = new HashMap<>();
        try (InputStream in = part(part)) {
            XMLStreamReader x = XML.createXMLStreamReader(in);
            try {
                boolean cellXfs = false;
                while (x.hasNext()) {
                    int ev = x.next();
                    if (ev == XMLStreamConstants.START_ELEMENT) {
                        String n = x.getLocalName();
                        if ("numFmt".equals(n)) {
                            String id = x.getAttributeValue(null, "numFmtId");
                            String code = x.getAttributeValue(null, "formatCode");
                            if (id != null && code != null) {
                                formats.put((int) Long.parseLong(id.trim()), code);
                            }
                        } else if ("cellXfs".equals(n)) {
                            cellXfs = true;
                        } else if (cellXfs && "xf".equals(n)) {
                            String id = x.getAttributeValue(null, "numFmtId");
                            xfs.add(id == null ? 0 : (int) Long.parseLong(id.trim()));
                        }
                    } else if (ev == XMLStreamConstants.END_ELEMENT && "cellXfs".equals(x.getLocalName())) {
                        cellXfs = false;
                    }
                }
            } finally {
                x.close();
            }
        }
        dateStyles = new boolean[xfs.size()];
        for (int i = 0; i < dateStyles.length; i++) {
            short format = (short) xfs.get(i).intValue();
            String code = formats.get(format & 0xffff);
            dateStyles[i] = DateUtil.isADateFormat(format, code != null ? code : BuiltinFormats.getBuiltinFormat(format & 0xffff));
        }
    }
}
