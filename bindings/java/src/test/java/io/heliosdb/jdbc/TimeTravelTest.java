// TimeTravelTest.java — AS OF SCN / TRANSACTION / TIMESTAMP through JDBC parameters,
// read-only AS OF transactions, snapshot-too-old (SQLState 72000), and materialized
// views: the creation notice, incremental refresh and pg_mv_staleness().
package io.heliosdb.jdbc;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class TimeTravelTest {
    private static long scalarLong(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }

    private static BigDecimal balance(Connection c, String asOf, Object point) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT balance FROM acct AS OF " + asOf + " ? WHERE id = 1")) {
            p.setObject(1, point);
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                return rs.getBigDecimal(1);
            }
        }
    }

    @Test
    void asOfScnTransactionAndTimestamp() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:heliosdb::memory:"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, balance DECIMAL(15,2))");
            s.execute("INSERT INTO acct VALUES (1, 100.00)");
            long scn1 = scalarLong(s, "SELECT heliosdb_current_scn()");
            String time1;
            try (ResultSet rs = s.executeQuery("SELECT commit_time FROM heliosdb_snapshots() ORDER BY scn DESC LIMIT 1")) {
                assertTrue(rs.next());
                time1 = rs.getString(1);
            }
            Thread.sleep(5); // the next commit gets a later time
            c.setAutoCommit(false);
            s.executeUpdate("UPDATE acct SET balance = balance + 50.25 WHERE id = 1");
            c.commit();
            c.setAutoCommit(true);
            long tx2 = scalarLong(s, "SELECT heliosdb_last_txid()");
            s.executeUpdate("UPDATE acct SET balance = 0 WHERE id = 1");

            assertEquals(new BigDecimal("100.00"), balance(c, "SCN", scn1));
            assertEquals(new BigDecimal("150.25"), balance(c, "TRANSACTION", tx2));
            assertEquals(new BigDecimal("100.00"), balance(c, "TIMESTAMP", time1));
            try (ResultSet rs = s.executeQuery("SELECT balance FROM acct WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals(new BigDecimal("0.00"), rs.getBigDecimal(1));
            }
            // A whole read-only transaction in the past; writes in it are refused.
            s.execute("BEGIN READ ONLY AS OF SCN " + scn1);
            try (ResultSet rs = s.executeQuery("SELECT balance FROM acct WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals(new BigDecimal("100.00"), rs.getBigDecimal(1));
            }
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE acct SET balance = 1"));
            assertEquals("25006", e.getSQLState());
            s.execute("COMMIT");
            // The future is an error, never a silently wrong answer.
            assertThrows(SQLException.class, () -> balance(c, "SCN", scn1 + 1000));
        }
    }

    @Test
    void snapshotTooOldHasItsSqlState() throws Exception {
        Properties p = new Properties();
        p.setProperty(HeliosDriver.CONFIG_TEXT, "[snapshot]\nmin_retention_seconds = 0\nmax_snapshots = 1\nauto_gc_enabled = false\n");
        try (Connection c = DriverManager.getConnection("jdbc:heliosdb::memory:", p); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, balance DECIMAL(15,2))");
            s.execute("INSERT INTO acct VALUES (1, 1)");
            long old = scalarLong(s, "SELECT heliosdb_current_scn()");
            for (int i = 0; i < 3; i++) s.executeUpdate("UPDATE acct SET balance = balance + 1");
            s.executeQuery("SELECT heliosdb_gc()").close();
            SQLException e = assertThrows(SQLException.class, () -> balance(c, "SCN", old));
            assertEquals("72000", e.getSQLState());
            assertEquals(1001, e.getErrorCode());
        }
    }

    @Test
    void materializedViewsAndStaleness() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:heliosdb::memory:"); Statement s = c.createStatement()) {
            HeliosConnection hc = c.unwrap(HeliosConnection.class);
            s.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT, amount DECIMAL(10,2))");
            s.execute("INSERT INTO orders (region, amount) VALUES ('north', 10.50), ('south', 5.00), ('north', 2.25)");
            s.execute("CREATE MATERIALIZED VIEW sales AS SELECT region, count(*) AS n, sum(amount) AS total FROM orders GROUP BY region");
            assertTrue(hc.database().notice().contains("maintained incrementally"), hc.database().notice());
            s.executeUpdate("INSERT INTO orders (region, amount) VALUES ('south', 1.00), ('east', 3.00)");
            try (ResultSet rs = s.executeQuery(
                    "SELECT status, pending_changes, refresh_strategy FROM pg_mv_staleness() WHERE view_name = 'sales'")) {
                assertTrue(rs.next());
                assertEquals("stale", rs.getString(1));
                assertEquals(2, rs.getInt(2));
                assertEquals("incremental", rs.getString(3));
            }
            s.execute("REFRESH MATERIALIZED VIEW sales INCREMENTALLY");
            try (ResultSet rs = s.executeQuery("SELECT status, pending_changes FROM pg_mv_staleness() WHERE view_name = 'sales'")) {
                assertTrue(rs.next());
                assertEquals("fresh", rs.getString(1));
                assertEquals(0, rs.getInt(2));
            }
            StringBuilder out = new StringBuilder();
            try (ResultSet rs = s.executeQuery("SELECT region, n, total FROM sales ORDER BY region")) {
                while (rs.next()) out.append(rs.getString(1)).append(' ').append(rs.getInt(2)).append(' ').append(rs.getBigDecimal(3)).append(';');
            }
            assertEquals("east 1 3.00;north 2 12.75;south 2 6.00;", out.toString());
            s.execute("CREATE MATERIALIZED VIEW top AS SELECT region FROM orders ORDER BY amount DESC LIMIT 1");
            assertTrue(hc.database().notice().contains("refreshed partially"), hc.database().notice());
        }
    }
}
