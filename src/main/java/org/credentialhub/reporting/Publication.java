package org.credentialhub.reporting;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole annual report for a school year, as the public sees it: a contents page, the counting rules
 * in plain words, then every chart and table in the order of NC's Credential Attainment Report. Every
 * table is the public (small-cell-suppressed) form of {@link Reports}; every chart is drawn from the
 * public form too ({@link ReportCharts}), so nothing suppressed can be read off a bar. The HTML is
 * well-formed XHTML, so the same page is the console's view and the PDF's source (openhtmltopdf).
 */
public final class Publication {

    /** One part of the report: an anchor, its published name, the table it shows, and whether it is a chart. */
    record Part(String id, String label, String table, boolean chart) {
    }

    /** The parts, in the published order. */
    static final List<Part> PARTS = List.of(
            new Part("chart1", "Chart 1", "career-readiness-trend", true),
            new Part("table1", "Table 1", "credentials-by-course", false),
            new Part("table2", "Table 2", "individual-to-combined", false),
            new Part("table3", "Table 3", "credentials-by-tier", false),
            new Part("chart2", "Chart 2", "attainment-by-tier", true),
            new Part("table4", "Table 4", "attainment-by-student-group", false),
            new Part("table5a", "Table 5a", "tier-1-trend-by-student-group", false),
            new Part("table5b", "Table 5b", "tier-2-trend-by-student-group", false),
            new Part("table5c", "Table 5c", "tier-3-trend-by-student-group", false),
            new Part("table6", "Table 6", "career-readiness-trend", false),
            new Part("table7", "Table 7", "workforce-credentials", false),
            new Part("chart3", "Chart 3", "attainment-by-region", true),
            new Part("table8", "Table 8", "top-districts-by-earned", false),
            new Part("table9", "Table 9", "districts-by-rate", false),
            new Part("table10", "Table 10", "attainment-by-district", false),
            new Part("table11", "Table 11", "attainment-by-course-credential", false));

    private static final String RULES = """
            <p>The figures count industry credentials earned by high-school students in Career and Technical
            Education courses during the school year (July to June), as vendors and districts reported them to the hub.</p>
            <ul>
            <li><b>Earned.</b> A student earns a credential once in a school year: the first passing result. Later passes and
            failed attempts are not counted again. Revoked results, and district-entered results not yet validated, count for nothing.</li>
            <li><b>Course.</b> A credential counts toward a course when the student was enrolled that year in a course the state
            aligns to the credential, and the class offered it. A credential aligned to two courses the student took counts for each.</li>
            <li><b>Potential.</b> Every enrollment in a course, once for each aligned credential the class offers. The attainment
            rate is earned divided by potential, rounded half up (one decimal for public school units and tiers, whole percent for courses).</li>
            <li><b>Combined credentials</b> are counted when a student has earned, in the same course and year, every module that makes them up.</li>
            <li><b>Student groups (Table 4)</b> count students, not credentials: CTE enrollment is every student enrolled in a CTE
            course of the year; with credential opportunities, those enrolled in a course whose class offers a credential; earning,
            those who earned a credential counted toward such a course (per tier: at least one of that tier). Group flags come from
            the districts' student information systems; "Not reported" where they sent none. The state's share is each group's
            share of all the state's students, from the state's statistical profile; it is empty where the profile has no figure.</li>
            <li><b>Tier trends by student group (Tables 5a-c)</b> count, for each group and each of the three school years, the
            students enrolled in a course whose class offers a credential and, of them, those earning a credential of the tier
            counted toward such a course; the rate is the second over the first. A year whose data are not loaded is left empty.
            The share of earners is the group's share of the year's earners of that tier; the state's share is as in Table 4.</li>
            <li><b>Public school unit and region</b> are those of the enrollment; rankings (Tables 8 and 9) list only units whose figures are published.</li>
            <li><b>Small cells.</b> To protect students' privacy, a count below %d is shown as *, together with the figures that would
            give it away (its rate, and another cell of the same column when a total is published). Rates below 5%% or above 95%% are shown as &lt;5%% and &gt;95%%.</li>
            </ul>""";

    private final Reports reports;

    public Publication(Reports reports) {
        this.reports = reports;
    }

    /** The report for a school year as one XHTML page. */
    public String html(Connection c, String year) throws SQLException {
        StringBuilder body = new StringBuilder();
        StringBuilder contents = new StringBuilder("<ol class=\"contents\">");
        contents.append("<li><a href=\"#rules\">How the figures are counted</a></li>");
        for (Part p : PARTS) {
            Reports.Definition d = Reports.definition(p.table());
            Reports.Table t = reports.suppressed(reports.compute(c, p.table(), d.allYears() ? "all" : year));
            String title = p.label() + ". " + title(d, p.chart());
            contents.append("<li><a href=\"#").append(p.id()).append("\">").append(esc(title)).append("</a></li>");
            body.append("<section id=\"").append(p.id()).append("\"><h2>").append(esc(title)).append("</h2>");
            if (p.chart()) {
                body.append("<img alt=\"").append(esc(title)).append("\" src=\"data:image/png;base64,")
                        .append(ReportCharts.pngBase64(t, p.label() + ". " + title(d, false))).append("\" width=\"640\" height=\"360\"/>")
                        .append("<p class=\"note\">Rates as published; a bar is left out where its rate is suppressed (*) or given as a band (&lt;5%, &gt;95%).</p>");
                if (!"career-readiness-trend".equals(p.table())) {
                    body.append(table(t, year));
                }
            } else {
                body.append(table(t, year));
            }
            body.append("</section>");
        }
        contents.append("</ol>");
        int threshold = reports.threshold("attainment-by-district");
        return """
                <!DOCTYPE html>
                <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>
                <title>Credential Attainment Report %1$s</title>
                <style>
                body { font-family: sans-serif; font-size: 9pt; color: #222; }
                h1 { font-size: 20pt; } h2 { font-size: 13pt; margin-top: 18pt; }
                table { border-collapse: collapse; width: 100%%; -fs-table-paginate: paginate; }
                th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: left; }
                td.n { text-align: right; } thead th { background: #e8e8e8; }
                .contents-page, section { page-break-after: always; }
                .note { color: #555; font-size: 8pt; }
                @page { size: letter; margin: 0.6in; }
                </style></head><body>
                <div class="contents-page" id="contents"><h1>Credential Attainment Report %1$s</h1>
                <p>Published by credential-hub from the state's reporting database. Small cells suppressed (threshold %2$d).</p>
                <h2>Contents</h2>%3$s</div>
                <section id="rules"><h2>How the figures are counted</h2>%4$s</section>
                %5$s
                </body></html>
                """.formatted(esc(year), threshold, contents, RULES.formatted(threshold), body);
    }

    /** The report for a school year as PDF (the same page, laid out by openhtmltopdf). */
    public void pdf(Connection c, String year, OutputStream out) throws SQLException, IOException {
        PdfRendererBuilder builder = new PdfRendererBuilder();
        builder.useFastMode();
        builder.withHtmlContent(html(c, year), null);
        builder.toStream(out);
        builder.run();
    }

    private static String title(Reports.Definition d, boolean chart) {
        String t = d.title().replaceAll(" \\(NC [^)]*\\)$", "");
        return chart ? t + " (chart)" : t;
    }

    private static String table(Reports.Table t, String year) {
        StringBuilder sb = new StringBuilder("<table><thead><tr>");
        for (String h : header(t, year)) {
            sb.append("<th>").append(esc(h)).append("</th>");
        }
        sb.append("</tr></thead><tbody>");
        List<List<Object>> rows = new ArrayList<>(t.rows());
        if (t.total() != null) {
            rows.add(t.total());
        }
        for (List<Object> row : rows) {
            sb.append("<tr>");
            for (Object v : row) {
                sb.append(v instanceof Number ? "<td class=\"n\">" : "<td>").append(v == null ? "" : esc(v.toString())).append("</td>");
            }
            sb.append("</tr>");
        }
        return sb.append("</tbody></table>").toString();
    }

    /** Column names in words; Table 8's year columns named by their years. */
    static List<String> header(Reports.Table t, String year) {
        String before = org.credentialhub.support.SchoolYears.previous(year);
        String twoBefore = org.credentialhub.support.SchoolYears.previous(before);
        List<String> out = new ArrayList<>();
        for (String h : t.header()) {
            out.add(switch (h) {
                case "earned_two_years_before" -> "Earned " + twoBefore;
                case "earned_year_before" -> "Earned " + before;
                // Tables 5a-c: each year's columns named by its year
                case "enrolled_two_years_before" -> "Enrolled with credential opportunities " + twoBefore;
                case "earning_two_years_before" -> "Students earning " + twoBefore;
                case "rate_two_years_before" -> "Attainment rate " + twoBefore;
                case "enrolled_year_before" -> "Enrolled with credential opportunities " + before;
                case "earning_year_before" -> "Students earning " + before;
                case "rate_year_before" -> "Attainment rate " + before;
                case "enrolled" -> "Enrolled with credential opportunities " + year;
                case "earning" -> "Students earning " + year;
                case "rate" -> "Attainment rate " + year;
                // Table 4's columns as NC names them
                case "cte_enrollment" -> "CTE enrollment";
                case "students_enrolled" -> "CTE enrollment with credential opportunities";
                case "share_of_cte_enrollment" -> "Share of CTE enrollment";
                case "share_of_enrolled" -> "Share of enrollment with credential opportunities";
                case "students_earning_tier_1", "students_earning_tier_2", "students_earning_tier_3" ->
                        "Students earning tier " + h.substring(h.length() - 1);
                default -> {
                    String s = h.replace('_', ' ');
                    yield Character.toUpperCase(s.charAt(0)) + s.substring(1);
                }
            });
        }
        if (t.definition().name().equals("top-districts-by-earned")) {
            out.set(out.size() - 1, "Earned " + year);
        }
        return out;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
