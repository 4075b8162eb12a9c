package org.credentialhub.intake;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells a fault of the hub's surroundings (the database or the SFTP server gone, a connection lost: wait and
 * try again) from a fault of the data (a file the hub cannot take: quarantine it), for the route configuration
 * {@code delivery-faults} (routes/delivery.yaml); and keeps the last waits for health and metrics. Messages
 * never carry a driver's or parser's own text, which may quote the data.
 */
public final class Faults implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(Faults.class);

    /** Routes waiting for their surroundings: route id to (since, what). */
    private final Map<String, Wait> waiting = new ConcurrentHashMap<>();

    public record Wait(Instant since, String what, int attempt) {
    }

    /** onWhen of the transient clause: the exchange's exception is worth waiting out. */
    public boolean isTransient(Exchange exchange) {
        Throwable t = exchange.getException();
        if (t == null) {
            t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        }
        return isTransient(t);
    }

    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLTransientException || c instanceof SQLRecoverableException) {
                return true;
            }
            if (c instanceof SQLException e && e.getSQLState() != null) {
                String s = e.getSQLState();
                // connection exceptions, insufficient resources (disk full, too many connections), operator
                // intervention (shutdown, crash recovery), serialization failures and deadlocks
                if (s.startsWith("08") || s.startsWith("53") || s.startsWith("57P") || s.equals("40001")
                        || s.equals("40P01") || s.startsWith("58")) {
                    return true;
                }
            }
            if (c instanceof java.net.ConnectException || c instanceof java.net.SocketException
                    || c instanceof java.net.SocketTimeoutException || c instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
            if (c instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                    && fse.getReason().contains("No space left")) {
                return true;
            }
            if (c instanceof IOException && "No space left on device".equals(c.getMessage())) {
                return true;
            }
            String name = c.getClass().getName();
            if (name.equals("org.apache.camel.component.file.GenericFileOperationFailedException")
                    || name.startsWith("com.jcraft.jsch.") || name.equals("org.apache.sshd.common.SshException")) {
                return true;
            }
        }
        return false;
    }

    /** What went wrong, for a vendor's acknowledgement or the console: the kind of fault, never its text. */
    public static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException e && e.getSQLState() != null) {
                return "the database refused the file's data (SQLSTATE " + e.getSQLState() + ")";
            }
        }
        Throwable root = t;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "the file could not be read (" + (root == null ? "unknown error" : root.getClass().getSimpleName()) + ")";
    }

    /** onRedelivery of the transient clause: logs the wait (no data) and keeps it for health. */
    @Override
    public void process(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (t == null) {
            t = exchange.getException();
        }
        String route = exchange.getFromRouteId();
        int attempt = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        String what = kind(t);
        waiting.compute(route, (k, old) -> new Wait(old == null ? Instant.now() : old.since(), what, attempt));
        LOG.warn("Route {}: {}; delivery {} waits and is tried again (attempt {})", route, what,
                exchange.getIn().getHeader(Intake.DELIVERY_ID), attempt);
    }

    /** A route got through: it no longer waits. */
    public void clear(Exchange exchange) {
        if (!waiting.isEmpty()) {
            waiting.remove(exchange.getFromRouteId());
        }
    }

    public Map<String, Wait> waiting() {
        return new LinkedHashMap<>(waiting);
    }

    static String kind(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException e) {
                return "the database does not answer (" + c.getClass().getSimpleName()
                        + (e.getSQLState() == null ? "" : ", SQLSTATE " + e.getSQLState()) + ")";
            }
        }
        return "the SFTP server or a file system does not answer (" + (t == null ? "?" : t.getClass().getSimpleName()) + ")";
    }
}
