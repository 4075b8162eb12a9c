package org.credentialhub.web;

/** An API error with its HTTP status; the message goes to the client, so it never carries personal data. */
public class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException forbidden() {
        return new ApiException(403, "not allowed for this account");
    }

    public static ApiException notFound() {
        return new ApiException(404, "not found");
    }
}
