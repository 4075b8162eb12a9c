package org.credentialhub.generate;

import java.util.ArrayDeque;
import java.util.Arrays;

/** Dinic's maximum flow on a small graph with long capacities. */
final class MaxFlow {
    private final int n;
    private int[] head;
    private int[] next = new int[16];
    private int[] to = new int[16];
    private long[] cap = new long[16];
    private int edges;
    private int[] level;
    private int[] it;

    MaxFlow(int n) {
        this.n = n;
        head = new int[n];
        Arrays.fill(head, -1);
    }

    /** Adds an edge and returns its id (for {@link #flow(int)}). */
    int edge(int u, int v, long c) {
        int id = edges;
        add(u, v, c);
        add(v, u, 0);
        return id;
    }

    private void add(int u, int v, long c) {
        if (edges == to.length) {
            to = Arrays.copyOf(to, edges * 2);
            next = Arrays.copyOf(next, edges * 2);
            cap = Arrays.copyOf(cap, edges * 2);
        }
        to[edges] = v;
        cap[edges] = c;
        next[edges] = head[u];
        head[u] = edges++;
    }

    /** The flow on an edge returned by {@link #edge}. */
    long flow(int id) {
        return cap[id ^ 1];
    }

    long run(int s, int t) {
        long total = 0;
        level = new int[n];
        it = new int[n];
        while (bfs(s, t)) {
            System.arraycopy(head, 0, it, 0, n);
            long f;
            while ((f = dfs(s, t, Long.MAX_VALUE)) > 0) {
                total += f;
            }
        }
        return total;
    }

    private boolean bfs(int s, int t) {
        Arrays.fill(level, -1);
        ArrayDeque<Integer> q = new ArrayDeque<>();
        level[s] = 0;
        q.add(s);
        while (!q.isEmpty()) {
            int u = q.poll();
            for (int e = head[u]; e >= 0; e = next[e]) {
                if (cap[e] > 0 && level[to[e]] < 0) {
                    level[to[e]] = level[u] + 1;
                    q.add(to[e]);
                }
            }
        }
        return level[t] >= 0;
    }

    private long dfs(int u, int t, long f) {
        if (u == t) {
            return f;
        }
        for (; it[u] >= 0; it[u] = next[it[u]]) {
            int e = it[u];
            int v = to[e];
            if (cap[e] > 0 && level[v] == level[u] + 1) {
                long d = dfs(v, t, Math.min(f, cap[e]));
                if (d > 0) {
                    cap[e] -= d;
                    cap[e ^ 1] += d;
                    return d;
                }
            }
        }
        return 0;
    }
}
