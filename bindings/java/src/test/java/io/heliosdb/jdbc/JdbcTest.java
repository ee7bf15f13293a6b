// JdbcTest.java — the JDBC driver through DriverManager: CRUD, types and NULL, batches,
// generated keys, transactions, read-only mode, SQLStates, metadata, unsupported calls,
// and use after close.
package io.heliosdb.jdbc;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcTest {
    @TempDir
    Path dir;

    private Connection memory() throws SQLException {
        return DriverManager.getConnection("jdbc:heliosdb::memory:");
    }

    @Test
    void driverManagerFindsTheDriverAndCrudWorks() throws Exception {
        String url = "jdbc:heliosdb:" + dir.resolve("crud");
        assertTrue(DriverManager.getDriver(url) instanceof HeliosDriver);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertFalse(s.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, qty INTEGER)"));
            assertEquals(0, s.getUpdateCount());
            assertEquals(2, s.executeUpdate("INSERT INTO item (name, qty) VALUES ('bolt', 10), ('nut', 20)"));
            assertEquals(1, s.executeUpdate("UPDATE item SET qty = qty + 1 WHERE name = 'nut'"));
            try (ResultSet rs = s.executeQuery("SELECT id, name, qty FROM item ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt("id"));
                assertEquals("bolt", rs.getString(2));
                assertTrue(rs.next());
                assertEquals(21, rs.getLong("QTY"));
                assertFalse(rs.next());
            }
            assertEquals(1, s.executeUpdate("DELETE FROM item WHERE id = 1"));
            // A script of several statements runs as one (no results).
            s.execute("INSERT INTO item (name, qty) VALUES ('washer', 1); INSERT INTO item (name, qty) VALUES ('pin', 2)");
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), sum(qty) FROM item")) {
            assertTrue(rs.next());
            assertEquals(3, rs.getInt(1));
            assertEquals(24, rs.getInt(2));
        }
    }

    @Test
    void typesNullAndMetadata() throws Exception {
        try (Connection c = memory(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, d DECIMAL(15,2), f BOOLEAN, ts TEXT)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                p.setLong(1, 42);
                p.setDouble(2, 0.5);
                p.setString(3, "héllo");
                p.setBytes(4, new byte[] {1, 2, 3});
                p.setBigDecimal(5, new BigDecimal("99999999999.99"));
                p.setBoolean(6, true);
                p.setTimestamp(7, Timestamp.valueOf("2024-12-31 23:59:59.5"));
                assertEquals(1, p.executeUpdate());
                for (int i = 1; i <= 7; i++) p.setNull(i, Types.NULL);
                assertEquals(1, p.executeUpdate());
            }
            try (ResultSet rs = s.executeQuery("SELECT i, r, t, b, d, f, ts, i + 1 AS expr FROM v ORDER BY rowid")) {
                ResultSetMetaData md = rs.getMetaData();
                assertEquals(8, md.getColumnCount());
                assertEquals(Types.BIGINT, md.getColumnType(1));
                assertEquals(Types.DOUBLE, md.getColumnType(2));
                assertEquals(Types.VARCHAR, md.getColumnType(3));
                assertEquals(Types.BLOB, md.getColumnType(4));
                assertEquals(Types.DECIMAL, md.getColumnType(5));
                assertEquals("DECIMAL(15,2)", md.getColumnTypeName(5));
                assertEquals(15, md.getPrecision(5));
                assertEquals(2, md.getScale(5));
                assertEquals(Types.BOOLEAN, md.getColumnType(6));
                assertEquals("expr", md.getColumnLabel(8));
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
                assertEquals(0.5, rs.getDouble(2));
                assertEquals("héllo", rs.getString(3));
                assertArrayEquals(new byte[] {1, 2, 3}, rs.getBytes(4));
                assertEquals(new BigDecimal("99999999999.99"), rs.getBigDecimal(5));
                assertEquals(new BigDecimal("99999999999.99"), rs.getObject(5));
                assertTrue(rs.getBoolean(6));
                assertEquals(Boolean.TRUE, rs.getObject("f"));
                assertEquals(Timestamp.valueOf("2024-12-31 23:59:59.5"), rs.getTimestamp(7));
                assertEquals(43L, rs.getObject(8));
                assertEquals(Types.BIGINT, md.getColumnType(8)); // expressions: the current value's type
                assertEquals(Long.valueOf(42), rs.getObject(1, Long.class));
                assertTrue(rs.next());
                for (int i = 1; i <= 7; i++) {
                    assertNull(rs.getObject(i));
                    assertTrue(rs.wasNull());
                }
                assertEquals(0, rs.getInt(1));
                assertTrue(rs.wasNull());
                assertNull(rs.getBigDecimal(5));
                assertNull(rs.getTimestamp(7));
                assertFalse(rs.next());
                assertThrows(SQLException.class, () -> rs.getInt(1)); // after the last row
            }
            try (ResultSet rs = s.executeQuery("SELECT 'abc', 5000000000")) {
                assertTrue(rs.next());
                assertEquals("22000", assertThrows(SQLException.class, () -> rs.getLong(1)).getSQLState());
                assertEquals("22003", assertThrows(SQLException.class, () -> rs.getInt(2)).getSQLState());
                assertEquals("07009", assertThrows(SQLException.class, () -> rs.getString(3)).getSQLState());
                assertEquals("42703", assertThrows(SQLException.class, () -> rs.getString("nope")).getSQLState());
            }
        }
    }

    @Test
    void preparedBatchesAndGeneratedKeys() throws Exception {
        try (Connection c = memory(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE k (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO k (name) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < 5; i++) {
                    p.setString(1, "n" + i);
                    p.addBatch();
                }
                assertArrayEquals(new int[] {1, 1, 1, 1, 1}, p.executeBatch());
                p.setString(1, "last");
                assertEquals(1, p.executeUpdate());
                try (ResultSet keys = p.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals(6, keys.getLong(1));
                    assertFalse(keys.next());
                }
                // A failing set: BatchUpdateException with the counts before it.
                p.setString(1, "x1");
                p.addBatch();
                p.setString(1, "n0");
                p.addBatch();
                p.setString(1, "x2");
                p.addBatch();
                BatchUpdateException e = assertThrows(BatchUpdateException.class, p::executeBatch);
                assertArrayEquals(new int[] {1}, e.getUpdateCounts());
                assertEquals("23505", e.getSQLState());
                assertThrows(SQLException.class, () -> p.setString(2, "out of range"));
            }
            try (PreparedStatement p = c.prepareStatement("SELECT name FROM k WHERE id = :id")) {
                p.setInt(1, 3);
                try (ResultSet rs = p.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("n2", rs.getString(1));
                }
                p.clearParameters();
                assertEquals("07002", assertThrows(SQLException.class, p::executeQuery).getSQLState());
                assertEquals("name", p.getMetaData().getColumnName(1));
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE k SET name = upper(name) WHERE id > ? RETURNING id")) {
                p.setInt(1, 4);
                assertTrue(p.execute());
                int n = 0;
                try (ResultSet rs = p.getResultSet()) {
                    while (rs.next()) n++;
                }
                assertEquals(3, n); // ids 5, 6, 7
            }
        }
    }

    private static List<Long> keys(Statement s) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (ResultSet rs = s.getGeneratedKeys()) {
            while (rs.next()) out.add(rs.getLong("GENERATED_KEY"));
        }
        return out;
    }

    @Test
    void generatedKeysForEveryInsertedRow() throws Exception {
        try (Connection c = memory(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT)");
            s.execute("CREATE TABLE pair (x INTEGER, y INTEGER, PRIMARY KEY (x, y))");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO a (n) VALUES (?), (?)", Statement.RETURN_GENERATED_KEYS)) {
                p.setString(1, "p");
                p.setString(2, "q");
                assertEquals(2, p.executeUpdate());
                assertEquals(List.of(1L, 2L), keys(p));
                p.addBatch();
                p.addBatch();
                assertArrayEquals(new int[] {2, 2}, p.executeBatch());
                assertEquals(List.of(3L, 4L, 5L, 6L), keys(p));
            }
            // No rowid (composite primary key): the insert still works, keys fall back.
            try (PreparedStatement p = c.prepareStatement("INSERT INTO pair VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                p.setInt(1, 1);
                p.setInt(2, 2);
                assertEquals(1, p.executeUpdate());
                p.setInt(2, 3);
                assertEquals(1, p.executeUpdate());
                keys(p); // whatever the engine reports as last rowid; must not throw
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pair")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
            }
            s.executeUpdate("INSERT INTO a (n) VALUES ('r')");
            assertEquals(List.of(7L), keys(s));
            s.executeUpdate("UPDATE a SET n = 'x'");
            assertEquals(List.of(), keys(s));
        }
    }

    @Test
    void transactionsCommitAndRollback() throws Exception {
        String url = "jdbc:heliosdb:" + dir.resolve("tx");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER)");
            s.execute("INSERT INTO acct VALUES (1, 100), (2, 0)");
            assertThrows(SQLException.class, c::commit); // auto-commit on
            c.setAutoCommit(false);
            s.executeUpdate("UPDATE acct SET bal = bal - 30 WHERE id = 1");
            s.executeUpdate("UPDATE acct SET bal = bal + 30 WHERE id = 2");
            try (Connection other = DriverManager.getConnection(url); Statement o = other.createStatement();
                    ResultSet rs = o.executeQuery("SELECT bal FROM acct WHERE id = 2")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1)); // not committed yet
            }
            c.commit();
            s.executeUpdate("UPDATE acct SET bal = 0");
            c.rollback();
            try (ResultSet rs = s.executeQuery("SELECT sum(bal), min(bal) FROM acct")) {
                assertTrue(rs.next());
                assertEquals(100, rs.getInt(1));
                assertEquals(30, rs.getInt(2));
            }
            s.executeUpdate("UPDATE acct SET bal = 7 WHERE id = 1");
            c.setAutoCommit(true); // commits
            assertTrue(c.getAutoCommit());
            assertEquals("25000", assertThrows(SQLException.class, c::setSavepoint).getSQLState()); // auto-commit on
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT bal FROM acct WHERE id = 1")) {
            assertTrue(rs.next());
            assertEquals(7, rs.getInt(1));
        }
    }

    @Test
    void readOnlyConnectionRefusesWrites() throws Exception {
        try (Connection c = memory(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE r (x INTEGER)");
            c.setReadOnly(true);
            assertTrue(c.isReadOnly());
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO r VALUES (1)"));
            assertEquals("25006", e.getSQLState());
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM r")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
            c.setReadOnly(false);
            assertEquals(1, s.executeUpdate("INSERT INTO r VALUES (1)"));
        }
    }

    @Test
    void errorsMapToSqlStates() throws Exception {
        try (Connection c = memory(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, n TEXT NOT NULL UNIQUE, v INTEGER CHECK (v > 0))");
            s.execute("CREATE TABLE ch (pid INTEGER REFERENCES p(id))");
            s.execute("INSERT INTO p VALUES (1, 'a', 1)");
            String[][] cases = {
                {"INSERT INTO p VALUES (1, 'b', 1)", "23505"},
                {"INSERT INTO p VALUES (2, NULL, 1)", "23502"},
                {"INSERT INTO p VALUES (3, 'c', -1)", "23514"},
                {"INSERT INTO ch VALUES (9)", "23503"},
            };
            for (String[] k : cases) {
                SQLIntegrityConstraintViolationException e =
                        assertThrows(SQLIntegrityConstraintViolationException.class, () -> s.executeUpdate(k[0]), k[0]);
                assertEquals(k[1], e.getSQLState(), k[0]);
                assertEquals(19, e.getErrorCode());
            }
            assertEquals("42601", assertThrows(SQLSyntaxErrorException.class, () -> s.execute("SELEC 1")).getSQLState());
            assertEquals("42P01", assertThrows(SQLSyntaxErrorException.class, () -> s.execute("SELECT * FROM nope")).getSQLState());
            assertEquals("22000", assertThrows(SQLException.class, () -> s.execute("INSERT INTO p VALUES ('x', 'y', 1)")).getSQLState());
            assertThrows(SQLException.class, () -> s.executeQuery("INSERT INTO p VALUES (5, 'e', 1)"));
            assertThrows(SQLFeatureNotSupportedException.class, () -> c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY));
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThrows(SQLFeatureNotSupportedException.class, rs::previous);
                assertThrows(SQLFeatureNotSupportedException.class, () -> rs.updateInt(1, 2));
            }
            assertThrows(SQLFeatureNotSupportedException.class, () -> c.prepareCall("CALL x()"));
        }
        assertThrows(SQLException.class, () -> DriverManager.getConnection("jdbc:heliosdb:"));
        Properties bad = new Properties();
        bad.setProperty(HeliosDriver.CONFIG_TEXT, "[nonsense]\nkey = 1");
        assertThrows(SQLException.class, () -> DriverManager.getConnection("jdbc:heliosdb:" + dir.resolve("bad"), bad));
    }

    @Test
    void propertiesConfigFileAndBusyTimeout() throws Exception {
        Path cfg = dir.resolve("heliosdb.toml");
        Files.writeString(cfg, "[snapshot]\nmin_retention_seconds = 7776000\n");
        Properties p = new Properties();
        p.setProperty(HeliosDriver.CONFIG, cfg.toString());
        try (Connection c = DriverManager.getConnection("jdbc:heliosdb:" + dir.resolve("cfg") + "?busyTimeout=250", p)) {
            assertTrue(c.isValid(1));
        }
        assertThrows(SQLException.class, () -> DriverManager.getConnection("jdbc:heliosdb:" + dir.resolve("cfg2") + "?busyTimeout=soon"));
    }

    @Test
    void closingTheConnectionClosesEverything() throws Exception {
        Connection c = memory();
        Statement s = c.createStatement();
        s.execute("CREATE TABLE z (x INTEGER)");
        s.execute("INSERT INTO z VALUES (1), (2)");
        ResultSet rs = s.executeQuery("SELECT x FROM z");
        assertTrue(rs.next());
        PreparedStatement p = c.prepareStatement("SELECT x FROM z WHERE x = ?");
        c.close();
        assertTrue(c.isClosed());
        assertFalse(c.isValid(1));
        assertTrue(s.isClosed());
        assertTrue(p.isClosed());
        assertTrue(rs.isClosed());
        List<SQLException> errors = new ArrayList<>();
        errors.add(assertThrows(SQLException.class, rs::next));
        errors.add(assertThrows(SQLException.class, () -> rs.getInt(1)));
        errors.add(assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1")));
        errors.add(assertThrows(SQLException.class, () -> p.setInt(1, 1)));
        errors.add(assertThrows(SQLException.class, p::executeQuery));
        errors.add(assertThrows(SQLException.class, c::createStatement));
        errors.add(assertThrows(SQLException.class, () -> c.prepareStatement("SELECT 1")));
        errors.add(assertThrows(SQLException.class, () -> c.setAutoCommit(false)));
        for (SQLException e : errors) assertTrue(e.getSQLState().equals("08003") || e.getSQLState().equals("24000"), e.getSQLState());
        rs.close();
        s.close();
        p.close();
        c.close();
    }

    @Test
    void databaseMetaDataBasics() throws Exception {
        try (Connection c = memory(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT, amount DECIMAL(10,2))");
            s.execute("CREATE MATERIALIZED VIEW by_region AS SELECT region, sum(amount) AS total FROM orders GROUP BY region");
            DatabaseMetaData md = c.getMetaData();
            assertEquals("HeliosDB-Lite", md.getDatabaseProductName());
            assertEquals(io.heliosdb.Database.version(), md.getDatabaseProductVersion());
            assertTrue(md.supportsTransactions());
            assertTrue(md.supportsSavepoints());
            assertTrue(md.supportsBatchUpdates());
            List<String> found = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "orders", null)) {
                while (rs.next()) found.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
            }
            assertEquals(List.of("orders:TABLE"), found);
            found.clear();
            try (ResultSet rs = md.getTables(null, null, "%", null)) {
                while (rs.next()) found.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
            }
            // Every table, view and materialized view, ordered by TABLE_TYPE then TABLE_NAME.
            assertEquals(List.of("by_region:MATERIALIZED VIEW", "orders:TABLE"), found);
            try (ResultSet rs = md.getTables(null, null, "missing", null)) {
                assertFalse(rs.next());
            }
            List<String> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, null, "orders", "%")) {
                while (rs.next()) {
                    cols.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME") + " " + rs.getInt("DATA_TYPE") + " "
                            + rs.getInt("ORDINAL_POSITION"));
                }
            }
            assertEquals(List.of("id INTEGER " + Types.BIGINT + " 1", "region TEXT " + Types.VARCHAR + " 2",
                    "amount DECIMAL(10,2) " + Types.DECIMAL + " 3"), cols);
            try (ResultSet rs = md.getColumns(null, null, "orders", "reg%")) {
                assertTrue(rs.next());
                assertEquals("region", rs.getString(4));
                assertFalse(rs.next());
            }
        }
    }
}
