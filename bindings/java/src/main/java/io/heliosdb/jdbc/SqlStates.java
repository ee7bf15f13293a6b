// SqlStates.java — turns the engine's status codes into SQLExceptions with SQLStates and
// the JDBC 4 subclasses tools branch on (integrity, transient, timeout, syntax, data).
package io.heliosdb.jdbc;

import io.heliosdb.HeliosDBException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientException;

/**
 * The mapping from {@link HeliosDBException#getCode()} to SQLException. The vendor code
 * ({@link SQLException#getErrorCode()}) is always the engine's status code.
 *
 * <table>
 * <caption>status → exception, SQLState</caption>
 * <tr><td>CONSTRAINT 19</td><td>SQLIntegrityConstraintViolationException: 23502 NOT NULL, 23505 UNIQUE/PRIMARY KEY,
 *   23503 FOREIGN KEY, 23514 CHECK, else 23000</td></tr>
 * <tr><td>BUSY 5</td><td>SQLTransientException 40001</td></tr>
 * <tr><td>INTERRUPT 9</td><td>SQLTimeoutException 57014 after setQueryTimeout, else SQLException 57014 (cancelled)</td></tr>
 * <tr><td>ERROR 1</td><td>SQLSyntaxErrorException 42601 (syntax), 42P01 (no such table), 42703 (no such column);
 *   SQLException 3B001 (no such savepoint); else SQLException HY000</td></tr>
 * <tr><td>MISMATCH 20</td><td>SQLDataException 22000</td></tr>
 * <tr><td>READONLY 8</td><td>SQLException 25006</td></tr>
 * <tr><td>SNAPSHOT_TOO_OLD 1001</td><td>SQLException 72000</td></tr>
 * <tr><td>RANGE 25</td><td>SQLException 07009</td></tr>
 * <tr><td>MISUSE 21</td><td>SQLNonTransientConnectionException 08003 when closed, else SQLException HY010</td></tr>
 * <tr><td>IOERR 10, CORRUPT 11, NOMEM 7</td><td>SQLException 58030, XX001, 53200</td></tr>
 * </table>
 */
public final class SqlStates {
    /** SQLState of a cancelled statement (also of a timed-out one). */
    public static final String CANCELLED = "57014";
    /** SQLState of use after close. */
    public static final String CLOSED = "08003";

    private SqlStates() {}

    /** The SQLException for an engine failure; {@code timedOut} picks SQLTimeoutException for INTERRUPT. */
    public static SQLException of(HeliosDBException e, boolean timedOut) {
        String msg = e.getMessage();
        int code = e.getCode();
        SQLException out;
        switch (code) {
            case HeliosDBException.CONSTRAINT:
                out = new SQLIntegrityConstraintViolationException(msg, constraintState(msg), code);
                break;
            case HeliosDBException.BUSY:
                out = new SQLTransientException(msg, "40001", code);
                break;
            case HeliosDBException.INTERRUPT:
                out = timedOut ? new SQLTimeoutException("statement timed out: " + msg, CANCELLED, code)
                        : new SQLException("statement cancelled: " + msg, CANCELLED, code);
                break;
            case HeliosDBException.ERROR:
                if (msg.startsWith("syntax error")) out = new SQLSyntaxErrorException(msg, "42601", code);
                else if (msg.startsWith("no such table")) out = new SQLSyntaxErrorException(msg, "42P01", code);
                else if (msg.startsWith("no such column")) out = new SQLSyntaxErrorException(msg, "42703", code);
                else if (msg.startsWith("no such savepoint")) out = new SQLException(msg, "3B001", code);
                else out = new SQLException(msg, "HY000", code);
                break;
            case HeliosDBException.MISMATCH:
                out = new SQLDataException(msg, "22000", code);
                break;
            case HeliosDBException.READONLY:
                out = new SQLException(msg, "25006", code);
                break;
            case HeliosDBException.SNAPSHOT_TOO_OLD:
                out = new SQLException(msg, "72000", code);
                break;
            case HeliosDBException.RANGE:
                out = new SQLException(msg, "07009", code);
                break;
            case HeliosDBException.MISUSE:
                out = msg.contains("closed") ? new SQLNonTransientConnectionException(msg, CLOSED, code)
                        : new SQLException(msg, "HY010", code);
                break;
            case HeliosDBException.IOERR:
                out = new SQLException(msg, "58030", code);
                break;
            case HeliosDBException.CORRUPT:
                out = new SQLException(msg, "XX001", code);
                break;
            case HeliosDBException.NOMEM:
                out = new SQLException(msg, "53200", code);
                break;
            default:
                out = new SQLException(msg, "HY000", code);
        }
        out.initCause(e);
        return out;
    }

    /** {@link #of(HeliosDBException, boolean)} for failures that are not interrupts. */
    public static SQLException of(HeliosDBException e) {
        return of(e, false);
    }

    private static String constraintState(String msg) {
        if (msg.startsWith("NOT NULL")) return "23502";
        if (msg.startsWith("UNIQUE")) return "23505";
        if (msg.startsWith("FOREIGN KEY")) return "23503";
        if (msg.startsWith("CHECK")) return "23514";
        return "23000";
    }

    static SQLException closed(String what) {
        return new SQLNonTransientConnectionException(what + " is closed", CLOSED);
    }
}
