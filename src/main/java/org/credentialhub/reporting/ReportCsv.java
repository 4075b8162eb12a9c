package org.credentialhub.reporting;

import org.credentialhub.support.CsvOut;

import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A computed report as CSV, as {@code ./hub report} writes it. */
public final class ReportCsv {

    private static final NumberFormat THOUSANDS = NumberFormat.getIntegerInstance(Locale.US);

    private ReportCsv() {
    }

    /**
     * The rows as CSV. Tables 10 and 11 come in the published layout (their columns, "Name (code)" and
     * "CODE-Title" labels, thousands separators); other tables with their column names.
     */
    public static String of(Reports.Table t, boolean withTotal) {
        CsvOut csv = new CsvOut();
        List<List<Object>> rows = new ArrayList<>(t.rows());
        if (withTotal && t.total() != null) {
            rows.add(t.total());
        }
        switch (t.definition().name()) {
            case "attainment-by-district" -> {
                csv.row(List.of("Public School Unit (PSU)", "Earned", "Potential", "Attainment Rate"));
                for (List<Object> r : rows) {
                    String label = "Total".equals(r.get(0)) ? "Total" : r.get(1) + " (" + r.get(0) + ")";
                    csv.row(List.of(label, num(r.get(2)), num(r.get(3)), String.valueOf(r.get(4))));
                }
            }
            case "attainment-by-course-credential" -> {
                csv.row(List.of("Course", "Credential Name", "Earned", "Potential", "Attainment Rate"));
                for (List<Object> r : rows) {
                    String course = "Total".equals(r.get(0)) ? "Total" : r.get(0) + "-" + r.get(1);
                    csv.row(List.of(course, r.get(3) == null ? "" : String.valueOf(r.get(3)), num(r.get(4)), num(r.get(5)),
                            String.valueOf(r.get(6))));
                }
            }
            default -> {
                csv.row(t.header());
                for (List<Object> r : rows) {
                    csv.row(r);
                }
            }
        }
        return csv.toString();
    }

    private static String num(Object v) {
        return v instanceof Number n ? THOUSANDS.format(n.longValue()) : v == null ? "" : String.valueOf(v);
    }
}
