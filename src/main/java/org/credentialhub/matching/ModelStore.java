package org.credentialhub.matching;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A feed's fitted model in PostgreSQL (table {@code match_model}), for the roster version it was fitted against:
 * a restarted hub goes on with the model it had, so a crash changes no match decision.
 */
final class ModelStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The stored form of an {@link FsModel}. */
    record Stored(double[][] m, double[][] u, double matchShare, boolean estimated, int emIterations, long trainingPairs) {
    }

    /** A model, the number of results it was fitted on, and whether the reading transaction kept it (uncommitted). */
    record Loaded(FsModel model, int rows, boolean ownTransaction) {
    }

    /** The feed's model as kept for the roster version, read on the caller's connection (its transaction's). */
    Loaded load(Connection c, String feed, String rosterVersion) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select fitted_rows, model::text, xmin = pg_current_xact_id_if_assigned()::xid is true
                from match_model where feed_code = ? and roster_version = ?""")) {
            ps.setString(1, feed);
            ps.setString(2, rosterVersion);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Stored s = JSON.readValue(rs.getString(2), Stored.class);
                if (!fits(s.m()) || !fits(s.u())) {
                    return null;   // fitted with other comparison levels: fitted again
                }
                return new Loaded(new FsModel(s.m(), s.u(), s.matchShare(), s.estimated(), s.emIterations(), s.trainingPairs()),
                        rs.getInt(1), rs.getBoolean(3));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return null;   // a model in another form: fitted again
            }
        }
    }

    /** Whether stored m or u has this version's fields and levels ({@link Comparisons}). */
    static boolean fits(double[][] p) {
        if (p == null || p.length != Comparisons.FIELDS) {
            return false;
        }
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            if (p[f] == null || p[f].length != Comparisons.levels(f)) {
                return false;
            }
        }
        return true;
    }

    /** Keeps the feed's model, in the caller's transaction (a model its rollback loses is fitted again). */
    void save(Connection c, String feed, String rosterVersion, FsModel model, int rows) throws SQLException {
        String json;
        try {
            json = JSON.writeValueAsString(new Stored(model.m, model.u, model.matchShare, model.estimated,
                    model.emIterations, model.trainingPairs));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                     insert into match_model (feed_code, roster_version, fitted_rows, model) values (?, ?, ?, ?::jsonb)
                     on conflict (feed_code) do update set roster_version = excluded.roster_version,
                         fitted_rows = excluded.fitted_rows, model = excluded.model, fitted_at = now()""")) {
            ps.setString(1, feed);
            ps.setString(2, rosterVersion);
            ps.setInt(3, rows);
            ps.setString(4, json);
            ps.executeUpdate();
        }
    }
}
