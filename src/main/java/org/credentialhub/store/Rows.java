package org.credentialhub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A query's rows as ordered maps (column label to value), with times, dates and decimals as text: what
 * the stages hand to the JSON API and the console.
 */
public final class Rows {
    private Rows() {
    }

    public static List<Map<String, Object>> list(Connection c, String sql, List<?> params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params.toArray())) {
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        if (v instanceof java.sql.Timestamp || v instanceof java.time.temporal.Temporal
                                || v instanceof java.sql.Date || v instanceof java.math.BigDecimal) {
                            v = v.toString();
                        }
                        row.put(md.getColumnLabel(i), v);
                    }
                    out.add(row);
                }
                return out;
            }
        }
    }

    public static List<Map<String, Object>> list(javax.sql.DataSource ds, String sql, List<?> params) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return list(c, sql, params);
        }
    }

    /** Runs an insert, update or delete with these parameters (in order); returns the rows it changed. */
    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params)) {
            return ps.executeUpdate();
        }
    }

    /** The first column of the one row a statement returns (an insert's {@code returning} id), as a long. */
    public static long returningLong(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first column of a statement's first row as text; null when it returns no row (or a null). */
    public static String text(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** A statement with its parameters set, in order; the caller closes it. */
    public static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** Adds the gauges of a query whose rows are (name, comma-separated tag=value pairs, value) to a snapshot. */
    public static void gauges(Connection c, String sql, Map<String, Double> into) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.put(rs.getString(1) + "|" + rs.getString(2), rs.getDouble(3));
            }
        }
    }
}
