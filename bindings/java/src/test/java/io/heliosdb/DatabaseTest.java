// DatabaseTest.java — the plain API end to end: CRUD, every type and NULL, named
// parameters, errors with codes, and use after close (throws, never crashes).
package io.heliosdb;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
    @TempDir
    Path dir;

    @Test
    void crudRoundTripOnDisk() throws Exception {
        try (Database db = Database.open(dir.resolve("crud").toString())) {
            db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
            try (Statement ins = db.prepare("INSERT INTO t (name) VALUES (?)")) {
                for (String n : new String[] {"ada", "alan", "grace"}) assertEquals(1, ins.bind(1, n).execute());
            }
            assertEquals(3, db.lastInsertRowid());
            try (Statement up = db.prepare("UPDATE t SET name = upper(name) WHERE id >= ?")) {
                assertEquals(2, up.bind(1, 2L).execute());
            }
            try (Statement del = db.prepare("DELETE FROM t WHERE id = 1")) {
                assertEquals(1, del.execute());
            }
        }
        // Reopen: the data is on disk.
        try (Database db = Database.open(dir.resolve("crud").toString());
                Statement st = db.prepare("SELECT id, name FROM t ORDER BY id");
                Rows rows = st.query()) {
            assertTrue(rows.next());
            assertEquals(2, rows.getLong("id"));
            assertEquals("ALAN", rows.getString(1));
            assertTrue(rows.next());
            assertEquals("GRACE", rows.getString("NAME"));
            assertFalse(rows.next());
            assertFalse(rows.next());
        }
    }

    @Test
    void everyTypeAndNull() throws Exception {
        try (Database db = Database.openInMemory()) {
            db.execute("CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, d DECIMAL(15,2), f BOOLEAN)");
            byte[] blob = {0, 1, (byte) 0xff, 0};
            String text = "naïve \0 zero 😀";
            try (Statement ins = db.prepare("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)")) {
                ins.bindAll(Long.MIN_VALUE, 2.5, text, blob, new BigDecimal("12345678901.25"), true).execute();
                ins.bindAll(null, null, null, null, null, null).execute();
                ins.bindAll(7, 1e300, "", new byte[0], new BigDecimal("-0.10"), false).execute();
            }
            try (Statement st = db.prepare("SELECT i, r, t, b, d, f FROM v ORDER BY rowid"); Rows rows = st.query()) {
                assertEquals("DECIMAL(15,2)", rows.columnDeclType(4));
                assertEquals("BOOLEAN", rows.columnDeclType(5));
                assertTrue(rows.next());
                assertEquals(Long.MIN_VALUE, rows.getLong(0));
                assertFalse(rows.wasNull());
                assertEquals(2.5, rows.getDouble(1));
                assertEquals(text, rows.getString(2));
                assertArrayEquals(blob, rows.getBytes(3));
                assertEquals(new BigDecimal("12345678901.25"), rows.getBigDecimal(4));
                assertEquals(new BigDecimal("12345678901.25"), rows.getObject(4));
                assertTrue(rows.getBoolean(5));
                assertEquals(Boolean.TRUE, rows.getObject(5));
                assertEquals(Rows.INTEGER, rows.columnType(0));
                assertEquals(Rows.BLOB, rows.columnType(3));

                assertTrue(rows.next());
                for (int i = 0; i < 6; i++) {
                    assertNull(rows.getObject(i));
                    assertTrue(rows.wasNull());
                    assertEquals(Rows.NULL, rows.columnType(i));
                }
                assertEquals(0, rows.getLong(0));
                assertTrue(rows.wasNull());
                assertNull(rows.getString(2));
                assertNull(rows.getBytes(3));
                assertNull(rows.getBigDecimal(4));

                assertTrue(rows.next());
                assertEquals(7, rows.getInt(0));
                assertEquals(1e300, rows.getDouble(1));
                assertEquals("", rows.getString(2));
                assertFalse(rows.wasNull());
                assertArrayEquals(new byte[0], rows.getBytes(3));
                assertEquals(new BigDecimal("-0.10"), rows.getBigDecimal(4));
                assertFalse(rows.getBoolean(5));
                assertFalse(rows.wasNull());
                assertFalse(rows.next());
            }
        }
    }

    @Test
    void namedParametersAndMetadata() throws Exception {
        try (Database db = Database.openInMemory()) {
            db.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT)");
            try (Statement st = db.prepare("INSERT INTO p VALUES (:id, @name)")) {
                assertEquals(2, st.parameterCount());
                assertEquals(":id", st.parameterName(1));
                assertEquals("@name", st.parameterName(2));
                assertEquals(2, st.parameterIndex("@name"));
                assertFalse(st.isReadOnly());
                st.bind(":id", 5).bind("@name", "five").execute();
                HeliosDBException e = assertThrows(HeliosDBException.class, () -> st.bind(":nope", 1));
                assertEquals(HeliosDBException.RANGE, e.getCode());
                e = assertThrows(HeliosDBException.class, () -> st.bind(3, 1L));
                assertEquals(HeliosDBException.RANGE, e.getCode());
            }
            try (Statement st = db.prepare("SELECT name, id * 2 AS twice FROM p WHERE id = ?")) {
                assertTrue(st.isReadOnly());
                assertEquals(2, st.columnCount());
                assertEquals("twice", st.columnName(1));
                assertNull(st.columnDeclType(1));
                try (Rows r = st.bind(1, 5).query()) {
                    assertTrue(r.next());
                    assertEquals("five", r.getString(0));
                    assertEquals(10, r.getLong("twice"));
                }
            }
            String json = db.queryJson("SELECT id, name FROM p WHERE id = ?", "[5]");
            String compact = json.replace(" ", "");
            assertTrue(compact.contains("\"columns\":[\"id\",\"name\"]"), json);
            assertTrue(compact.contains("\"rows\":[[5,\"five\"]]"), json);
        }
    }

    @Test
    void errorsCarryCodesAndMessages() throws Exception {
        try (Database db = Database.openInMemory()) {
            db.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
            HeliosDBException e = assertThrows(HeliosDBException.class, () -> db.prepare("SELEC 1"));
            assertEquals(HeliosDBException.ERROR, e.getCode());
            assertTrue(e.getMessage().contains("syntax error"), e.getMessage());
            e = assertThrows(HeliosDBException.class, () -> db.execute("INSERT INTO e VALUES (1, NULL)"));
            assertEquals(HeliosDBException.CONSTRAINT, e.getCode());
            assertTrue(e.getMessage().contains("NOT NULL"), e.getMessage());
            db.execute("INSERT INTO e VALUES (1, 1)");
            try (Statement st = db.prepare("INSERT INTO e VALUES (?, ?)")) {
                e = assertThrows(HeliosDBException.class, () -> st.bindAll(1, 2).execute());
                assertEquals(HeliosDBException.CONSTRAINT, e.getCode());
                e = assertThrows(HeliosDBException.class, () -> st.bindAll("x", 2).execute());
                assertEquals(HeliosDBException.MISMATCH, e.getCode());
                assertEquals(1, st.bindAll(2, 2).execute()); // still usable after errors
            }
            try (Statement st = db.prepare("SELECT 'abc', x'00ff'"); Rows r = st.query()) {
                assertThrows(HeliosDBException.class, () -> r.getLong(0)); // before next()
                assertTrue(r.next());
                assertEquals(HeliosDBException.MISMATCH, assertThrows(HeliosDBException.class, () -> r.getLong(0)).getCode());
                assertEquals(HeliosDBException.MISMATCH, assertThrows(HeliosDBException.class, () -> r.getDouble(1)).getCode());
                assertEquals(HeliosDBException.RANGE, assertThrows(HeliosDBException.class, () -> r.getString(2)).getCode());
                assertEquals(HeliosDBException.RANGE, assertThrows(HeliosDBException.class, () -> r.getString(-1)).getCode());
            }
            assertThrows(HeliosDBException.class, () -> db.prepare("SELECT 1; SELECT 2"));
            assertThrows(HeliosDBException.class, () -> db.execute("SELECT 1\0"));
            assertThrows(HeliosDBException.class, () -> st(db).bind(1, new Object()));
        }
        HeliosDBException e = assertThrows(HeliosDBException.class,
                () -> Database.open(dir.toString(), "[nonsense]\nkey = 1"));
        assertEquals(HeliosDBException.ERROR, e.getCode());
    }

    private static Statement st(Database db) throws HeliosDBException {
        return db.prepare("SELECT ?");
    }

    @Test
    void useAfterCloseThrowsNeverCrashes() throws Exception {
        Database db = Database.openInMemory();
        db.execute("CREATE TABLE c (x INTEGER)");
        db.execute("INSERT INTO c VALUES (1), (2)");
        Statement st = db.prepare("SELECT x FROM c");
        Rows rows = st.query();
        assertTrue(rows.next());
        Statement other = db.prepare("INSERT INTO c VALUES (?)");
        db.close();
        assertTrue(db.isClosed());
        assertTrue(st.isClosed());
        assertTrue(rows.isClosed());
        for (HeliosDBException e : new HeliosDBException[] {
            assertThrows(HeliosDBException.class, rows::next),
            assertThrows(HeliosDBException.class, () -> rows.getLong(0)),
            assertThrows(HeliosDBException.class, st::query),
            assertThrows(HeliosDBException.class, () -> other.bind(1, 3L)),
            assertThrows(HeliosDBException.class, other::execute),
            assertThrows(HeliosDBException.class, () -> db.execute("SELECT 1")),
            assertThrows(HeliosDBException.class, () -> db.prepare("SELECT 1")),
            assertThrows(HeliosDBException.class, db::changes),
            assertThrows(HeliosDBException.class, db::interrupt),
        }) {
            assertEquals(HeliosDBException.MISUSE, e.getCode());
        }
        rows.close(); // idempotent closes throw nothing
        st.close();
        db.close();
    }

    @Test
    void rowsInvalidatedWhenStatementRunsAgain() throws Exception {
        try (Database db = Database.openInMemory(); Statement st = db.prepare("SELECT 1 UNION ALL SELECT 2")) {
            Rows first = st.query();
            assertTrue(first.next());
            try (Rows second = st.query()) {
                assertThrows(HeliosDBException.class, first::next);
                assertTrue(second.next());
                assertEquals(1, second.getLong(0));
            }
            first.close();
            assertEquals("0.1.0".length() > 0, !Database.version().isEmpty());
        }
    }

    @Test
    void inTransactionCommitsOrRollsBack() throws Exception {
        try (Database db = Database.openInMemory()) {
            db.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL)");
            db.execute("INSERT INTO acct VALUES (1, 100), (2, 0)");
            long moved = db.inTransaction(() -> {
                db.execute("UPDATE acct SET bal = bal - 40 WHERE id = 1");
                db.execute("UPDATE acct SET bal = bal + 40 WHERE id = 2");
                return 40L;
            });
            assertEquals(40, moved);
            assertTrue(db.isAutoCommit());
            // A failure in the middle undoes the first update too.
            assertThrows(HeliosDBException.class, () -> db.inTransaction(() -> {
                db.execute("UPDATE acct SET bal = bal - 10 WHERE id = 1");
                db.execute("UPDATE acct SET bal = NULL WHERE id = 2"); // NOT NULL
                return null;
            }));
            assertThrows(IllegalStateException.class, () -> db.inTransaction(() -> {
                db.execute("DELETE FROM acct");
                throw new IllegalStateException("changed my mind");
            }));
            assertTrue(db.isAutoCommit());
            try (Statement st = db.prepare("SELECT bal FROM acct ORDER BY id"); Rows r = st.query()) {
                assertTrue(r.next());
                assertEquals(60, r.getLong(0));
                assertTrue(r.next());
                assertEquals(40, r.getLong(0));
            }
        }
    }

    private static List<Long> balances(Database db) throws HeliosDBException {
        List<Long> out = new ArrayList<>();
        try (Statement st = db.prepare("SELECT bal FROM acct ORDER BY id"); Rows r = st.query()) {
            while (r.next()) out.add(r.getLong(0));
        }
        return out;
    }

    @Test
    void nestedInTransactionIsASavepoint() throws Exception {
        try (Database db = Database.openInMemory()) {
            db.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL)");
            db.execute("INSERT INTO acct VALUES (1, 100), (2, 0)");
            // Both levels succeed: everything commits with the outer one.
            db.inTransaction(() -> {
                db.execute("UPDATE acct SET bal = bal - 10 WHERE id = 1");
                long r = db.inTransaction(() -> {
                    db.execute("UPDATE acct SET bal = bal + 10 WHERE id = 2");
                    return 1L;
                });
                assertFalse(db.isAutoCommit()); // RELEASE did not commit
                return r;
            });
            assertTrue(db.isAutoCommit());
            assertEquals(List.of(90L, 10L), balances(db));
            // The inner body fails: only its work is undone; the outer goes on and commits.
            db.inTransaction(() -> {
                db.execute("UPDATE acct SET bal = bal - 1 WHERE id = 1");
                assertThrows(HeliosDBException.class, () -> db.inTransaction(() -> {
                    db.execute("UPDATE acct SET bal = bal + 1000 WHERE id = 2");
                    db.execute("UPDATE acct SET bal = NULL WHERE id = 2"); // NOT NULL
                    return null;
                }));
                assertEquals(List.of(89L, 10L), balances(db));
                // Three levels: the third fails, the second keeps its own work.
                db.inTransaction(() -> {
                    db.execute("UPDATE acct SET bal = bal + 5 WHERE id = 2");
                    assertThrows(IllegalStateException.class, () -> db.inTransaction(() -> {
                        db.execute("DELETE FROM acct");
                        throw new IllegalStateException("level 3");
                    }));
                    return null;
                });
                return null;
            });
            assertEquals(List.of(89L, 15L), balances(db));
            // The outer body fails after an inner success: everything is undone.
            assertThrows(IllegalStateException.class, () -> db.inTransaction(() -> {
                db.inTransaction(() -> {
                    db.execute("DELETE FROM acct");
                    return null;
                });
                throw new IllegalStateException("outer");
            }));
            assertTrue(db.isAutoCommit());
            assertEquals(List.of(89L, 15L), balances(db));
        }
    }

    @Test
    void textReadThenBytesAgree() throws Exception {
        try (Database db = Database.openInMemory(); Statement st = db.prepare("SELECT ?"); ) {
            String s = "ä\0b";
            try (Rows r = st.bind(1, s).query()) {
                assertTrue(r.next());
                assertEquals(s, r.getString(0));
                assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), r.getBytes(0));
            }
        }
    }
}
