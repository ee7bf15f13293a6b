// HeliosDatabaseMetaData.java — DatabaseMetaData basics: product and driver versions,
// capabilities, getTables/getColumns (within what the C ABI can tell: see getTables),
// table types, empty catalogs and schemas.
package io.heliosdb.jdbc;

import io.heliosdb.Database;
import io.heliosdb.HeliosDBException;
import io.heliosdb.Rows;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.RowIdLifetime;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Database metadata. The C ABI has no catalog listing yet, so {@link #getTables} finds
 * materialized views (through {@code pg_mv_staleness()}) and any table named exactly
 * (a pattern without {@code %}); a {@code %} pattern lists only materialized views.
 * {@link #getColumns} reads a table's columns and declared types from a prepared
 * {@code SELECT *}.
 */
public final class HeliosDatabaseMetaData extends AbstractDatabaseMetaData {
    private final HeliosConnection conn;

    HeliosDatabaseMetaData(HeliosConnection conn) {
        this.conn = conn;
    }

    private static HeliosResultSet result(String[] names, String[] types, List<Object[]> rows) {
        return new HeliosResultSet(null, new ListCursor(names, types, rows), 0);
    }

    /** A JDBC search pattern (% and _, with \ escapes) as a case-insensitive regex; null matches all. */
    static Pattern like(String pattern) {
        if (pattern == null) return Pattern.compile(".*", Pattern.DOTALL);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '\\' && i + 1 < pattern.length()) re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            else if (ch == '%') re.append(".*");
            else if (ch == '_') re.append('.');
            else re.append(Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    /** Materialized views (from pg_mv_staleness()) matching {@code p}. */
    private List<String> materializedViews(Pattern p) throws SQLException {
        List<String> out = new ArrayList<>();
        try (io.heliosdb.Statement st = conn.db.prepare("SELECT view_name FROM pg_mv_staleness() ORDER BY view_name");
                Rows r = st.query()) {
            while (r.next()) {
                String n = r.getString(0);
                if (p.matcher(n).matches()) out.add(n);
            }
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
        return out;
    }

    /** True when a table or view of that exact name can be read. */
    private boolean exists(String name) {
        // Names are resolved when a statement first runs, not when it is prepared: run it.
        try (io.heliosdb.Statement st = conn.db.prepare("SELECT * FROM " + quote(name) + " LIMIT 0"); Rows r = st.query()) {
            r.next();
            return true;
        } catch (HeliosDBException e) {
            return false;
        }
    }

    static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String unescape(String pattern) {
        return pattern.replaceAll("\\\\(.)", "$1");
    }

    private List<String[]> tables(String pattern, String[] types) throws SQLException {
        conn.checkOpen();
        List<String[]> out = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        boolean wantTables = types == null || List.of(types).contains("TABLE");
        boolean wantViews = types == null || List.of(types).contains("MATERIALIZED VIEW");
        if (wantViews) {
            for (String v : materializedViews(like(pattern))) {
                out.add(new String[] {v, "MATERIALIZED VIEW"});
                seen.add(v);
            }
        }
        if (wantTables && pattern != null && pattern.indexOf('%') < 0) {
            String name = unescape(pattern);
            if (!seen.contains(name) && exists(name)) out.add(new String[] {name, "TABLE"});
        }
        out.sort((a, b) -> (a[1] + a[0]).compareTo(b[1] + b[0]));
        return out;
    }

    @Override
    public ResultSet getTables(String catalog, String schemaPattern, String tableNamePattern, String[] types) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String[] t : tables(tableNamePattern, types)) {
            rows.add(new Object[] {null, null, t[0], t[1], null, null, null, null, null, null});
        }
        return result(new String[] {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS", "TYPE_CAT",
            "TYPE_SCHEM", "TYPE_NAME", "SELF_REFERENCING_COL_NAME", "REF_GENERATION"}, new String[10], rows);
    }

    @Override
    public ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        Pattern cp = like(columnNamePattern);
        List<Object[]> rows = new ArrayList<>();
        for (String[] t : tables(tableNamePattern, null)) {
            try (io.heliosdb.Statement st = conn.db.prepare("SELECT * FROM " + quote(t[0]) + " LIMIT 0"); Rows r = st.query()) {
                r.next(); // resolves the table, so the columns are known
                for (int i = 0; i < st.columnCount(); i++) {
                    String name = st.columnName(i);
                    if (!cp.matcher(name).matches()) continue;
                    String decl = st.columnDeclType(i);
                    int type = HeliosResultSetMetaData.typeOf(decl);
                    Integer size = null, scale = null;
                    java.util.regex.Matcher m = Pattern.compile("\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)").matcher(decl == null ? "" : decl);
                    if (m.find()) {
                        size = Integer.valueOf(m.group(1));
                        scale = m.group(2) == null ? null : Integer.valueOf(m.group(2));
                    }
                    rows.add(new Object[] {null, null, t[0], name, (long) type, decl == null ? "" : decl, size == null ? null : (long) size,
                        null, scale == null ? null : (long) scale, 10L, (long) DatabaseMetaData.columnNullableUnknown, null, null,
                        null, null, null, (long) (i + 1), "", null, null, null, null, "", ""});
                }
            } catch (HeliosDBException e) {
                throw SqlStates.of(e);
            }
        }
        String[] names = {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE",
            "BUFFER_LENGTH", "DECIMAL_DIGITS", "NUM_PREC_RADIX", "NULLABLE", "REMARKS", "COLUMN_DEF", "SQL_DATA_TYPE",
            "SQL_DATETIME_SUB", "CHAR_OCTET_LENGTH", "ORDINAL_POSITION", "IS_NULLABLE", "SCOPE_CATALOG", "SCOPE_SCHEMA",
            "SCOPE_TABLE", "SOURCE_DATA_TYPE", "IS_AUTOINCREMENT", "IS_GENERATEDCOLUMN"};
        String[] types = new String[names.length];
        for (int i : new int[] {4, 6, 7, 8, 9, 10, 13, 14, 15, 16, 21}) types[i] = "INTEGER";
        return result(names, types, rows);
    }

    @Override
    public ResultSet getTableTypes() throws SQLException {
        conn.checkOpen();
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {"MATERIALIZED VIEW"});
        rows.add(new Object[] {"TABLE"});
        return result(new String[] {"TABLE_TYPE"}, new String[] {"TEXT"}, rows);
    }

    /** No schemas: an empty result. */
    @Override
    public ResultSet getSchemas() throws SQLException {
        conn.checkOpen();
        return result(new String[] {"TABLE_SCHEM", "TABLE_CATALOG"}, new String[2], List.of());
    }

    @Override
    public ResultSet getSchemas(String catalog, String schemaPattern) throws SQLException {
        return getSchemas();
    }

    /** No catalogs: an empty result. */
    @Override
    public ResultSet getCatalogs() throws SQLException {
        conn.checkOpen();
        return result(new String[] {"TABLE_CAT"}, new String[1], List.of());
    }

    @Override public String getDatabaseProductName() { return "HeliosDB-Lite"; }
    @Override public String getDatabaseProductVersion() { return Database.version(); }
    @Override public int getDatabaseMajorVersion() { return versionPart(0); }
    @Override public int getDatabaseMinorVersion() { return versionPart(1); }
    @Override public String getDriverName() { return "HeliosDB-Lite JDBC"; }
    @Override public String getDriverVersion() { return HeliosDriver.MAJOR + "." + HeliosDriver.MINOR + ".0"; }
    @Override public int getDriverMajorVersion() { return HeliosDriver.MAJOR; }
    @Override public int getDriverMinorVersion() { return HeliosDriver.MINOR; }
    @Override public int getJDBCMajorVersion() { return 4; }
    @Override public int getJDBCMinorVersion() { return 2; }
    @Override public String getURL() { return conn.url(); }
    @Override public String getUserName() { return null; }
    @Override public Connection getConnection() { return conn; }
    @Override public boolean isReadOnly() throws SQLException { return conn.isReadOnly(); }
    @Override public String getIdentifierQuoteString() { return "\""; }
    @Override public String getSQLKeywords() { return "MATERIALIZED,REFRESH,INCREMENTALLY,VERSIONS,SCN"; }
    @Override public String getSearchStringEscape() { return "\\"; }
    @Override public String getExtraNameCharacters() { return ""; }
    @Override public String getCatalogSeparator() { return "."; }
    @Override public String getCatalogTerm() { return "catalog"; }
    @Override public String getSchemaTerm() { return "schema"; }
    @Override public String getProcedureTerm() { return "procedure"; }
    @Override public String getNumericFunctions() { return "abs,round,max,min"; }
    @Override public String getStringFunctions() { return "length,lower,upper,substr,trim,replace"; }
    @Override public String getTimeDateFunctions() { return "datetime,strftime"; }
    @Override public String getSystemFunctions() { return "heliosdb_current_scn,heliosdb_last_txid"; }
    @Override public boolean usesLocalFiles() { return true; }
    @Override public boolean nullsAreSortedLow() { return true; }
    @Override public boolean allTablesAreSelectable() { return true; }
    @Override public boolean supportsTransactions() { return true; }
    @Override public int getDefaultTransactionIsolation() { return Connection.TRANSACTION_SERIALIZABLE; }
    @Override public boolean supportsTransactionIsolationLevel(int level) { return level == Connection.TRANSACTION_SERIALIZABLE; }
    @Override public boolean supportsDataDefinitionAndDataManipulationTransactions() { return true; }
    @Override public boolean supportsResultSetType(int type) { return type == ResultSet.TYPE_FORWARD_ONLY; }
    @Override public boolean supportsResultSetConcurrency(int type, int concurrency) {
        return type == ResultSet.TYPE_FORWARD_ONLY && concurrency == ResultSet.CONCUR_READ_ONLY;
    }
    @Override public boolean supportsResultSetHoldability(int h) { return h == ResultSet.HOLD_CURSORS_OVER_COMMIT; }
    @Override public int getResultSetHoldability() { return ResultSet.HOLD_CURSORS_OVER_COMMIT; }
    @Override public boolean supportsBatchUpdates() { return true; }
    @Override public boolean supportsGetGeneratedKeys() { return true; }
    @Override public boolean supportsSavepoints() { return false; }
    @Override public boolean supportsNamedParameters() { return false; }
    @Override public boolean supportsMultipleResultSets() { return false; }
    @Override public boolean supportsAlterTableWithAddColumn() { return true; }
    @Override public boolean supportsColumnAliasing() { return true; }
    @Override public boolean supportsGroupBy() { return true; }
    @Override public boolean supportsGroupByUnrelated() { return true; }
    @Override public boolean supportsLikeEscapeClause() { return false; }
    @Override public boolean supportsOuterJoins() { return true; }
    @Override public boolean supportsLimitedOuterJoins() { return true; }
    @Override public boolean supportsUnion() { return true; }
    @Override public boolean supportsUnionAll() { return true; }
    @Override public boolean supportsSubqueriesInComparisons() { return true; }
    @Override public boolean supportsSubqueriesInExists() { return true; }
    @Override public boolean supportsSubqueriesInIns() { return true; }
    @Override public boolean supportsCorrelatedSubqueries() { return true; }
    @Override public boolean supportsOrderByUnrelated() { return true; }
    @Override public boolean supportsExpressionsInOrderBy() { return true; }
    @Override public boolean supportsMixedCaseQuotedIdentifiers() { return true; }
    @Override public boolean supportsMinimumSQLGrammar() { return true; }
    @Override public boolean supportsANSI92EntryLevelSQL() { return true; }
    @Override public boolean supportsNonNullableColumns() { return true; }
    @Override public boolean supportsIntegrityEnhancementFacility() { return true; }
    @Override public boolean supportsTableCorrelationNames() { return true; }
    @Override public boolean supportsStatementPooling() { return false; }
    @Override public boolean autoCommitFailureClosesAllResultSets() { return false; }
    @Override public boolean supportsStoredFunctionsUsingCallSyntax() { return false; }
    @Override public boolean generatedKeyAlwaysReturned() { return false; }
    @Override public RowIdLifetime getRowIdLifetime() { return RowIdLifetime.ROWID_VALID_FOREVER; }
    @Override public int getMaxConnections() { return 0; }
    @Override public int getSQLStateType() { return DatabaseMetaData.sqlStateSQL; }
    @Override public boolean locatorsUpdateCopy() { return false; }

    private static int versionPart(int i) {
        String[] parts = Database.version().split("\\.");
        try {
            return i < parts.length ? Integer.parseInt(parts[i].replaceAll("\\D.*", "")) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
