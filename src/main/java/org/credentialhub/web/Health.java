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
 * {@code GET /api/health}: the state of the database, the SFTP drop box and every route; anonymous callers (load
 * balancers) get the status only, ops the details (the management port has Camel's own health checks).
 */
public final class Health {
    private final DataSource dataSource;
    private final DropBox dropBox;

    public Health(DataSource dataSource, DropBox dropBox) {
        this.dataSource = dataSource;
        this.dropBox = dropBox;
    }

    /** 200 when up, 503 otherwise; the details (versions, ports, routes) only for a signed-in ops user. */
    public void check(Exchange exchange) throws Exception {
        Map<String, Object> body = report(exchange.getContext());
        int status = "UP".equals(body.get("status")) ? 200 : 503;
        org.credentialhub.accounts.Account caller = exchange.getProperty(Web.ACCOUNT, org.credentialhub.accounts.Account.class);
        Web.json(exchange, status, caller != null && caller.isOps() ? body : Map.of("status", body.get("status")));
    }

    public Map<String, Object> report(CamelContext camel) {
        boolean up = true;
        Map<String, Object> db = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout(5);
            try (ResultSet rs = st.executeQuery("select current_setting('server_version')")) {
                rs.next();
                db.put("status", "UP");
                db.put("version", rs.getString(1));
            }
        } catch (Exception e) {
            up = false;
            db.put("status", "DOWN");
            db.put("error", e.getClass().getSimpleName());
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
        body.put("status", up ? "UP" : "DOWN");
        body.put("database", db);
        body.put("sftp", sftp);
        body.put("routes", routes);
        return body;
    }
}
