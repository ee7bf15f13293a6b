// FinancialAudit.java — scenario S6 (../shared/SCENARIOS.md) from Java over JDBC: the
// year-end audit of a banking service, answered from the database's own history.
//
// Accounts change across many transactions; 90 days of history are kept. The auditor
// asks for every balance as of the year-end instant with the total, one account as of
// the incident transaction beside its balance now, one account's balance at three
// instants (a trend), and every change to that account in between.
//
// Run (after `mvn -q -DskipTests package` in bindings/java):
//   java -cp bindings/java/target/heliosdb-java-0.1.0.jar examples/java/FinancialAudit.java
// The output is checked against FinancialAudit.expected by bindings/java/ci.sh.
//
// Commit times are the real clock, so the instants come from the commit log
// (heliosdb_snapshots()) as the example goes, and only balances are printed: the
// output is the same on every run.

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

public class FinancialAudit {
    /** The commit time of the latest commit, as AS OF TIMESTAMP accepts it. */
    static String latestCommitTime(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT commit_time FROM heliosdb_snapshots() ORDER BY scn DESC LIMIT 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Moves money between two accounts in one transaction; returns its transaction id. */
    static long transfer(Connection c, long from, long to, String amount) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE accounts SET balance = balance + ?, last_modified = datetime('now') WHERE id = ?")) {
            p.setBigDecimal(1, new BigDecimal(amount).negate());
            p.setLong(2, from);
            p.executeUpdate();
            p.setBigDecimal(1, new BigDecimal(amount));
            p.setLong(2, to);
            p.executeUpdate();
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT heliosdb_last_txid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void deposit(Connection c, long id, String amount) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
            p.setBigDecimal(1, new BigDecimal(amount));
            p.setLong(2, id);
            p.executeUpdate();
        }
    }

    static BigDecimal decimal(Connection c, String sql, Object param) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setObject(1, param);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1);
            }
        }
    }

    /** The instants are microseconds apart at most; a pause keeps "after the year-end commit" strictly after it. */
    static void pause() throws InterruptedException {
        Thread.sleep(3);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("heliosdb-s6-");
        Properties props = new Properties();
        props.setProperty("configText", "[snapshot]\nmin_retention_seconds = 7776000\n"); // 90 days of history
        try (Connection c = DriverManager.getConnection("jdbc:heliosdb:" + dir, props)) {
            run(c);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
        }
    }

    static void run(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts ("
                    + " id INTEGER PRIMARY KEY, customer TEXT NOT NULL,"
                    + " balance DECIMAL(15,2) NOT NULL, last_modified TEXT)");
            s.execute("INSERT INTO accounts (id, customer, balance, last_modified) VALUES"
                    + " (1001, 'Ada Lovelace', 12500.00, datetime('now')),"
                    + " (1002, 'Alan Turing', 8300.50, datetime('now')),"
                    + " (1003, 'Grace Hopper', 23010.75, datetime('now')),"
                    + " (1004, 'Edsger Dijkstra', 450.00, datetime('now'))");
        }

        // The last months of 2024.
        deposit(c, 1001, "1500.00");
        transfer(c, 1003, 1004, "2000.00");
        String october = latestCommitTime(c);
        pause();
        deposit(c, 1002, "250.25");
        transfer(c, 1001, 1002, "700.00");
        String november = latestCommitTime(c);
        pause();
        deposit(c, 1001, "320.10");
        String yearEnd = latestCommitTime(c);
        pause();

        // 2025: business goes on, including the transfer later flagged as an incident.
        transfer(c, 1002, 1001, "95.00");
        long incident = transfer(c, 1001, 1004, "5000.00");
        deposit(c, 1004, "10.00");
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM accounts WHERE id = 1002"); // an account closed in 2025
        }

        System.out.println("== Year-end report: every balance AS OF TIMESTAMP <year end>");
        try (PreparedStatement p = c.prepareStatement(
                "SELECT id, customer, balance FROM accounts AS OF TIMESTAMP ? ORDER BY id")) {
            p.setString(1, yearEnd);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    System.out.printf("%d  %-16s %10s%n", rs.getLong("id"), rs.getString("customer"), rs.getBigDecimal("balance"));
                }
            }
        }
        BigDecimal total = decimal(c, "SELECT sum(balance) FROM accounts AS OF TIMESTAMP ?", yearEnd);
        System.out.printf("total                  %10s%n", total);

        System.out.println();
        System.out.println("== Incident check: account 1001 AS OF TRANSACTION <incident> beside now");
        try (PreparedStatement p = c.prepareStatement("SELECT p.balance, c.balance FROM accounts AS OF TRANSACTION ? p"
                + " JOIN accounts c ON p.id = c.id WHERE p.id = 1001")) {
            p.setLong(1, incident);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                System.out.println("right after the incident: " + rs.getBigDecimal(1) + "   now: " + rs.getBigDecimal(2));
            }
        }
        // The commit just before the incident: its SCN minus one.
        long incidentScn = decimal(c, "SELECT scn FROM heliosdb_snapshots() WHERE txid = ?", incident).longValueExact();
        BigDecimal before = decimal(c, "SELECT balance FROM accounts AS OF SCN ? WHERE id = 1001", incidentScn - 1);
        System.out.println("just before it:           " + before);

        System.out.println();
        System.out.println("== Trend: account 1001 at three instants");
        String[][] instants = {{"october", october}, {"november", november}, {"year end", yearEnd}};
        for (String[] at : instants) {
            BigDecimal b = decimal(c, "SELECT balance FROM accounts AS OF TIMESTAMP ? WHERE id = 1001", at[1]);
            System.out.printf("%-9s %10s%n", at[0], b);
        }

        System.out.println();
        System.out.println("== Every change to account 1002 since the books opened");
        String first;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT min(commit_time) FROM heliosdb_snapshots()")) {
            rs.next();
            first = rs.getString(1);
        }
        String last = latestCommitTime(c);
        try (PreparedStatement p = c.prepareStatement("SELECT balance, heliosdb_operation, coalesce(heliosdb_ended_by, 'current')"
                + " FROM accounts FOR SYSTEM_TIME BETWEEN ? AND ? WHERE id = 1002 ORDER BY heliosdb_valid_from_scn")) {
            p.setString(1, first);
            p.setString(2, last);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    System.out.printf("%10s  began by %-6s  ended by %s%n", rs.getBigDecimal(1), rs.getString(2), rs.getString(3));
                }
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM accounts WHERE id = 1002")) {
            rs.next();
            System.out.println("account 1002 today: " + (rs.getInt(1) == 0 ? "closed" : "open"));
        }
    }
}
