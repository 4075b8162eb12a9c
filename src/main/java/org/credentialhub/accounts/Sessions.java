package org.credentialhub.accounts;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Web sessions kept in PostgreSQL (so any hub node serves any user): a random token in an HttpOnly
 * cookie, of which only a SHA-256 is stored; an idle timeout and an absolute lifetime; a CSRF token per
 * session that every state-changing request must echo.
 */
public final class Sessions {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    private final Duration idle;
    private final Duration lifetime;

    public Sessions(DataSource dataSource, Duration idle, Duration lifetime) {
        this.dataSource = dataSource;
        this.idle = idle;
        this.lifetime = lifetime;
    }

    /** A live session: who, and the CSRF token to expect. */
    public record Session(Account account, String csrfToken) {
    }

    /** Opens a session; returns the cookie token (never stored) and the session. */
    public record Opened(String token, Session session) {
    }

    public Opened open(Account account) throws SQLException {
        String token = random();
        String csrf = random();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into web_session (session_hash, account_id, csrf_token, expires_at)
                     values (?, ?, ?, now() + make_interval(secs => ?))""")) {
            ps.setString(1, sha(token));
            ps.setLong(2, account.id());
            ps.setString(3, csrf);
            ps.setLong(4, lifetime.toSeconds());
            ps.executeUpdate();
        }
        return new Opened(token, new Session(account, csrf));
    }

    /** The session of a cookie token, if it is live; touching it extends the idle timeout. */
    public Optional<Session> find(String token) throws SQLException {
        if (token == null || token.isBlank() || token.length() > 100) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update web_session s set last_seen_at = now()
                     from account a
                     where s.session_hash = ? and a.account_id = s.account_id and not a.disabled
                       and s.expires_at > now() and s.last_seen_at > now() - make_interval(secs => ?)
                     returning a.account_id, a.username, a.role, a.district_code, a.feed_code, s.csrf_token""")) {
            ps.setString(1, sha(token));
            ps.setLong(2, idle.toSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Session(Accounts.map(rs), rs.getString("csrf_token")));
            }
        }
    }

    public void close(String token) throws SQLException {
        if (token == null) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("delete from web_session where session_hash = ? or expires_at < now()")) {
            ps.setString(1, sha(token));
            ps.executeUpdate();
        }
    }

    public Duration lifetime() {
        return lifetime;
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sha(String token) {
        return org.credentialhub.support.Sha256.hex(token.getBytes(StandardCharsets.UTF_8));
    }
}
