package org.credentialhub.mapping;

import org.apache.poi.ss.usermodel.DateUtil;
import org.credentialhub.support.ConfigException;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Excel workbooks (.xlsx) streaming, sheet by sheet, row by row (StAX over the sheet XML, never
 * the whole workbook in memory). Every sheet (or the listed ones) has the column names in
 * {@code header-row}; data follows. Date cells read as ISO dates ({@code 2025-03-14}, or
 * {@code 2025-03-14T10:30} with a time), boolean cells as {@code true}/{@code false}, numbers in plain
 * notation. Row numbers run on through the workbook (the second sheet's rows follow the first sheet's
 * last row), so each record has one number; rejections name the sheet and its own row too. A hidden
 * sheet is not read unless the mapping lists it by name ({@code hidden-sheets}: skipped with a warning,
 * or the file quarantined).
 */
final class XlsxReader implements RecordReader {
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(XlsxReader.class);

    static {
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    private final MappingSpec.Source source;
    private final List<String> expected;
    private final Path temp;
    private final XlsxPackage pkg;
    private final Iterator<XlsxPackage.Sheet> sheets;
    private final int headerRow;
    private final List<String> warnings = new ArrayList<>();
    private String sheetName;
    private InputStream sheetStream;
    private XMLStreamReader xml;
    private Map<String, Integer> index;
    private int width;
    private int offset;
    private int lastRowInSheet;

    XlsxReader(InputStream raw, MappingSpec.Source source, List<String> expected) throws IOException, FileRejectedException {
        this.source = source;
        this.expected = expected;
        this.headerRow = source.headerRow() == null ? 1 : source.headerRow();
        temp = Files.createTempFile("hub-xlsx", ".xlsx");
        Files.copy(raw, temp, StandardCopyOption.REPLACE_EXISTING);
        if (Files.size(temp) == 0) {
            Files.deleteIfExists(temp);
            throw new FileRejectedException("the file is empty");
        }
        try {
            pkg = XlsxPackage.open(temp);
        } catch (Exception | LinkageError e) {
            Files.deleteIfExists(temp);
            throw new FileRejectedException("the file is not a readable Excel workbook (.xlsx): " + why(e));
        }
        sheets = pkg.sheets().iterator();
    }

    /**
     * What is wrong with a workbook, for its rejection: a zip bomb's refusal as {@link org.credentialhub.support.ZipBounds}
     * words it (what expands beyond which bound: names of parts and sizes only), any other fault by its kind.
     */
    private static String why(Throwable e) {
        for (Throwable t = e; t != null; t = t instanceof XMLStreamException x && x.getNestedException() != null
                ? x.getNestedException() : t.getCause()) {
            if (t instanceof org.credentialhub.support.ZipBounds.Refused) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    private boolean nextSheet() throws FileRejectedException {
        closeSheet();
        while (sheets.hasNext()) {
            XlsxPackage.Sheet sheet = sheets.next();
            String name = sheet.name();
            if (source.sheets() != null && !source.sheets().contains(name)) {
                continue;
            }
            if (source.sheets() == null && sheet.hidden()) {
                // a hidden sheet is a workbook's scratch space (lookups, old data), not results
                String why = "sheet '" + name + "' is hidden and the mapping does not list it by name";
                if ("quarantine".equals(source.hiddenSheets())) {
                    throw new FileRejectedException(why);
                }
                warnings.add(why + ": skipped");
                LOG.warn("{}: skipped", why);
                continue;
            }
            InputStream in;
            try {
                in = pkg.part(sheet.part());
            } catch (IOException e) {
                sheetName = name;
                throw broken(e);
            }
            sheetName = name;
            sheetStream = in;
            offset += lastRowInSheet;
            lastRowInSheet = 0;
            index = null;
            try {
                xml = XML.createXMLStreamReader(in);
            } catch (XMLStreamException e) {
                throw broken(e);
            }
            return true;
        }
        return false;
    }

    private FileRejectedException broken(Exception e) {
        return new FileRejectedException("sheet '" + sheetName + "' cannot be read: " + why(e));
    }

    /** The next row of the current sheet as cell texts by column (0-based), or null at the sheet's end. */
    private Row nextRow() throws FileRejectedException {
        try {
            while (xml.hasNext()) {
                int ev = xml.next();
                if (ev == XMLStreamConstants.START_ELEMENT && "row".equals(xml.getLocalName())) {
                    String r = xml.getAttributeValue(null, "r");
                    int number = r == null ? lastRowInSheet + 1 : Integer.parseInt(r);
                    lastRowInSheet = number;
                    return new Row(number, cells());
                }
            }
            return null;
        } catch (XMLStreamException | RuntimeException e) {
            throw broken(e);
        }
    }

    private record Row(int number, Map<Integer, String> cells) {
        boolean blank() {
            return cells.values().stream().allMatch(v -> v == null || v.isBlank());
        }
    }

    private Map<Integer, String> cells() throws XMLStreamException {
        Map<Integer, String> out = new HashMap<>();
        int next = 0;
        while (xml.hasNext()) {
            int ev = xml.next();
            if (ev == XMLStreamConstants.END_ELEMENT && "row".equals(xml.getLocalName())) {
                return out;
            }
            if (ev == XMLStreamConstants.START_ELEMENT && "c".equals(xml.getLocalName())) {
                String ref = xml.getAttributeValue(null, "r");
                int col = ref == null ? next : column(ref);
                next = col + 1;
                String type = xml.getAttributeValue(null, "t");
                String style = xml.getAttributeValue(null, "s");
                String raw = null;
                StringBuilder inline = null;
                while (xml.hasNext()) {
                    int e = xml.next();
                    if (e == XMLStreamConstants.END_ELEMENT && "c".equals(xml.getLocalName())) {
                        break;
                    }
                    if (e == XMLStreamConstants.START_ELEMENT && "v".equals(xml.getLocalName())) {
                        raw = xml.getElementText();
                    } else if (e == XMLStreamConstants.START_ELEMENT && "t".equals(xml.getLocalName())) {
                        if (inline == null) {
                            inline = new StringBuilder();
                        }
                        inline.append(xml.getElementText());
                    }
                }
                out.put(col, render(type, style, raw, inline));
            }
        }
        return out;
    }

    private String render(String type, String style, String raw, StringBuilder inline) {
        if ("inlineStr".equals(type)) {
            return inline == null ? null : inline.toString();
        }
        if (raw == null) {
            return null;
        }
        if ("s".equals(type)) {
            return pkg.sharedString(Integer.parseInt(raw.trim()));
        }
        if ("b".equals(type)) {
            return "1".equals(raw.trim()) ? "true" : "false";
        }
        if ("str".equals(type) || "e".equals(type)) {
            return raw;
        }
        if (style != null) {
            if (pkg.isDateStyle(Integer.parseInt(style))) {
                double d = Double.parseDouble(raw);
                if (DateUtil.isValidExcelDate(d)) {
                    LocalDateTime t = DateUtil.getLocalDateTime(d);
                    return t.toLocalTime().toSecondOfDay() == 0 ? t.toLocalDate().toString() : t.toString();
                }
            }
        }
        try {
            return new BigDecimal(raw.trim()).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return raw;
        }
    }

    private static int column(String ref) {
        int col = 0;
        for (int i = 0; i < ref.length() && Character.isLetter(ref.charAt(i)); i++) {
            col = col * 26 + (Character.toUpperCase(ref.charAt(i)) - 'A' + 1);
        }
        return col - 1;
    }

    @Override
    public SourceRow next() throws FileRejectedException {
        while (true) {
            if (xml == null && !nextSheet()) {
                return null;
            }
            Row row = nextRow();
            if (row == null) {
                closeSheet();
                continue;
            }
            if (row.number() < headerRow) {
                continue;
            }
            if (index == null) {
                if (row.number() > headerRow || row.blank()) {
                    throw new FileRejectedException("sheet '" + sheetName + "': no column names in row " + headerRow);
                }
                header(row);
                continue;
            }
            if (row.blank()) {
                continue;
            }
            int number = offset + row.number();
            String where = "sheet '" + sheetName + "' row " + row.number();
            String sheet = sheetName;
            int sheetRow = row.number();
            Map<String, Integer> idx = index;
            int lastCol = row.cells().keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
            String structural = lastCol >= width && row.cells().entrySet().stream()
                    .anyMatch(e -> e.getKey() >= width && e.getValue() != null && !e.getValue().isBlank())
                    ? "the row has values beyond the header's " + width + " columns" : null;
            return new SourceRow() {
                @Override
                public int rowNumber() {
                    return number;
                }

                @Override
                public String get(String column) {
                    Integer i = idx.get(column);
                    return i == null ? null : row.cells().get(i);
                }

                @Override
                public String structuralProblem() {
                    return structural;
                }

                @Override
                public String location() {
                    return where;
                }

                @Override
                public String part() {
                    return sheet;
                }

                @Override
                public int partRow() {
                    return sheetRow;
                }
            };
        }
    }

    private void header(Row row) throws FileRejectedException {
        index = new HashMap<>();
        List<String> names = new ArrayList<>();
        width = 0;
        for (Map.Entry<Integer, String> e : row.cells().entrySet()) {
            if (e.getValue() != null && !e.getValue().isBlank()) {
                String name = e.getValue().strip();
                names.add(name);
                index.putIfAbsent(name, e.getKey());
                width = Math.max(width, e.getKey() + 1);
            }
        }
        DelimitedReader.checkNamedOnce(names, expected, "sheet '" + sheetName + "': ");
        Set<String> missing = new LinkedHashSet<>(expected);
        names.forEach(missing::remove);
        Set<String> unknown = new LinkedHashSet<>(names);
        expected.forEach(unknown::remove);
        if ("ignore".equals(source.extraColumns())) {
            unknown.clear();
        }
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            FileRejectedException drift = DelimitedReader.headerDrift(missing, unknown);
            throw new FileRejectedException("sheet '" + sheetName + "': " + drift.getMessage());
        }
    }

    @Override
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private void closeSheet() {
        if (xml != null) {
            try {
                xml.close();
            } catch (XMLStreamException ignored) {
                // closing
            }
            xml = null;
        }
        close(sheetStream);
        sheetStream = null;
    }

    private static void close(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        closeSheet();
        try {
            pkg.close();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The keys of {@code source} only xlsx files take, name then value. */
    static Object[] keys(MappingSpec.Source source) {
        return new Object[] {"sheets", source.sheets(), "header-row", source.headerRow(), "hidden-sheets", source.hiddenSheets()};
    }

    static void checkValues(String where, MappingSpec.Source source) {
        if (source.hiddenSheets() != null && !Set.of("skip", "quarantine").contains(source.hiddenSheets())) {
            throw new ConfigException(where + ": source.hidden-sheets: '" + source.hiddenSheets() + "' is not skip or quarantine");
        }
    }

    /** A workbook layout's settings: the header row of every sheet, columns by name. */
    static SourceFormat settings(String where, MappingSpec.Source source) {
        SourceFormat.noTrailer(where, source);
        if (source.headerRow() != null && source.headerRow() < 1) {
            throw new ConfigException(where + ": source.header-row is 1-based");
        }
        return SourceFormat.byName("xlsx", columns -> in -> new XlsxReader(in, source, columns));
    }
}
