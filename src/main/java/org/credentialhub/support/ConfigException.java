package org.credentialhub.support;

/** A configuration file (feeds, mappings, catalog) that cannot be used; the message names file and key. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
