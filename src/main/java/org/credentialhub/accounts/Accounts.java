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
 * Accounts: creation (by an ops user or {@code ./hub user add}) under the {@link PasswordPolicy}, sign-in
 * throttled per account name and source address with growing delays, and listing. Passwords are hashed with
 * Argon2id at the cost {@link Passwords} is given.
 */
public final class Accounts {
    private static final Logger LOG = LoggerFactory.getLogger(Accounts.class);
    public static final int MIN_PASSWORD_LENGTH = PasswordPolicy.DEFAULT_MIN;

    private final DataSource dataSource;
    private final PasswordPolicy policy;
    private final Throttle throttle;
    private final Passwords passwords;

    /**
     * Sign-in throttling: the first {@code freeFailures} failures of an account name from a source cost nothing;
     * each further one makes that source wait {@code baseDelay}, doubled per failure, at most {@code maxDelay}.
     * Nothing is ever locked: the account signs in from elsewhere, and here again once the wait is over.
     */
    public record Throttle(int freeFailures, java.time.Duration baseDelay, java.time.Duration maxDelay) {
        public static Throttle defaults() {
            return new Throttle(3, java.time.Duration.ofSeconds(1), java.time.Duration.ofMinutes(15));
        }

        long delaySeconds(int failures) {
            if (failures < freeFailures) {
                return 0;
            }
            int doublings = Math.min(failures - freeFailures, 30);
            return Math.min(maxDelay.toSeconds(), baseDelay.toSeconds() << doublings);
        }
    }

    public Accounts(DataSource dataSource) {
        this(dataSource, PasswordPolicy.defaults(), Throttle.defaults(), Passwords.owasp());
    }

    public Accounts(DataSource dataSource, PasswordPolicy policy, Throttle throttle, Passwords passwords) {
        this.dataSource = dataSource;
        this.policy = policy;
        this.throttle = throttle;
        this.passwords = passwords;
    }

    public PasswordPolicy policy() {
        return policy;
    }

    public Account create(String username, Role role, String district, String feed, String password, String createdBy)
            throws SQLException {
        if (username == null || !username.matches("[A-Za-z0-9._@-]{3,64}")) {
            throw new IllegalArgumentException("a user name is 3-64 letters, digits, '.', '_', '@' or '-'");
        }
        policy.check(username, password);
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
            ps.setString(5, passwords.hash(password));
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
    public enum SignIn { OK, BAD_CREDENTIALS, THROTTLED }

    /** @param retryAfterSeconds when THROTTLED, how long the source waits before it is heard again */
    public record SignInResult(SignIn outcome, Account account, long retryAfterSeconds) {
        public SignInResult(SignIn outcome, Account account) {
            this(outcome, account, 0);
        }
    }

    /** A sign-in from an unknown source (the command line, tests). */
    public SignInResult signIn(String username, String password) throws SQLException {
        return signIn(username, password, "local");
    }

    /**
     * Signs in. Known and unknown account names take the same path (a throttle row per name as typed and
     * source, a password hash either way), so the answers never tell whether an account exists.
     */
    public SignInResult signIn(String username, String password, String source) throws SQLException {
        String name = username == null ? "" : username;
        String from = source == null || source.isBlank() ? "unknown" : source;
        if (name.length() > 64) {
            return new SignInResult(SignIn.BAD_CREDENTIALS, null);
        }
        long wait = retryAfterSeconds(name, from);
        if (wait > 0) {
            return new SignInResult(SignIn.THROTTLED, null, wait);
        }
        Account account = null;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select account_id, username, role, district_code, feed_code, password_hash, disabled
                     from account where username = ?""")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                boolean found = rs.next();
                if (password == null || policy.tooLong(password)) {
                    // never hashed: it cannot be anyone's password
                    account = null;
                } else if (!found) {
                    passwords.burn(password);
                } else if (passwords.verify(password, rs.getString("password_hash")) && !rs.getBoolean("disabled")) {
                    account = map(rs);
                }
            }
        }
        try (Connection c = dataSource.getConnection()) {
            if (account != null) {
                try (PreparedStatement ps = c.prepareStatement("delete from sign_in_throttle where username = ? and source = ?")) {
                    ps.setString(1, name);
                    ps.setString(2, from);
                    ps.executeUpdate();
                }
                return new SignInResult(SignIn.OK, account);
            }
            int failures;
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into sign_in_throttle as t (username, source, failures) values (?, ?, 1)
                    on conflict (username, source) do update set failures = t.failures + 1, last_failure_at = now()
                    returning failures""")) {
                ps.setString(1, name);
                ps.setString(2, from);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    failures = rs.getInt(1);
                }
            }
            long delay = throttle.delaySeconds(failures);
            try (PreparedStatement ps = c.prepareStatement("""
                    update sign_in_throttle set next_allowed_at = now() + make_interval(secs => ?)
                    where username = ? and source = ?""")) {
                ps.setLong(1, delay);
                ps.setString(2, name);
                ps.setString(3, from);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "delete from sign_in_throttle where last_failure_at < now() - interval '1 day' and next_allowed_at < now()")) {
                ps.executeUpdate();
            }
            if (delay > 0) {
                LOG.warn("{} failed sign-ins in a row for one account name from one source: it waits {} s", failures, delay);
            }
            return new SignInResult(SignIn.BAD_CREDENTIALS, null);
        }
    }

    /** How long (seconds, rounded up) the account name waits before a sign-in from the source is heard; 0: now. */
    public long retryAfterSeconds(String username, String source) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select ceil(extract(epoch from next_allowed_at - now()))::bigint from sign_in_throttle
                     where username = ? and source = ? and next_allowed_at > now()""")) {
            ps.setString(1, username);
            ps.setString(2, source);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Math.max(1, rs.getLong(1)) : 0;
            }
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
