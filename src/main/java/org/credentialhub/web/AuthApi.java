package org.credentialhub.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Accounts;
import org.credentialhub.accounts.Audit;
import org.credentialhub.accounts.Role;
import org.credentialhub.accounts.Sessions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Signing in and out, who am I, and account administration. */
public final class AuthApi {
    private final DataSource dataSource;
    private final Accounts accounts;
    private final Sessions sessions;
    private final Web web;

    public AuthApi(DataSource dataSource, Accounts accounts, Sessions sessions, Web web) {
        this.dataSource = dataSource;
        this.accounts = accounts;
        this.sessions = sessions;
        this.web = web;
    }

    /**
     * POST /api/login {username, password}: opens a session (cookie) and returns the account and CSRF token.
     * Failures answer 401 and, once an account name failed too often from the caller's address, 429 with
     * Retry-After, alike for existing and unknown accounts.
     */
    public void login(Exchange exchange) throws SQLException {
        JsonNode body = Web.body(exchange);
        String user = body.path("username").asText("");
        String password = body.path("password").asText("");
        Accounts.SignInResult result = accounts.signIn(user, password, Web.source(exchange));
        switch (result.outcome()) {
            case THROTTLED -> {
                Web.json(exchange, 429, Map.of("error", "too many failed sign-ins; try again in "
                        + result.retryAfterSeconds() + " seconds"));
                exchange.getMessage().setHeader("Retry-After", String.valueOf(result.retryAfterSeconds()));
                return;
            }
            case BAD_CREDENTIALS -> throw new ApiException(401, "wrong user name or password");
            default -> {
            }
        }
        Sessions.Opened opened = sessions.open(result.account());
        try (Connection c = dataSource.getConnection()) {
            Audit.record(c, result.account(), "sign-in", "account", String.valueOf(result.account().id()),
                    result.account().districtCode(), null, null);
        }
        exchange.getMessage().setHeader("Set-Cookie", web.sessionCookie(opened.token(), sessions.lifetime().toSeconds()));
        Web.json(exchange, me(result.account(), opened.session().csrfToken()));
    }

    /** POST /api/logout: closes the session (with its CSRF token, like every state change); clears the cookie. */
    public void logout(Exchange exchange) throws SQLException {
        String token = Web.cookie(exchange.getIn().getHeader("Cookie", String.class), Web.COOKIE);
        var session = sessions.find(token);
        if (session.isPresent()) {
            Web.checkCsrf(exchange, session.get());
            sessions.close(token);
        }
        exchange.getMessage().setHeader("Set-Cookie", web.sessionCookie("", 0));
        Web.json(exchange, Map.of("signedOut", true));
    }

    /** GET /api/me: the signed-in account and the CSRF token for its requests. */
    public void whoAmI(Exchange exchange) throws SQLException {
        Account a = Web.caller(exchange);
        String token = Web.cookie(exchange.getIn().getHeader("Cookie", String.class), Web.COOKIE);
        Web.json(exchange, me(a, sessions.find(token).map(Sessions.Session::csrfToken).orElse(null)));
    }

    private static Map<String, Object> me(Account a, String csrf) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("username", a.username());
        m.put("role", a.role().key());
        m.put("district", a.districtCode());
        m.put("feed", a.feedCode());
        m.put("csrfToken", csrf);
        return m;
    }

    /** GET /api/accounts: ops see all, district administrators their district's. */
    public void list(Exchange exchange) throws SQLException {
        Account a = Web.caller(exchange, Role.OPS, Role.DISTRICT_ADMIN);
        List<Map<String, Object>> out = accounts.list(a).stream().map(x -> me(x, null)).peek(m -> m.remove("csrfToken")).toList();
        Web.json(exchange, Map.of("accounts", out));
    }

    /**
     * POST /api/accounts {username, role, district, feed, password}: ops create any account; a district
     * administrator creates district staff of their own district.
     */
    public void create(Exchange exchange) throws SQLException {
        Account a = Web.caller(exchange, Role.OPS, Role.DISTRICT_ADMIN);
        JsonNode body = Web.body(exchange);
        Role role = Role.parse(body.path("role").asText());
        String district = body.hasNonNull("district") ? body.get("district").asText() : null;
        String feed = body.hasNonNull("feed") ? body.get("feed").asText() : null;
        if (!a.isOps() && (role != Role.DISTRICT_STAFF || !a.districtCode().equals(district))) {
            throw ApiException.forbidden();
        }
        Account created = accounts.create(body.path("username").asText(), role, district, feed,
                body.path("password").asText(), a.username());
        try (Connection c = dataSource.getConnection()) {
            Audit.record(c, a, "create-account", "account", String.valueOf(created.id()), created.districtCode(), null,
                    Map.of("username", created.username(), "role", created.role().key()));
        }
        Map<String, Object> out = me(created, null);
        out.remove("csrfToken");
        Web.json(exchange, 201, out);
    }
}
