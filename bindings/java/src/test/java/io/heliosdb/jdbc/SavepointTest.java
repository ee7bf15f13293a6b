// SavepointTest.java — JDBC savepoints over the engine's SAVEPOINT / ROLLBACK TO / RELEASE:
// nesting, partial rollback, release, unnamed and named savepoints, and the misuse errors
// (auto-commit on, a released savepoint, another connection's savepoint).
package io.heliosdb.jdbc;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavepointTest {
    @TempDir
    Path dir;

    private String url;

    @BeforeEach
    void createTable() throws SQLException {
        url = "jdbc:heliosdb:" + dir.resolve("sp");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INTEGER)");
        }
    }

    private static List<Integer> rows(Connection c) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT x FROM t ORDER BY x")) {
            while (rs.next()) out.add(rs.getInt(1));
        }
        return out;
    }

    /** What another connection sees: only committed rows. */
    private List<Integer> committed() throws SQLException {
        try (Connection o = DriverManager.getConnection(url)) {
            return rows(o);
        }
    }

    private static void insert(Statement s, int x) throws SQLException {
        assertEquals(1, s.executeUpdate("INSERT INTO t VALUES (" + x + ")"));
    }

    @Test
    void nestedSavepointsReleasedThenCommittedKeepEverything() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            insert(s, 1);
            Savepoint a = c.setSavepoint();
            insert(s, 2);
            Savepoint b = c.setSavepoint("inner");
            insert(s, 3);
            c.releaseSavepoint(b);
            c.releaseSavepoint(a); // releasing the outermost savepoint does not commit
            assertEquals(List.of(), committed());
            c.commit();
            assertEquals(List.of(1, 2, 3), committed());
        }
    }

    @Test
    void savepointFirstInTheTransactionIsReleasedWithoutCommitting() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            Savepoint sp = c.setSavepoint(); // no statement ran yet: the driver begins the transaction first
            insert(s, 1);
            c.releaseSavepoint(sp);
            assertEquals(List.of(), committed());
            c.rollback();
            assertEquals(List.of(), rows(c));
            assertEquals(List.of(), committed());
        }
    }

    @Test
    void innerRollbackUndoesOnlyTheInnerWorkAndTheOuterCommits() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            insert(s, 1);
            Savepoint sp = c.setSavepoint("inner");
            insert(s, 2);
            insert(s, 3);
            c.rollback(sp);
            assertEquals(List.of(1), rows(c));
            insert(s, 4); // the transaction goes on
            c.commit();
            assertEquals(List.of(1, 4), committed());
        }
    }

    @Test
    void outerRollbackAfterInnerReleaseUndoesEverything() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            insert(s, 1);
            Savepoint sp = c.setSavepoint();
            insert(s, 2);
            c.releaseSavepoint(sp);
            c.rollback();
            assertEquals(List.of(), rows(c));
            assertEquals(List.of(), committed());
        }
    }

    @Test
    void threeLevelsAndRollingBackToTheSameSavepointTwice() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            Savepoint one = c.setSavepoint("one");
            insert(s, 1);
            Savepoint two = c.setSavepoint("two");
            insert(s, 2);
            Savepoint three = c.setSavepoint();
            insert(s, 3);
            c.rollback(three);
            assertEquals(List.of(1, 2), rows(c));
            insert(s, 30);
            c.rollback(three); // still valid after a rollback to it
            assertEquals(List.of(1, 2), rows(c));
            c.rollback(two); // undoes level 2, and level 3 with it
            assertEquals(List.of(1), rows(c));
            SQLException e = assertThrows(SQLException.class, () -> c.rollback(three));
            assertTrue(e.getMessage().contains("no such savepoint"), e.getMessage());
            insert(s, 5);
            c.releaseSavepoint(one);
            c.commit();
            assertEquals(List.of(1, 5), committed());
        }
    }

    @Test
    void unnamedAndNamedSavepointsFollowTheSpec() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            Savepoint a = c.setSavepoint();
            Savepoint b = c.setSavepoint();
            assertTrue(b.getSavepointId() != a.getSavepointId());
            assertThrows(SQLException.class, a::getSavepointName);
            Savepoint n = c.setSavepoint("Audit \"step\" 1"); // any text: quoted as an identifier
            assertEquals("Audit \"step\" 1", n.getSavepointName());
            assertThrows(SQLException.class, n::getSavepointId);
            c.rollback(n);
            c.releaseSavepoint(n);
            c.releaseSavepoint(a);
            assertEquals("HY009", assertThrows(SQLException.class, () -> c.setSavepoint(null)).getSQLState());
            assertThrows(SQLException.class, () -> c.setSavepoint(""));
            assertEquals("HY009", assertThrows(SQLException.class, () -> c.rollback((Savepoint) null)).getSQLState());
            c.rollback();
        }
    }

    @Test
    void autoCommitModeRefusesSavepoints() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertTrue(c.getAutoCommit());
            assertEquals("25000", assertThrows(SQLException.class, c::setSavepoint).getSQLState());
            assertEquals("25000", assertThrows(SQLException.class, () -> c.setSavepoint("x")).getSQLState());
            c.setAutoCommit(false);
            Savepoint sp = c.setSavepoint();
            insert(s, 1);
            c.setAutoCommit(true); // commits, which ends every savepoint
            assertEquals(List.of(1), committed());
            assertEquals("25000", assertThrows(SQLException.class, () -> c.rollback(sp)).getSQLState());
            assertEquals("25000", assertThrows(SQLException.class, () -> c.releaseSavepoint(sp)).getSQLState());
            insert(s, 2); // auto-commit: no transaction was begun by the refused calls
            assertEquals(List.of(1, 2), committed());
        }
    }

    @Test
    void releasedOrCommittedSavepointsFailWithTheEngineMessage() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            insert(s, 1);
            Savepoint outer = c.setSavepoint("outer");
            Savepoint inner = c.setSavepoint();
            c.releaseSavepoint(outer); // releases inner too
            for (Savepoint sp : List.of(outer, inner)) {
                SQLException e = assertThrows(SQLException.class, () -> c.rollback(sp));
                assertTrue(e.getMessage().startsWith("no such savepoint: "), e.getMessage());
                assertEquals("3B001", e.getSQLState());
                assertEquals(1, e.getErrorCode()); // the engine's ERROR status
                assertThrows(SQLException.class, () -> c.releaseSavepoint(sp));
            }
            assertEquals(List.of(1), rows(c)); // the failed calls changed nothing
            Savepoint next = c.setSavepoint();
            c.commit(); // ends every savepoint
            SQLException e = assertThrows(SQLException.class, () -> c.rollback(next));
            assertTrue(e.getMessage().contains("no such savepoint"), e.getMessage());
            assertEquals(List.of(1), committed());
        }
    }

    @Test
    void savepointOfAnotherConnectionIsRefused() throws Exception {
        try (Connection a = DriverManager.getConnection(url); Connection b = DriverManager.getConnection(url)) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            Savepoint sp = a.setSavepoint();
            assertEquals("3B001", assertThrows(SQLException.class, () -> b.rollback(sp)).getSQLState());
            a.rollback();
        }
    }

    @Test
    void closedConnectionRefusesSavepoints() throws Exception {
        Connection c = DriverManager.getConnection(url);
        c.setAutoCommit(false);
        Savepoint sp = c.setSavepoint();
        c.close();
        assertEquals(SqlStates.CLOSED, assertThrows(SQLException.class, c::setSavepoint).getSQLState());
        assertEquals(SqlStates.CLOSED, assertThrows(SQLException.class, () -> c.rollback(sp)).getSQLState());
    }
}
