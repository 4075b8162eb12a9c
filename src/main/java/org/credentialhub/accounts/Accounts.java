package org.credentialhub.accounts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Accounts: creation (by an ops user or {@code ./hub user add}), sign-in with lock-out after repeated
 * failures, and listing. Passwords are hashed with Argon2id.
 */
public final class Accounts {
    private static final Logger LOG = LoggerFactory.getLogger(Accounts.class);
    public static final int MAX_FAILURES = 5;
    public static final int LOCK_MINUTES = 15;
    public static final int MIN_PASSWORD_LENGTH = 12;

    private final DataSource dataSource;

    public Accounts(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Account create(String username, Role role, String district, String feed, String password, String createdBy)
            throws SQLException {
        if (username == null || !username.matches("[A-Za-z0-9._@-]{3,64}")) {
            throw new IllegalArgumentException("a user name is 3-64 letters, digits, '.', '_', '@' or '-'");
        }
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("a password has at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (role.isDistrict() && (district == null || district.isBlank())) {
            throw new IllegalArgumentException("a district role needs --district");
        }
        if (!role.isDistrict() && district != null) {
            throw new IllegalArgumentException("only district roles take a district");
        }
        if ((role == Role.VENDOR) != (feed != null)) {
            throw new IllegalArgumentException(role == Role.VENDOR ? "a vendor account needs its feed" : "only vendors take a feed");
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into account (username, role, district_code, feed_code, password_hash, created_by)
                     values (?, ?, ?, ?, ?, ?) returning account_id""")) {
            ps.setString(1, username);
            ps.setString(2, role.dbValue());
            ps.setString(3, district);
            ps.setString(4, feed);
            ps.setString(5, Passwords.hash(password));
            ps.setString(6, createdBy);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                LOG.info("Account {} ({}) created by {}", username, role.key(), createdBy);
                return new Account(rs.getLong(1), username, role, district, feed);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new IllegalArgumentException("user " + username + " already exists");
            }
            throw e;
        }
    }

    /** Result of a sign-in attempt. */
    public enum SignIn { OK, BAD_CREDENTIALS, LOCKED }

    public record SignInResult(SignIn outcome, Account account) {
    }

    public SignInResult signIn(String username, String password) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    select account_id, username, role, district_code, feed_code, password_hash, failed_logins,
                           locked_until > now() as locked, disabled
                    from account where username = ? for update""")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        Passwords.burn(password == null ? "" : password);
                        c.rollback();
                        return new SignInResult(SignIn.BAD_CREDENTIALS, null);
                    }
                    long id = rs.getLong("account_id");
                    if (rs.getBoolean("locked")) {
                        c.rollback();
                        return new SignInResult(SignIn.LOCKED, null);
                    }
                    boolean ok = !rs.getBoolean("disabled") && password != null
                            && Passwords.verify(password, rs.getString("password_hash"));
                    if (ok) {
                        update(c, "update account set failed_logins = 0, locked_until = null where account_id = ?", id);
                        c.commit();
                        return new SignInResult(SignIn.OK, map(rs));
                    }
                    int failures = rs.getInt("failed_logins") + 1;
                    if (failures >= MAX_FAILURES) {
                        update(c, "update account set failed_logins = 0, locked_until = now() + interval '"
                                + LOCK_MINUTES + " minutes' where account_id = ?", id);
                        LOG.warn("Account {} locked for {} minutes after {} failed sign-ins", id, LOCK_MINUTES, failures);
                    } else {
                        update(c, "update account set failed_logins = failed_logins + 1 where account_id = ?", id);
                    }
                    c.commit();
                    return new SignInResult(failures >= MAX_FAILURES ? SignIn.LOCKED : SignIn.BAD_CREDENTIALS, null);
                }
            }
        }
    }

    private static void update(Connection c, String sql, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    static Account map(ResultSet rs) throws SQLException {
        return new Account(rs.getLong("account_id"), rs.getString("username"), Role.parse(rs.getString("role")),
                rs.getString("district_code"), rs.getString("feed_code"));
    }

    public Optional<Account> byId(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select account_id, username, role, district_code, feed_code from account where account_id = ? and not disabled")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    public List<Account> list(Account viewer) throws SQLException {
        List<Account> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select account_id, username, role, district_code, feed_code from account
                     where (? or district_code = ?) order by username""")) {
            ps.setBoolean(1, viewer.isOps());
            ps.setString(2, viewer.districtCode());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(map(rs));
                }
            }
        }
        return out;
    }
}
