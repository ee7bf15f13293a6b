// HeliosSavepoint.java — the java.sql.Savepoint of HeliosConnection.setSavepoint(): an id
// (unnamed) or a name, the connection it belongs to, and the SQL identifier it runs under.
package io.heliosdb.jdbc;

import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * A savepoint of one {@link HeliosConnection}. As the JDBC specification says, an unnamed
 * savepoint ({@code setSavepoint()}) has an id and {@link #getSavepointName()} throws; a
 * named one ({@code setSavepoint(name)}) has a name and {@link #getSavepointId()} throws.
 * In SQL an unnamed savepoint is {@code HELIOSDB_SAVEPOINT_<id>}; a named one is its name
 * as a quoted identifier (the engine compares savepoint names case-insensitively).
 */
final class HeliosSavepoint implements Savepoint {
    final HeliosConnection connection;
    private final int id;
    private final String name;

    HeliosSavepoint(HeliosConnection connection, int id, String name) {
        this.connection = connection;
        this.id = id;
        this.name = name;
    }

    @Override
    public int getSavepointId() throws SQLException {
        if (name != null) throw new SQLException("savepoint \"" + name + "\" is named: it has no id", "HY000");
        return id;
    }

    @Override
    public String getSavepointName() throws SQLException {
        if (name == null) throw new SQLException("savepoint " + id + " is unnamed: it has no name", "HY000");
        return name;
    }

    /** The identifier for SAVEPOINT / RELEASE / ROLLBACK TO. */
    String sqlName() {
        return name == null ? "HELIOSDB_SAVEPOINT_" + id : '"' + name.replace("\"", "\"\"") + '"';
    }

    @Override
    public String toString() {
        return name == null ? "HeliosSavepoint[id=" + id + "]" : "HeliosSavepoint[name=" + name + "]";
    }
}
