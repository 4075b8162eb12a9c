package org.credentialhub.cli;

import org.apache.poi.xssf.streaming.SXSSFWorkbook;
import org.credentialhub.reporting.ReportCsv;
import org.credentialhub.reporting.ReportingLoad;
import org.credentialhub.reporting.Reports;
import org.credentialhub.runtime.HubServices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Print a published report (exact, or --public: small cells suppressed), list them, or load the reporting database.")
public final class ReportCommand implements Callable<Integer> {

    @Option(names = "--list", description = "list the reports")
    boolean list;

    @Option(names = "--load", description = "run a reporting load now")
    boolean load;

    @Option(names = "--year", description = "school year, e.g. 2024-2025")
    String year;

    @Option(names = "--table", description = "report name (see --list)")
    String table;

    @Option(names = "--format", description = "csv (default) or xlsx; with --publish html (default) or pdf")
    String format;

    @Option(names = "--publish", description = "write the whole annual report for --year (every table small-cell "
            + "suppressed, charts, contents, counting rules) to --out, as --format html or pdf")
    boolean publish;

    @Option(names = "--public", description = "the public form: small cells suppressed, rates near 0/100%% banded")
    boolean publicForm;

    @Option(names = "--total", description = "add the total row")
    boolean total;

    @Option(names = "--trace", paramLabel = "KEY", description = "list the results, files and rows behind the row "
            + "with this key (its first column; COURSE/CREDENTIAL for attainment-by-course-credential)")
    String trace;

    @Option(names = "--out", description = "write to this file instead of standard output (required for xlsx)")
    Path out;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Override
    public Integer call() throws Exception {
        if (list) {
            for (Reports.Definition d : Reports.ALL) {
                System.out.printf("%-32s %s%n", d.name(), d.title());
            }
            return 0;
        }
        if (publish) {
            return publish();
        }
        if (format == null) {
            format = "csv";
        }
        if (!load && (table == null || (year == null && !Reports.definition(table).allYears()))) {
            return Exit.error("report", "give --list, --load, or --year YEAR --table NAME");
        }
        if (!List.of("csv", "xlsx").contains(format)) {
            return Exit.error("report", "--format is csv or xlsx");
        }
        return data.run("report", hub -> {
            Reports reports = HubServices.reportsFrom(hub.settings);
            if (load) {
                // credentials revoked or valid since are brought up to date first, as every load does
                var standing = new org.credentialhub.standards.Standing(hub.database.dataSource(),
                        org.credentialhub.standards.Verification.of(hub.settings, hub.feeds()));
                int rows = new ReportingLoad(hub.database.dataSource(), reports, standing::recheckAll).load("command");
                System.err.println("report: reporting load done, " + rows + " fact rows written");
                if (table == null) {
                    return 0;
                }
            }
            if (trace != null) {
                try (Connection c = hub.database.dataSource().getConnection()) {
                    List<Map<String, Object>> rows = org.credentialhub.reporting.Trace.of(c, table, year, trace, 1_000_000);
                    org.credentialhub.support.CsvOut sb = new org.credentialhub.support.CsvOut();
                    if (!rows.isEmpty()) {
                        sb.row(rows.get(0).keySet());
                    }
                    for (Map<String, Object> r : rows) {
                        sb.row(r.values());
                    }
                    System.out.print(sb);
                    System.err.println("report: " + rows.size() + " result(s) behind " + table + " " + trace + " (" + year + ")");
                }
                return 0;
            }
            Reports.Table t;
            try (Connection c = hub.database.dataSource().getConnection()) {
                t = reports.compute(c, table, year == null ? "all" : year);
            }
            if (publicForm) {
                t = reports.suppressed(t);
            }
            if ("xlsx".equals(format)) {
                if (out == null) {
                    return Exit.error("report", "--format xlsx needs --out FILE");
                }
                writeXlsx(t, out);
            } else if (out != null) {
                Files.writeString(out, ReportCsv.of(t, total || publicForm), StandardCharsets.UTF_8);
            } else {
                System.out.print(ReportCsv.of(t, total || publicForm));
            }
            return 0;
        });
    }

    private int publish() throws Exception {
        String f = format == null ? "html" : format;
        if (year == null || out == null || !List.of("html", "pdf").contains(f)) {
            return Exit.error("report", "--publish needs --year YEAR --out FILE [--format html|pdf]");
        }
        return data.run("report", hub -> {
            try (Connection c = hub.database.dataSource().getConnection()) {
                org.credentialhub.reporting.Publication publication =
                        new org.credentialhub.reporting.Publication(HubServices.reportsFrom(hub.settings));
                if ("pdf".equals(f)) {
                    try (OutputStream os = Files.newOutputStream(out)) {
                        publication.pdf(c, year, os);
                    }
                } else {
                    Files.writeString(out, publication.html(c, year), StandardCharsets.UTF_8);
                }
            }
            System.err.println("report: the " + year + " report written to " + out + " (" + f + ")");
            return 0;
        });
    }

    private static void writeXlsx(Reports.Table t, Path file) throws Exception {
        try (SXSSFWorkbook wb = new SXSSFWorkbook(); OutputStream os = Files.newOutputStream(file)) {
            var sheet = wb.createSheet(t.definition().name());
            var title = sheet.createRow(0);
            title.createCell(0).setCellValue(t.definition().title() + (t.year() == null ? "" : ", " + t.year()));
            var header = sheet.createRow(2);
            for (int i = 0; i < t.header().size(); i++) {
                header.createCell(i).setCellValue(t.header().get(i));
            }
            int r = 3;
            List<List<Object>> rows = new java.util.ArrayList<>(t.rows());
            if (t.total() != null) {
                rows.add(t.total());
            }
            for (List<Object> row : rows) {
                var x = sheet.createRow(r++);
                for (int i = 0; i < row.size(); i++) {
                    Object v = row.get(i);
                    if (v instanceof Number n) {
                        x.createCell(i).setCellValue(n.doubleValue());
                    } else {
                        x.createCell(i).setCellValue(v == null ? "" : v.toString());
                    }
                }
            }
            wb.write(os);
            wb.dispose();
        }
    }
}
