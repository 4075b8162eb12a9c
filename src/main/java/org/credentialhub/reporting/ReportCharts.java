package org.credentialhub.reporting;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;

/**
 * The report's charts, drawn on the server (JFreeChart) as PNG: the attainment rate of each row of a
 * public table (label = its first column). Only rates the public table shows as a number are drawn;
 * suppressed (*) and banded (&lt;5%, &gt;95%) ones are left out, so a chart never tells more than its table.
 */
public final class ReportCharts {
    private ReportCharts() {
    }

    /** A bar chart of the table's rate column, PNG in base64 (for a data: URI). */
    public static String pngBase64(Reports.Table t, String title) {
        int rate = -1;
        for (int i = 0; i < t.header().size(); i++) {
            if (t.header().get(i).endsWith("rate")) {
                rate = i;
            }
        }
        if (rate < 0) {
            throw new IllegalArgumentException(t.definition().name() + " has no rate to chart");
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (List<Object> row : t.rows()) {
            String v = row.get(rate) == null ? "" : row.get(rate).toString();
            if (v.matches("\\d+(\\.\\d+)?%")) {
                data.addValue(Double.parseDouble(v.substring(0, v.length() - 1)), "Attainment rate (%)", String.valueOf(row.get(0)));
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, null, "Attainment rate (%)", data,
                PlotOrientation.VERTICAL, false, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(Color.GRAY);
        chart.getCategoryPlot().getRangeAxis().setRange(0, 100);
        try {
            return Base64.getEncoder().encodeToString(ChartUtils.encodeAsPNG(chart.createBufferedImage(640, 360)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
