package org.credentialhub.web;

import org.apache.camel.Exchange;
import org.credentialhub.accounts.Role;
import org.credentialhub.reporting.Reports;
import org.credentialhub.reporting.Trace;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The published reports in the ops console: the list, a report for a school year (exact, or with
 * {@code public=true} as the public sees it), and the results behind a row. Ops only: exact figures
 * and traces are for authorized users.
 */
public final class ReportsApi {
    private final DataSource dataSource;
    private final Reports reports;

    public ReportsApi(DataSource dataSource, Reports reports) {
        this.dataSource = dataSource;
        this.reports = reports;
    }

    /** GET /api/reports: the reports and the school years loaded. */
    public void list(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Reports.Definition d : Reports.ALL) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.name());
            m.put("title", d.title());
            m.put("allYears", d.allYears());
            m.put("threshold", reports.threshold(d.name()));
            out.add(m);
        }
        try (Connection c = dataSource.getConnection()) {
            List<Object> years = org.credentialhub.store.Rows.list(c, "select distinct school_year from rpt.fact_earned "
                    + "union select distinct school_year from rpt.fact_potential order by 1 desc", List.of())
                    .stream().map(r -> r.get("school_year")).toList();
            Web.json(ex, Map.of("reports", out, "years", years));
        }
    }

    /** GET /api/reports/{table}?year=&public=: the report's header, rows and total. */
    public void get(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        String name = ex.getIn().getHeader("table", String.class);
        Reports.Definition d;
        try {
            d = Reports.definition(name);
        } catch (RuntimeException e) {
            throw ApiException.notFound();
        }
        String year = Web.param(ex, "year");
        if (year == null && !d.allYears()) {
            throw ApiException.badRequest("year is required, e.g. 2024-2025");
        }
        try (Connection c = dataSource.getConnection()) {
            Reports.Table t = reports.compute(c, name, d.allYears() ? "all" : year);
            if ("true".equals(Web.param(ex, "public"))) {
                t = reports.suppressed(t);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", name);
            out.put("title", d.title());
            out.put("year", year);
            out.put("columns", t.header());
            out.put("rows", t.rows());
            out.put("total", t.total());
            Web.json(ex, out);
        }
    }

    /**
     * GET /api/publication?year=&amp;download=: the whole annual report for a school year as the public sees
     * it (HTML, the page {@code ./hub report --publish} writes); {@code download=true} as an attachment.
     */
    public void publication(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        String year = Web.param(ex, "year");
        if (year == null || !year.matches("\\d{4}(-\\d{4})?")) {
            throw ApiException.badRequest("year is required, e.g. 2024-2025");
        }
        String html;
        try (Connection c = dataSource.getConnection()) {
            html = new org.credentialhub.reporting.Publication(reports).html(c, year);
        }
        Web.clearHeaders(ex);
        ex.getMessage().setBody(html.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        if ("true".equals(Web.param(ex, "download"))) {
            ex.getMessage().setHeader("Content-Disposition", "attachment; filename=\"credential-attainment-" + year + ".html\"");
        }
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
    }

    /** GET /api/reports/{table}/trace?year=&key=: the results, files and rows behind one row. */
    public void trace(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        String name = ex.getIn().getHeader("table", String.class);
        String year = Web.param(ex, "year");
        String key = Web.param(ex, "key");
        if (year == null || key == null) {
            throw ApiException.badRequest("year and key are required");
        }
        try (Connection c = dataSource.getConnection()) {
            Web.json(ex, Map.of("results", Trace.of(c, name, year, key, 5000)));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }
}
