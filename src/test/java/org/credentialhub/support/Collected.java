package org.credentialhub.support;

import java.lang.ref.WeakReference;

/** For tests that check nothing keeps an object: collections asked for until it is gone. */
public final class Collected {
    private Collected() {
    }

    /** {@link #await}, then fails with {@code message} unless {@code ref} was cleared. */
    public static void assertCollected(WeakReference<?> ref, String message) throws InterruptedException {
        await(ref);
        org.junit.jupiter.api.Assertions.assertNull(ref.get(), message);
    }

    /** Asks for garbage collections until {@code ref} is cleared, for about five seconds at most. */
    public static void await(WeakReference<?> ref) throws InterruptedException {
        for (int i = 0; i < 100 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
    }
}
