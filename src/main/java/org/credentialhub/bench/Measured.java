package org.credentialhub.bench;

/** What a bench's result says about memory: the peak heap used while it ran (the heap figure of the table). */
interface Measured {
    long peakHeapBytes();
}
