package org.credentialhub.web;

import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * The header filter of the hub's HTTP server ({@code camel.component.platform-http.header-filter-strategy}):
 * Camel's HTTP filter, except that {@code Cache-Control} set by a route reaches the client. Camel drops it by
 * default as a hop-by-hop-like header, which silently removed the API's {@code no-store}.
 */
public final class ResponseHeaderFilter extends HttpHeaderFilterStrategy {
    public ResponseHeaderFilter() {
        getOutFilter().remove("cache-control");
    }
}
