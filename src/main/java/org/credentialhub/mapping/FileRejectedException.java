package org.credentialhub.mapping;

/** The whole file cannot be taken (header drift, bad encoding, wrong trailer count...): it is quarantined. */
public class FileRejectedException extends Exception {
    public FileRejectedException(String reason) {
        super(reason);
    }
}
