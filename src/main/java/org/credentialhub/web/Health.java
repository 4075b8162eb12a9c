package org.credentialhub.web;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.credentialhub.dropbox.DropBox;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/health}: the state of the database, the SFTP drop box and every route, within a second
 * whatever the database does (a database that does not answer in time is DOWN), and what intake waits for;
 * anonymous callers (load balancers) get the status only, ops the details (the management port has Camel's
 * own health checks).
 */
public final class Health {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Health.class);
    /** The database probe runs here, so that a database that hangs cannot hang the answer. */
    private static final java.util.concurrent.ExecutorService PROBE = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "health-probe");
        t.setDaemon(true);
        return t;
    });
    private static final long PROBE_MS = 1000;

    private final DataSource dataSource;
    private final DropBox dropBox;
    private final org.credentialhub.intake.Faults faults;
    private volatile boolean databaseWasUp = true;

    public Health(DataSource dataSource, DropBox dropBox) {
        this(dataSource, dropBox, null);
    }

    public Health(DataSource dataSource, DropBox dropBox, org.credentialhub.intake.Faults faults) {
        this.dataSource = dataSource;
        this.dropBox = dropBox;
        this.faults = faults;
    }

    /** 200 when up, 503 otherwise; the details (versions, ports, routes) only for a signed-in ops user. */
    public void check(Exchange exchange) throws Exception {
        Map<String, Object> body = report(exchange.getContext());
        int status = "DOWN".equals(body.get("status")) ? 503 : 200;
        org.credentialhub.accounts.Account caller = exchange.getProperty(Web.ACCOUNT, org.credentialhub.accounts.Account.class);
        Web.json(exchange, status, caller != null && caller.isOps() ? body : Map.of("status", body.get("status")));
    }

    public Map<String, Object> report(CamelContext camel) {
        boolean up = true;
        Map<String, Object> db = new LinkedHashMap<>();
        long unfinished = -1;
        long alarms = 0;
        long held = 0;
        java.util.concurrent.Future<long[]> probe = PROBE.submit(() -> {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                st.setQueryTimeout(1);
                try (ResultSet rs = st.executeQuery("select current_setting('server_version_num')::bigint, "
                        + "(select count(*) from delivery where acknowledged_at is null and pickup_ref is not null), "
                        + "(select count(*) from guard_alarm where cleared_at is null), "
                        + "(select count(*) from sis_hold where decision is null and outcome is null)")) {
                    rs.next();
                    return new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
                }
            }
        });
        try {
            long[] r = probe.get(PROBE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            db.put("status", "UP");
            db.put("version", r[0] / 10000 + "." + r[0] % 10000);
            unfinished = r[1];
            alarms = r[2];
            held = r[3];
            if (!databaseWasUp) {
                LOG.info("The database answers again");
            }
            databaseWasUp = true;
        } catch (Exception e) {
            probe.cancel(true);
            up = false;
            db.put("status", "DOWN");
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            String error = cause instanceof java.util.concurrent.TimeoutException
                    ? "no answer within " + PROBE_MS + " ms" : cause.getClass().getSimpleName();
            db.put("error", error);
            if (databaseWasUp) {
                LOG.error("The database is DOWN: {}; intake waits and retries until it answers", error);
            }
            databaseWasUp = false;
        }
        Map<String, Object> sftp = new LinkedHashMap<>();
        if (dropBox == null) {
            sftp.put("status", "EXTERNAL");
        } else {
            boolean running = dropBox.isRunning();
            up &= running;
            sftp.put("status", running ? "UP" : "DOWN");
            sftp.put("port", dropBox.port());
            sftp.put("accounts", dropBox.vendorAccounts().size());
        }
        List<Map<String, Object>> routes = new ArrayList<>();
        for (Route route : camel.getRoutes()) {
            ServiceStatus status = camel.getRouteController().getRouteStatus(route.getRouteId());
            up &= status == ServiceStatus.Started;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", route.getRouteId());
            r.put("status", status == null ? "Unknown" : status.name());
            routes.add(r);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        // the operational guards (docs/guards.md): open alarms or SIS bundles held for approval make the hub
        // DEGRADED (still 200: it works, but someone should look)
        boolean degraded = up && (alarms > 0 || held > 0);
        body.put("status", !up ? "DOWN" : degraded ? "DEGRADED" : "UP");
        body.put("guards", Map.of("open_alarms", alarms, "sis_bundles_held", held));
        body.put("database", db);
        body.put("sftp", sftp);
        body.put("routes", routes);
        if (faults != null) {
            Map<String, Object> intake = new LinkedHashMap<>();
            if (unfinished >= 0) {
                intake.put("unfinished_deliveries", unfinished);
            }
            List<Map<String, Object>> waits = new ArrayList<>();
            faults.waiting().forEach((route, w) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("route", route);
                m.put("since", w.since().toString());
                m.put("waiting_for", w.what());
                waits.add(m);
            });
            intake.put("waiting", waits);
            body.put("intake", intake);
        }
        return body;
    }
}
