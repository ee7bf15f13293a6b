// HikariTest.java — a real JDBC consumer: HikariCP pools HeliosDB connections (its
// validation, auto-commit resets and connection recycling run over the driver), and a
// few queries run through the pool from several threads.
package io.heliosdb.jdbc;

import static org.junit.jupiter.api.Assertions.*;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HikariTest {
    @TempDir
    Path dir;

    @Test
    void hikariPoolRunsQueriesOverTheDriver() throws Exception {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl("jdbc:heliosdb:" + dir.resolve("pool") + "?busyTimeout=10000");
        cfg.setMaximumPoolSize(4);
        cfg.setPoolName("heliosdb-test");
        cfg.setAutoCommit(false); // Hikari resets auto-commit on every borrowed connection
        try (HikariDataSource ds = new HikariDataSource(cfg)) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE hits (id INTEGER PRIMARY KEY, page TEXT NOT NULL, ms INTEGER)");
                c.commit();
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    final int id = t;
                    fs.add(pool.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            try (Connection c = ds.getConnection();
                                    PreparedStatement p = c.prepareStatement("INSERT INTO hits (page, ms) VALUES (?, ?)")) {
                                p.setString(1, "/page/" + id);
                                p.setInt(2, i);
                                p.executeUpdate();
                                c.commit();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
            } finally {
                pool.shutdown();
            }
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT page, count(*), sum(ms) FROM hits GROUP BY page ORDER BY page")) {
                int groups = 0;
                while (rs.next()) {
                    assertEquals("/page/" + groups, rs.getString(1));
                    assertEquals(25, rs.getInt(2));
                    assertEquals(300, rs.getInt(3));
                    groups++;
                }
                assertEquals(4, groups);
                c.rollback();
            }
            // An uncommitted change is rolled back when Hikari takes the connection back.
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM hits");
            }
            try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM hits")) {
                assertTrue(rs.next());
                assertEquals(100, rs.getInt(1));
            }
            assertTrue(ds.getHikariPoolMXBean() == null || ds.getHikariPoolMXBean().getTotalConnections() <= 4);
        }
    }
}
