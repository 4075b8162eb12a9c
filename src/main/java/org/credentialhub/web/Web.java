package org.credentialhub.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Role;
import org.credentialhub.accounts.Sessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.sql.ResultSetMetaData;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.sql.Connection;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * What every API route shares: who is calling (session cookie), the CSRF check on state-changing
 * requests, role checks, JSON in and out, and errors as JSON.
 */
public final class Web {
    private static final Logger LOG = LoggerFactory.getLogger(Web.class);
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String COOKIE = "hub_session";
    public static final String ACCOUNT = "hubAccount";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private final Sessions sessions;
    private final boolean secureCookies;
    /** Strict-Transport-Security value when the hub serves HTTPS itself, else null. */
    private final String hsts;

    public Web(Sessions sessions, boolean secureCookies) {
        this(sessions, secureCookies, null);
    }

    /**
     * @param secureCookies session cookies only over HTTPS (always when the hub serves TLS itself; set it too when
     *                      a TLS proxy is in front)
     * @param hsts          the Strict-Transport-Security header when the hub serves TLS itself, or null
     */
    public Web(Sessions sessions, boolean secureCookies, String hsts) {
        this.sessions = sessions;
        this.secureCookies = secureCookies;
        this.hsts = hsts;
    }

    /** Identifies the caller from the session cookie (401 without one) and checks CSRF on unsafe methods. */
    public void authenticate(Exchange exchange) throws SQLException {
        String token = cookie(exchange.getIn().getHeader("Cookie", String.class), COOKIE);
        Sessions.Session session = sessions.find(token).orElseThrow(() -> new ApiException(401, "sign in first"));
        checkCsrf(exchange, session);
        exchange.setProperty(ACCOUNT, session.account());
    }

    /** On unsafe methods, the session's CSRF token must come in the X-CSRF-Token header (403 otherwise). */
    static void checkCsrf(Exchange exchange, Sessions.Session session) {
        String method = exchange.getIn().getHeader(Exchange.HTTP_METHOD, String.class);
        if (method != null && !SAFE.contains(method)) {
            String sent = exchange.getIn().getHeader("X-CSRF-Token", String.class);
            if (sent == null || !java.security.MessageDigest.isEqual(sent.getBytes(), session.csrfToken().getBytes())) {
                throw new ApiException(403, "missing or wrong CSRF token");
            }
        }
    }

    /** For routes open to anyone (GET /api/health): notes who calls when a valid session comes along, else nobody. */
    public void identify(Exchange exchange) throws SQLException {
        String token = cookie(exchange.getIn().getHeader("Cookie", String.class), COOKIE);
        sessions.find(token).ifPresent(s -> exchange.setProperty(ACCOUNT, s.account()));
    }

    /** The caller's network address (the TCP peer; a proxy in front is one source for all its clients). */
    public static String source(Exchange exchange) {
        Object a = exchange.getIn().getHeader("CamelVertxPlatformHttpRemoteAddress");
        if (a instanceof io.vertx.core.net.SocketAddress s) {
            return s.hostAddress() != null ? s.hostAddress() : s.host();
        }
        return a == null ? "unknown" : a.toString().replaceFirst(":\\d+$", "");
    }

    /** The authenticated caller, failing with 403 unless it has one of the roles. */
    public static Account caller(Exchange exchange, Role... roles) {
        Account a = exchange.getProperty(ACCOUNT, Account.class);
        if (a == null) {
            throw new ApiException(401, "sign in first");
        }
        if (roles.length > 0 && Arrays.stream(roles).noneMatch(r -> r == a.role())) {
            throw ApiException.forbidden();
        }
        return a;
    }

    public static JsonNode body(Exchange exchange) {
        String text = exchange.getIn().getBody(String.class);
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest("a JSON body is required");
        }
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid JSON");
        }
    }

    /** Drops the request's headers from the response, keeping a session cookie this request set. */
    public static void clearHeaders(Exchange exchange) {
        Object cookie = exchange.getMessage().getHeader("Set-Cookie");
        exchange.getMessage().removeHeaders("*");
        if (cookie != null) {
            exchange.getMessage().setHeader("Set-Cookie", cookie);
        }
    }

    public static void json(Exchange exchange, int status, Object body) {
        clearHeaders(exchange);
        try {
            exchange.getMessage().setBody(JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
    }

    /**
     * Route configuration {@code api}, on completion before the response is written: no API response (student
     * records, exception lists, CSV exports, who am I) is kept by browsers or proxies, nor typed by sniffing.
     */
    public void securityHeaders(Exchange exchange) {
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        exchange.getMessage().setHeader("X-Content-Type-Options", "nosniff");
        transportHeaders(exchange);
    }

    /** Route configurations api and pages: over the hub's own HTTPS, browsers are told to use nothing else (HSTS). */
    public void transportHeaders(Exchange exchange) {
        if (hsts != null) {
            exchange.getMessage().setHeader("Strict-Transport-Security", hsts);
        }
    }

    /** Answers with a CSV download of the given name. */
    public static void csv(Exchange ex, String csv, String fileName) {
        clearHeaders(ex);
        ex.getMessage().setBody(csv.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=utf-8");
        ex.getMessage().setHeader("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
    }

    public static void json(Exchange exchange, Object body) {
        json(exchange, 200, body);
    }

    /** Turns the exchange's exception into a JSON error; unexpected ones are logged (without data) as 500. */
    public void error(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Throwable cause = e;
        while (cause != null && !(cause instanceof ApiException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof ApiException api) {
            json(exchange, api.status(), Map.of("error", api.getMessage()));
        } else if (cause instanceof IllegalArgumentException iae) {
            json(exchange, 400, Map.of("error", String.valueOf(iae.getMessage())));
        } else {
            LOG.error("API request {} {} failed: {}", exchange.getIn().getHeader(Exchange.HTTP_METHOD),
                    exchange.getIn().getHeader(Exchange.HTTP_PATH), e == null ? "?" : e.getClass().getName()
                            // the SQLState is a code of the kind of failure, never data
                            + (e instanceof java.sql.SQLException sql ? " (SQLState " + sql.getSQLState() + ")" : ""));
            json(exchange, 500, Map.of("error", "internal error; see the hub's log"));
        }
        // also here: a request refused before its route ran (route configuration signed-in) never reaches
        // the route's on-completion
        securityHeaders(exchange);
    }

    public String sessionCookie(String token, long maxAgeSeconds) {
        return COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + maxAgeSeconds
                + (secureCookies ? "; Secure" : "");
    }

    static String cookie(String header, String name) {
        if (header == null) {
            return null;
        }
        for (String part : header.split("[;,]")) {
            String p = part.trim();
            if (p.startsWith(name + "=")) {
                String v = p.substring(name.length() + 1);
                // RFC 2965 clients quote the value
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    public static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Math.max(0, Integer.parseInt(s));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("not a whole number");
        }
    }

    public static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException | NullPointerException e) {
            throw ApiException.notFound();
        }
    }

    public static String param(Exchange ex, String name) {
        String v = ex.getIn().getHeader(name, String.class);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
