// CancelTest.java — Statement.cancel() from another thread and setQueryTimeout stop a
// long statement through heliosdb_stmt_interrupt (SQLState 57014), change nothing, leave
// the connection usable and its other result sets alone; the plain API's
// Database.interrupt() stops the connection's statements.
package io.heliosdb.jdbc;

import static org.junit.jupiter.api.Assertions.*;

import io.heliosdb.Database;
import io.heliosdb.HeliosDBException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CancelTest {
    /** About half a minute of work if nothing stops it. */
    static final String LONG_QUERY =
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 50000000) SELECT count(*) FROM n";
    static final String LONG_INSERT =
            "INSERT INTO t WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 50000000) SELECT x FROM n";

    @Test
    void cancelFromAnotherThreadStopsAWriteThatChangesNothing() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection c = DriverManager.getConnection("jdbc:heliosdb::memory:"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INTEGER)");
            long start = System.nanoTime();
            Future<Integer> f = pool.submit(() -> s.executeUpdate(LONG_INSERT));
            // An interrupt only reaches a statement already running: repeat until it lands.
            while (!f.isDone() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
                Thread.sleep(100);
                s.cancel();
            }
            Exception e = assertThrows(Exception.class, () -> f.get(5, TimeUnit.SECONDS));
            SQLException cause = assertInstanceOf(SQLException.class, e.getCause());
            assertEquals("57014", cause.getSQLState());
            assertFalse(cause instanceof SQLTimeoutException);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "cancel took too long");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "an interrupted write changes nothing");
            }
            s.cancel(); // nothing running: a late cancel must not fail the next statement
            assertEquals(1, s.executeUpdate("INSERT INTO t VALUES (1)"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancelStopsOnlyItsOwnStatement() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection c = DriverManager.getConnection("jdbc:heliosdb::memory:");
                Statement reader = c.createStatement();
                Statement s = c.createStatement()) {
            reader.execute("CREATE TABLE r (x INTEGER); INSERT INTO r VALUES (1), (2), (3)");
            try (ResultSet open = reader.executeQuery("SELECT x FROM r ORDER BY x")) {
                assertTrue(open.next()); // holds unread rows while another statement is cancelled
                long start = System.nanoTime();
                Future<?> f = pool.submit(() -> s.executeQuery(LONG_QUERY));
                while (!f.isDone() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
                    Thread.sleep(100);
                    s.cancel();
                }
                Exception e = assertThrows(Exception.class, () -> f.get(5, TimeUnit.SECONDS));
                assertEquals("57014", assertInstanceOf(SQLException.class, e.getCause()).getSQLState());
                assertTrue(open.next(), "the other result set keeps its rows");
                assertEquals(2, open.getInt(1));
                assertTrue(open.next());
                assertEquals(3, open.getInt(1));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void queryTimeoutThrowsSqlTimeoutException() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:heliosdb::memory:"); Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            assertEquals(1, s.getQueryTimeout());
            long start = System.nanoTime();
            SQLTimeoutException e = assertThrows(SQLTimeoutException.class, () -> s.executeQuery(LONG_QUERY));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("57014", e.getSQLState());
            assertTrue(ms >= 900 && ms < 15000, "timed out after " + ms + " ms");
            try (ResultSet rs = s.executeQuery("SELECT 41 + 1")) { // still usable, timer gone
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
            }
            s.setQueryTimeout(0);
            assertThrows(SQLException.class, () -> s.setQueryTimeout(-1));
        }
    }

    @Test
    void closingTheConnectionStopsARunningStatement() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Connection c = DriverManager.getConnection("jdbc:heliosdb::memory:");
            Statement s = c.createStatement();
            Future<?> f = pool.submit(() -> s.executeQuery(LONG_QUERY));
            Thread.sleep(300);
            long start = System.nanoTime();
            c.close(); // interrupts, waits for the statement, then finalizes it
            assertThrows(Exception.class, () -> f.get(30, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
            assertTrue(s.isClosed());
            assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void plainApiInterrupt() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Database db = Database.openInMemory(); io.heliosdb.Statement st = db.prepare(LONG_QUERY)) {
            Future<Long> f = pool.submit(st::execute);
            while (!f.isDone()) {
                Thread.sleep(100);
                db.interrupt();
            }
            Exception e = assertThrows(Exception.class, f::get);
            HeliosDBException h = assertInstanceOf(HeliosDBException.class, e.getCause());
            assertEquals(HeliosDBException.INTERRUPT, h.getCode());
            try (io.heliosdb.Statement ok = db.prepare("SELECT 1"); io.heliosdb.Rows r = ok.query()) {
                assertTrue(r.next());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
