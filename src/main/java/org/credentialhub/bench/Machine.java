package org.credentialhub.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine a bench ran on: cores, CPU model, memory, heap limit, Java, operating system, load. */
public record Machine(int cores, String cpu, long memoryBytes, long heapLimitBytes, String java, String os,
                      double loadAverage) {

    public static Machine here() {
        String cpu = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        long memory = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean o
                ? o.getTotalMemorySize() : -1;
        return new Machine(Runtime.getRuntime().availableProcessors(), cpu, memory, Runtime.getRuntime().maxMemory(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + " ("
                        + org.credentialhub.support.Jit.describe() + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    public String describe() {
        return String.format(Locale.ROOT, "machine: %d cores (%s), %.1f GB memory, heap limit %,d MB, %s, %s, load average %.2f",
                cores, cpu, memoryBytes / 1e9, heapLimitBytes >> 20, java, os, loadAverage);
    }
}
