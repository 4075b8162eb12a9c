package org.credentialhub.web;

import org.apache.camel.Exchange;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Serves the web pages (classpath {@code web/}) under {@code /ui/}, with headers that keep them safe:
 * a strict Content-Security-Policy (own scripts only), no framing, no sniffing, no referrer.
 */
public final class Pages {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "ico", "image/x-icon");

    /**
     * Libraries the pages use, served from their WebJars on the classpath (kept in the jar, nothing fetched at run
     * time): Apache ECharts for the charts page.
     */
    private static final Map<String, String> LIBRARIES = Map.of(
            "/lib/echarts.min.js", "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js");

    public void serve(Exchange ex) throws IOException {
        String path = ex.getIn().getHeader(Exchange.HTTP_PATH, String.class);
        String uri = ex.getIn().getHeader(Exchange.HTTP_URI, String.class);
        String p = path == null ? "" : path;
        if (uri != null && uri.startsWith("/ui")) {
            p = uri.substring(3);
        }
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        if (p.isEmpty() || p.equals("/")) {
            p = "/index.html";
        }
        if (p.contains("..") || !p.matches("/[A-Za-z0-9._/-]+")) {
            notFound(ex);
            return;
        }
        String ext = p.substring(p.lastIndexOf('.') + 1);
        String resource = LIBRARIES.getOrDefault(p, "web" + p);
        try (InputStream in = Pages.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null || !TYPES.containsKey(ext)) {
                notFound(ex);
                return;
            }
            ex.getMessage().setBody(in.readAllBytes());
        }
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, TYPES.get(ext));
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        headers(ex);
    }

    public void home(Exchange ex) {
        ex.getMessage().setBody("");
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
        ex.getMessage().setHeader("Location", "/ui/");
        headers(ex);
    }

    private static void notFound(Exchange ex) {
        ex.getMessage().setBody("not found");
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain");
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
        headers(ex);
    }

    private static void headers(Exchange ex) {
        Object type = ex.getMessage().getHeader(Exchange.CONTENT_TYPE);
        Object code = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE);
        Object location = ex.getMessage().getHeader("Location");
        ex.getMessage().removeHeaders("*");
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, type);
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, code);
        if (location != null) {
            ex.getMessage().setHeader("Location", location);
        }
        ex.getMessage().setHeader("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                        + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        ex.getMessage().setHeader("X-Content-Type-Options", "nosniff");
        ex.getMessage().setHeader("X-Frame-Options", "DENY");
        ex.getMessage().setHeader("Referrer-Policy", "no-referrer");
        ex.getMessage().setHeader("Cache-Control", "no-cache");
    }
}
