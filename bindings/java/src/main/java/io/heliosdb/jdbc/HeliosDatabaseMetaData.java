// HeliosDatabaseMetaData.java — DatabaseMetaData: product and driver versions,
// capabilities, and the catalog (tables, views, materialized views, columns, primary
// keys, indexes, foreign keys) read through the engine's catalog SQL:
// information_schema.tables/columns/key_column_usage, sqlite_schema and the
// pragma_table_info/index_list/index_info/foreign_key_list table functions.
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Database metadata, answered by the engine's catalog SQL.
 *
 * <p>There is one schema and no catalogs: {@code TABLE_CAT} and {@code TABLE_SCHEM} are
 * always null and the catalog and schema arguments are ignored. Table and column name
 * patterns are JDBC search patterns ({@code %}, {@code _}, {@code \} escapes) and, like
 * the engine's names, match without regard to ASCII case; methods taking an exact table
 * name match it without regard to case too and report the name as it was created.
 *
 * <ul>
 * <li>{@link #getTables}: types {@code TABLE}, {@code VIEW} and {@code MATERIALIZED VIEW}
 * (from {@code information_schema.tables}).
 * <li>{@link #getColumns}: from {@code information_schema.columns}. {@code TYPE_NAME} is
 * the type as written in the table's CREATE statement ({@code VARCHAR(20)}) when it can be
 * read there, else the engine's declared type ({@code TEXT}; {@code ""} for view
 * expressions, {@code ANY} for materialized-view columns); {@code COLUMN_SIZE} and
 * {@code DECIMAL_DIGITS} come from its {@code (p[,s])}. {@code IS_AUTOINCREMENT} is
 * {@code YES} for a column written with {@code AUTOINCREMENT} and for the single-column
 * {@code INTEGER PRIMARY KEY} of a table (which the engine numbers itself).
 * {@code IS_GENERATEDCOLUMN} is {@code YES} for a column written {@code GENERATED …} or
 * {@code AS (…)}.
 * <li>{@link #getPrimaryKeys}, {@link #getIndexInfo} (indexes from CREATE INDEX and
 * UNIQUE constraints; the primary key is not listed as an index; {@code ASC_OR_DESC},
 * {@code CARDINALITY}, {@code PAGES} and {@code FILTER_CONDITION} are null),
 * {@link #getImportedKeys}, {@link #getExportedKeys} and {@link #getCrossReference}.
 * Constraint names ({@code PK_NAME}, {@code FK_NAME}) are those of
 * {@code information_schema.key_column_usage} (such as {@code orders_pkey}).
 * </ul>
 */
public final class HeliosDatabaseMetaData extends AbstractDatabaseMetaData {
    private final HeliosConnection conn;

    HeliosDatabaseMetaData(HeliosConnection conn) {
        this.conn = conn;
    }

    private static HeliosResultSet result(String[] names, String[] types, List<Object[]> rows) {
        return new HeliosResultSet(null, new ListCursor(names, types, rows), 0);
    }

    /** Declared types for a metadata result: INTEGER at the given positions, none elsewhere. */
    private static String[] integers(int count, int... positions) {
        String[] types = new String[count];
        for (int i : positions) types[i] = "INTEGER";
        return types;
    }

    /** Runs catalog SQL with positional parameters; each row as an array of Long/String/null values. */
    private List<Object[]> query(String sql, Object... args) throws SQLException {
        conn.checkOpen();
        List<Object[]> out = new ArrayList<>();
        try (io.heliosdb.Statement st = conn.db.prepare(sql)) {
            st.bindAll(args);
            try (Rows r = st.query()) {
                int n = r.columnCount();
                while (r.next()) {
                    Object[] row = new Object[n];
                    for (int i = 0; i < n; i++) row[i] = r.getObject(i);
                    out.add(row);
                }
            }
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
        return out;
    }

    private static String str(Object v) {
        return v == null ? null : v.toString();
    }

    private static long num(Object v) {
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** A JDBC search pattern for {@code LIKE ? ESCAPE '\'}; null (no restriction) becomes {@code %}. */
    private static String pattern(String p) {
        return p == null ? "%" : p;
    }

    /** JDBC name for an information_schema.tables table_type. */
    private static String tableType(String t) {
        return "BASE TABLE".equals(t) ? "TABLE" : t;
    }

    /** Tables, views and materialized views as {name, JDBC type}, ordered by type then name. */
    private List<String[]> tables(String namePattern, String[] types) throws SQLException {
        List<String[]> out = new ArrayList<>();
        for (Object[] row : query("SELECT table_name, table_type FROM information_schema.tables "
                + "WHERE table_name LIKE ? ESCAPE '\\'", pattern(namePattern))) {
            String type = tableType(str(row[1]));
            if (types != null && !List.of(types).contains(type)) continue;
            out.add(new String[] {str(row[0]), type});
        }
        out.sort(Comparator.<String[], String>comparing(t -> t[1]).thenComparing(t -> t[0]));
        return out;
    }

    /** The tables (any type) whose name is {@code name} regardless of ASCII case; all tables for null. */
    private List<String[]> named(String name) throws SQLException {
        List<String[]> out = new ArrayList<>();
        for (Object[] row : query("SELECT table_name, table_type FROM information_schema.tables "
                + "WHERE ? IS NULL OR lower(table_name) = lower(?) ORDER BY table_name", name, name)) {
            out.add(new String[] {str(row[0]), tableType(str(row[1]))});
        }
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

    private static final Pattern PRECISION = Pattern.compile("\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");

    @Override
    public ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        List<Object[]> cols = query("SELECT c.table_name, c.column_name, c.ordinal_position, c.column_default, c.is_nullable, "
                + "c.data_type, t.table_type FROM information_schema.columns c, information_schema.tables t "
                + "WHERE t.table_name = c.table_name AND c.table_name LIKE ? ESCAPE '\\' AND c.column_name LIKE ? ESCAPE '\\' "
                + "ORDER BY c.table_name, c.ordinal_position", pattern(tableNamePattern), pattern(columnNamePattern));
        Map<String, Map<String, ColumnDef>> defs = new HashMap<>();
        Map<String, String> rowidAlias = new HashMap<>();
        List<Object[]> rows = new ArrayList<>();
        for (Object[] c : cols) {
            String table = str(c[0]), name = str(c[1]), decl = str(c[5]);
            boolean base = "BASE TABLE".equals(str(c[6]));
            ColumnDef def = null;
            if (base) {
                if (!defs.containsKey(table)) {
                    defs.put(table, columnDefs(table));
                    rowidAlias.put(table, rowidAlias(table, defs.get(table)));
                }
                def = defs.get(table).get(name.toLowerCase(Locale.ROOT));
            }
            String typeName = def != null && !def.type.isEmpty() ? def.type : decl == null ? "" : decl;
            Long size = null, scale = null;
            Matcher m = PRECISION.matcher(typeName);
            if (m.find()) {
                size = Long.valueOf(m.group(1));
                scale = m.group(2) == null ? (HeliosResultSetMetaData.typeOf(typeName) == java.sql.Types.DECIMAL ? 0L : null)
                        : Long.valueOf(m.group(2));
            }
            boolean nullable = !"NO".equals(str(c[4]));
            boolean auto = def != null && def.autoincrement || name.equalsIgnoreCase(rowidAlias.get(table));
            boolean generated = def != null && def.generated;
            rows.add(new Object[] {null, null, table, name, (long) HeliosResultSetMetaData.typeOf(typeName), typeName, size,
                null, scale, 10L, (long) (nullable ? DatabaseMetaData.columnNullable : DatabaseMetaData.columnNoNulls), null,
                str(c[3]), null, null, null, num(c[2]), nullable ? "YES" : "NO", null, null, null, null,
                auto ? "YES" : "NO", generated ? "YES" : "NO"});
        }
        String[] names = {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE",
            "BUFFER_LENGTH", "DECIMAL_DIGITS", "NUM_PREC_RADIX", "NULLABLE", "REMARKS", "COLUMN_DEF", "SQL_DATA_TYPE",
            "SQL_DATETIME_SUB", "CHAR_OCTET_LENGTH", "ORDINAL_POSITION", "IS_NULLABLE", "SCOPE_CATALOG", "SCOPE_SCHEMA",
            "SCOPE_TABLE", "SOURCE_DATA_TYPE", "IS_AUTOINCREMENT", "IS_GENERATEDCOLUMN"};
        return result(names, integers(names.length, 4, 6, 7, 8, 9, 10, 13, 14, 15, 16, 21), rows);
    }

    /** A column as written in its table's CREATE statement. */
    static final class ColumnDef {
        final String type;
        final boolean autoincrement, generated;

        ColumnDef(String type, boolean autoincrement, boolean generated) {
            this.type = type;
            this.autoincrement = autoincrement;
            this.generated = generated;
        }
    }

    /** The columns of a table's CREATE statement (from sqlite_schema), by lower-case name. */
    private Map<String, ColumnDef> columnDefs(String table) throws SQLException {
        for (Object[] row : query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", table)) {
            if (row[0] != null) return parseColumns(row[0].toString());
        }
        return Map.of();
    }

    /**
     * The name of the table's INTEGER PRIMARY KEY column (a primary key of that one column,
     * written with type INTEGER, which the engine numbers itself as SQLite does), or null.
     */
    private String rowidAlias(String table, Map<String, ColumnDef> defs) throws SQLException {
        List<String> pk = primaryKey(table);
        if (pk.size() != 1) return null;
        ColumnDef def = defs.get(pk.get(0).toLowerCase(Locale.ROOT));
        return def != null && def.type.equalsIgnoreCase("INTEGER") ? pk.get(0) : null;
    }

    /** Words that end a column's type name in a column definition. */
    private static final List<String> CONSTRAINT_WORDS = List.of("CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK",
        "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS", "AUTOINCREMENT");
    /** Words that start a table constraint rather than a column definition. */
    private static final List<String> TABLE_CONSTRAINTS = List.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN");

    /**
     * The column definitions of a {@code CREATE TABLE name (…)} statement: each column's type
     * as written (tokens up to its first constraint word, joined by single spaces) and whether
     * it says AUTOINCREMENT or GENERATED/AS. Other statements give an empty map.
     */
    static Map<String, ColumnDef> parseColumns(String sql) {
        List<String> tokens = tokenize(sql);
        Map<String, ColumnDef> out = new HashMap<>();
        int open = tokens.indexOf("(");
        if (open < 0 || tokens.isEmpty() || !tokens.get(0).equalsIgnoreCase("CREATE")) return out;
        if (tokens.subList(0, open).stream().anyMatch(t -> t.equalsIgnoreCase("AS"))) return out; // CREATE TABLE … AS SELECT
        List<List<String>> items = new ArrayList<>();
        List<String> item = new ArrayList<>();
        int depth = 0;
        for (int i = open + 1; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("(")) depth++;
            if (t.equals(")") && depth-- == 0) break;
            if (t.equals(",") && depth == 0) {
                items.add(item);
                item = new ArrayList<>();
            } else {
                item.add(t);
            }
        }
        items.add(item);
        for (List<String> def : items) {
            if (def.isEmpty() || TABLE_CONSTRAINTS.contains(def.get(0).toUpperCase(Locale.ROOT))) continue;
            StringBuilder type = new StringBuilder();
            int i = 1;
            for (; i < def.size() && !CONSTRAINT_WORDS.contains(def.get(i).toUpperCase(Locale.ROOT)); i++) {
                String t = def.get(i);
                boolean glue = t.equals("(") || t.equals(")") || t.equals(",") || type.length() == 0
                        || type.charAt(type.length() - 1) == '(' || type.charAt(type.length() - 1) == ',';
                if (!glue) type.append(' ');
                type.append(t);
            }
            boolean auto = false, generated = false;
            for (; i < def.size(); i++) {
                String w = def.get(i).toUpperCase(Locale.ROOT);
                auto |= w.equals("AUTOINCREMENT");
                generated |= w.equals("GENERATED") || w.equals("AS");
            }
            out.put(unquote(def.get(0)).toLowerCase(Locale.ROOT), new ColumnDef(type.toString(), auto, generated));
        }
        return out;
    }

    /** SQL tokens: quoted names and strings whole, punctuation ( ) , alone, other runs split at spaces. */
    private static List<String> tokenize(String sql) {
        List<String> out = new ArrayList<>();
        int i = 0, n = sql.length();
        while (i < n) {
            char ch = sql.charAt(i);
            if (Character.isWhitespace(ch)) {
                i++;
            } else if (ch == '(' || ch == ')' || ch == ',') {
                out.add(String.valueOf(ch));
                i++;
            } else if (ch == '"' || ch == '\'' || ch == '`' || ch == '[') {
                char close = ch == '[' ? ']' : ch;
                int j = i + 1;
                while (j < n) {
                    if (sql.charAt(j) == close) {
                        if (close == ']' || j + 1 >= n || sql.charAt(j + 1) != close) break;
                        j++; // a doubled quote inside the name or string
                    }
                    j++;
                }
                out.add(sql.substring(i, Math.min(j + 1, n)));
                i = j + 1;
            } else {
                int j = i;
                while (j < n && !Character.isWhitespace(sql.charAt(j)) && "(),\"'`[".indexOf(sql.charAt(j)) < 0) j++;
                out.add(sql.substring(i, j));
                i = j;
            }
        }
        return out;
    }

    private static String unquote(String name) {
        if (name.length() >= 2) {
            char q = name.charAt(0);
            if (q == '"' || q == '`') return name.substring(1, name.length() - 1).replace(q + "" + q, q + "");
            if (q == '[') return name.substring(1, name.length() - 1);
        }
        return name;
    }

    @Override
    public ResultSet getTableTypes() throws SQLException {
        conn.checkOpen();
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {"MATERIALIZED VIEW"});
        rows.add(new Object[] {"TABLE"});
        rows.add(new Object[] {"VIEW"});
        return result(new String[] {"TABLE_TYPE"}, new String[] {"TEXT"}, rows);
    }

    /** Constraint names of a table from key_column_usage, each with its columns in key order. */
    private Map<String, List<String>> constraints(String table) throws SQLException {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (Object[] row : query("SELECT constraint_name, column_name FROM information_schema.key_column_usage "
                + "WHERE table_name = ? ORDER BY constraint_name, ordinal_position", table)) {
            out.computeIfAbsent(str(row[0]), k -> new ArrayList<>()).add(str(row[1]));
        }
        return out;
    }

    /**
     * The name of the constraint of {@code table} on exactly {@code columns} (in order), or null.
     * key_column_usage has no constraint type, so when several match (a primary key that is
     * also a foreign key) the one whose name ends with {@code suffix} wins.
     */
    private static String constraintName(Map<String, List<String>> constraints, List<String> columns, String suffix) {
        String found = null;
        for (Map.Entry<String, List<String>> e : constraints.entrySet()) {
            if (!equalsIgnoreCase(e.getValue(), columns)) continue;
            if (e.getKey().endsWith(suffix)) return e.getKey();
            if (found == null) found = e.getKey();
        }
        return found;
    }

    private static boolean equalsIgnoreCase(List<String> a, List<String> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) == null || !a.get(i).equalsIgnoreCase(b.get(i))) return false;
        }
        return true;
    }

    /** Primary-key column names of a table in key order (pragma_table_info's pk position). */
    private List<String> primaryKey(String table) throws SQLException {
        List<String> out = new ArrayList<>();
        for (Object[] row : query("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", table)) out.add(str(row[0]));
        return out;
    }

    /** Rows ordered by COLUMN_NAME, as the javadoc says. */
    @Override
    public ResultSet getPrimaryKeys(String catalog, String schema, String table) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String[] t : named(table)) {
            List<String> pk = primaryKey(t[0]);
            if (pk.isEmpty()) continue;
            String pkName = constraintName(constraints(t[0]), pk, "_pkey");
            for (int i = 0; i < pk.size(); i++) rows.add(new Object[] {null, null, t[0], pk.get(i), (long) (i + 1), pkName});
        }
        rows.sort(Comparator.comparing((Object[] r) -> (String) r[2]).thenComparing(r -> (String) r[3]));
        return result(new String[] {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"},
                integers(6, 4), rows);
    }

    /**
     * Indexes from CREATE INDEX and UNIQUE constraints (pragma_index_list), one row per
     * column, ordered by NON_UNIQUE, TYPE, INDEX_NAME, ORDINAL_POSITION. TYPE is always
     * tableIndexOther; there is no tableIndexStatistic row.
     */
    @Override
    public ResultSet getIndexInfo(String catalog, String schema, String table, boolean unique, boolean approximate)
            throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String[] t : named(table)) {
            for (Object[] ix : query("SELECT i.name, i.\"unique\", x.seqno, x.name FROM pragma_index_list(?) i, "
                    + "pragma_index_info(i.name) x ORDER BY i.name, x.seqno", t[0])) {
                boolean nonUnique = num(ix[1]) == 0;
                if (unique && nonUnique) continue;
                rows.add(new Object[] {null, null, t[0], nonUnique, null, str(ix[0]), (long) DatabaseMetaData.tableIndexOther,
                    num(ix[2]) + 1, str(ix[3]), null, null, null, null});
            }
        }
        rows.sort(Comparator.comparing((Object[] r) -> (Boolean) r[3]).thenComparing(r -> (String) r[5])
                .thenComparing(r -> (Long) r[7]));
        return result(new String[] {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "NON_UNIQUE", "INDEX_QUALIFIER", "INDEX_NAME",
            "TYPE", "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC", "CARDINALITY", "PAGES", "FILTER_CONDITION"},
                integers(13, 6, 7, 10, 11), rows);
    }

    private static final String[] KEY_COLUMNS = {"PKTABLE_CAT", "PKTABLE_SCHEM", "PKTABLE_NAME", "PKCOLUMN_NAME",
        "FKTABLE_CAT", "FKTABLE_SCHEM", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "UPDATE_RULE", "DELETE_RULE", "FK_NAME",
        "PK_NAME", "DEFERRABILITY"};

    /** DatabaseMetaData.importedKey* for a pragma_foreign_key_list action. */
    private static long rule(String action) throws SQLException {
        switch (action == null ? "NO ACTION" : action.toUpperCase(Locale.ROOT)) {
            case "NO ACTION": return DatabaseMetaData.importedKeyNoAction;
            case "RESTRICT": return DatabaseMetaData.importedKeyRestrict;
            case "CASCADE": return DatabaseMetaData.importedKeyCascade;
            case "SET NULL": return DatabaseMetaData.importedKeySetNull;
            case "SET DEFAULT": return DatabaseMetaData.importedKeySetDefault;
            default: throw new SQLException("unknown foreign key action reported by the engine: " + action, "HY000");
        }
    }

    /**
     * Foreign keys of the tables named {@code child} (all tables for null) whose parent is
     * named {@code parent} (any parent for null), one row per column.
     */
    private List<Object[]> foreignKeys(String child, String parent) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        Map<String, Map<String, List<String>>> constraints = new HashMap<>();
        Map<String, List<String>> primaryKeys = new HashMap<>();
        for (String[] t : named(child)) {
            if (!t[1].equals("TABLE")) continue;
            List<Object[]> fks = query("SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete "
                    + "FROM pragma_foreign_key_list(?) WHERE ? IS NULL OR lower(\"table\") = lower(?) ORDER BY id, seq",
                    t[0], parent, parent);
            // One foreign key per id; its columns in seq order.
            Map<Long, List<Object[]>> byId = new java.util.LinkedHashMap<>();
            for (Object[] fk : fks) byId.computeIfAbsent(num(fk[0]), k -> new ArrayList<>()).add(fk);
            for (List<Object[]> fk : byId.values()) {
                String parentTable = str(fk.get(0)[2]);
                for (String[] p : named(parentTable)) parentTable = p[0]; // as created
                List<String> from = new ArrayList<>(), to = new ArrayList<>();
                for (Object[] col : fk) {
                    from.add(str(col[3]));
                    String target = str(col[4]);
                    if (target == null) { // REFERENCES parent: its primary key
                        List<String> pk = primaryKeys.get(parentTable);
                        if (pk == null) primaryKeys.put(parentTable, pk = primaryKey(parentTable));
                        int seq = (int) num(col[1]);
                        target = seq < pk.size() ? pk.get(seq) : null;
                    }
                    to.add(target);
                }
                for (String name : new String[] {t[0], parentTable}) {
                    if (!constraints.containsKey(name)) constraints.put(name, constraints(name));
                }
                String fkName = constraintName(constraints.get(t[0]), from, "_fkey");
                String pkName = constraintName(constraints.get(parentTable), to, "_pkey");
                long update = rule(str(fk.get(0)[5])), delete = rule(str(fk.get(0)[6]));
                for (int i = 0; i < fk.size(); i++) {
                    rows.add(new Object[] {null, null, parentTable, to.get(i), null, null, t[0], from.get(i), (long) (i + 1),
                        update, delete, fkName, pkName, (long) DatabaseMetaData.importedKeyNotDeferrable});
                }
            }
        }
        return rows;
    }

    private static ResultSet keys(List<Object[]> rows, int tableColumn) {
        // A stable sort: each key's rows are already in KEY_SEQ order.
        rows.sort(Comparator.comparing((Object[] r) -> (String) r[tableColumn]).thenComparing(r -> (String) r[11],
                Comparator.nullsFirst(Comparator.naturalOrder())));
        return result(KEY_COLUMNS, integers(KEY_COLUMNS.length, 8, 9, 10, 13), rows);
    }

    /** Foreign keys of {@code table}, ordered by PKTABLE_NAME, KEY_SEQ (then FK_NAME between keys to one parent). */
    @Override
    public ResultSet getImportedKeys(String catalog, String schema, String table) throws SQLException {
        return keys(foreignKeys(table, null), 2);
    }

    /** Foreign keys referencing {@code table}, ordered by FKTABLE_NAME, KEY_SEQ (then FK_NAME). */
    @Override
    public ResultSet getExportedKeys(String catalog, String schema, String table) throws SQLException {
        return keys(foreignKeys(null, table), 6);
    }

    /** Foreign keys of {@code foreignTable} referencing {@code parentTable}, ordered by FKTABLE_NAME, KEY_SEQ. */
    @Override
    public ResultSet getCrossReference(String parentCatalog, String parentSchema, String parentTable, String foreignCatalog,
            String foreignSchema, String foreignTable) throws SQLException {
        return keys(foreignKeys(foreignTable, parentTable), 6);
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
    @Override public boolean supportsSavepoints() { return true; }
    @Override public boolean supportsNamedParameters() { return false; }
    @Override public boolean supportsMultipleResultSets() { return false; }
    @Override public boolean supportsAlterTableWithAddColumn() { return true; }
    @Override public boolean supportsColumnAliasing() { return true; }
    @Override public boolean supportsGroupBy() { return true; }
    @Override public boolean supportsGroupByUnrelated() { return true; }
    @Override public boolean supportsLikeEscapeClause() { return true; }
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
