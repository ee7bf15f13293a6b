// JdbcBench.java — HeliosDB-Lite vs SQLite (org.xerial:sqlite-jdbc), both through JDBC,
// in one run, on the same SQL: batched insert in one transaction, point lookups by
// primary key, and a GROUP BY aggregate. Prints times, rates and ratios. Not a test:
//   cd bindings/java && mvn -q -Pbench test-compile exec:java
// (-Dbench.rows=N to change the table size; -Dbench.only=heliosdb|sqlite runs one engine
// alone and prints its process's peak RSS). sqlite-jdbc is only on the bench profile's
// classpath, so this file uses it through DriverManager alone.
package io.heliosdb.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/** The benchmark harness (a main class in the test scope). */
public final class JdbcBench {
    static final int ROWS = Integer.getInteger("bench.rows", 100_000);
    static final int BATCH = 1000;
    static final int LOOKUPS = Integer.getInteger("bench.lookups", 20_000);
    static final int GROUP_RUNS = 20;
    static final int GROUPS = 100;
    static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    record Result(double insertMs, double lookupMs, double groupMs, long checksum) {}

    private JdbcBench() {}

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("heliosdb-bench-");
        String only = System.getProperty("bench.only"); // heliosdb | sqlite: one engine, for its peak RSS
        try {
            if (only != null) {
                String url = only.equals("sqlite") ? "jdbc:sqlite:" + tmp.resolve("one.sqlite") : "jdbc:heliosdb:" + tmp.resolve("one");
                run(url + "-warm", ROWS / 10);
                Result r = run(url, ROWS);
                System.out.printf("%s alone: insert %.1f ms, lookups %.1f ms, GROUP BY %.1f ms; peak RSS %d MB%n",
                        only, r.insertMs, r.lookupMs, r.groupMs, peakRssKb() / 1024);
                return;
            }
            // Warm-up on small tables so both drivers' code is compiled before timing.
            run("jdbc:heliosdb:" + tmp.resolve("warm-helios"), ROWS / 10);
            run("jdbc:sqlite:" + tmp.resolve("warm.sqlite"), ROWS / 10);
            // Rounds alternate the engines (fresh files each time) and keep each one's best,
            // so a burst of load from other processes hits both alike.
            Result h = null, s = null;
            for (int r = 0; r < ROUNDS; r++) {
                h = best(h, run("jdbc:heliosdb:" + tmp.resolve("helios" + r), ROWS));
                s = best(s, run("jdbc:sqlite:" + tmp.resolve("bench" + r + ".sqlite"), ROWS));
            }
            if (h.checksum != s.checksum) throw new IllegalStateException("engines disagree: " + h.checksum + " vs " + s.checksum);
            String sqliteVersion;
            try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
                sqliteVersion = c.getMetaData().getDatabaseProductVersion();
            }
            System.out.printf("HeliosDB-Lite %s vs SQLite %s (sqlite-jdbc), %d rows, best of %d rounds, Java %s%n",
                    io.heliosdb.Database.version(), sqliteVersion, ROWS, ROUNDS, System.getProperty("java.version"));
            System.out.printf("%-42s %12s %12s %10s%n", "workload", "HeliosDB", "SQLite", "ratio H/S");
            line("batched insert, one transaction (ms)", h.insertMs, s.insertMs);
            line("  rows/s", ROWS / h.insertMs * 1000, ROWS / s.insertMs * 1000);
            line(String.format("point lookup x%d (ms)", LOOKUPS), h.lookupMs, s.lookupMs);
            line("  lookups/s", LOOKUPS / h.lookupMs * 1000, LOOKUPS / s.lookupMs * 1000);
            line(String.format("GROUP BY %d groups (ms per query)", GROUPS), h.groupMs, s.groupMs);
            System.out.println("(ratio > 1 for times: HeliosDB slower; for rates: HeliosDB faster)");
            System.out.println("peak RSS of the process (both engines): " + peakRssKb() / 1024 + " MB");
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Result best(Result a, Result b) {
        if (a == null) return b;
        if (a.checksum != b.checksum) throw new IllegalStateException("rounds disagree");
        return new Result(Math.min(a.insertMs, b.insertMs), Math.min(a.lookupMs, b.lookupMs), Math.min(a.groupMs, b.groupMs), a.checksum);
    }

    private static void line(String what, double h, double s) {
        System.out.printf("%-42s %12.1f %12.1f %9.2fx%n", what, h, s, h / s);
    }

    static long peakRssKb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("\\D", ""));
        }
        return -1;
    }

    static Result run(String url, int rows) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, name TEXT NOT NULL, amount REAL NOT NULL)");
            }
            // 1. Batched insert in one transaction.
            long t0 = System.nanoTime();
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO t (id, grp, name, amount) VALUES (?, ?, ?, ?)")) {
                for (int i = 1; i <= rows; i++) {
                    p.setInt(1, i);
                    p.setInt(2, i % GROUPS);
                    p.setString(3, "customer-" + i);
                    p.setDouble(4, (i % 1000) / 4.0);
                    p.addBatch();
                    if (i % BATCH == 0) p.executeBatch();
                }
                p.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            double insertMs = (System.nanoTime() - t0) / 1e6;

            // 2. Point lookups by primary key (same random ids for both engines).
            Random rnd = new Random(42);
            long sum = 0;
            double lookupMs = Double.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long t1 = System.nanoTime();
                try (PreparedStatement p = c.prepareStatement("SELECT name, amount FROM t WHERE id = ?")) {
                    for (int i = 0; i < LOOKUPS; i++) {
                        p.setInt(1, 1 + rnd.nextInt(rows));
                        try (ResultSet rs = p.executeQuery()) {
                            if (!rs.next()) throw new IllegalStateException("missing row");
                            sum += rs.getString(1).length() + (long) rs.getDouble(2);
                        }
                    }
                }
                lookupMs = Math.min(lookupMs, (System.nanoTime() - t1) / 1e6);
            }

            // 3. GROUP BY over the whole table.
            double groupMs = Double.MAX_VALUE;
            long groupCheck = 0;
            for (int rep = 0; rep < GROUP_RUNS; rep++) {
                long t2 = System.nanoTime();
                long check = 0;
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT grp, count(*), sum(amount) FROM t GROUP BY grp ORDER BY grp")) {
                    while (rs.next()) check += rs.getLong(1) * 31 + rs.getLong(2) + (long) rs.getDouble(3);
                }
                groupMs = Math.min(groupMs, (System.nanoTime() - t2) / 1e6);
                groupCheck = check;
            }
            return new Result(insertMs, lookupMs, groupMs, sum * 7 + groupCheck);
        }
    }
}
