// DatabaseMetaDataTest.java — DatabaseMetaData over the engine's catalog: tables, views and
// materialized views, columns (nullability, defaults, sizes, autoincrement), primary keys,
// indexes and foreign keys, with the JDBC javadoc's column lists and orderings.
package io.heliosdb.jdbc;

import static org.junit.jupiter.api.Assertions.*;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DatabaseMetaDataTest {
    private Connection c;
    private DatabaseMetaData md;

    @BeforeEach
    void schema() throws SQLException {
        c = DriverManager.getConnection("jdbc:heliosdb::memory:");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(100) NOT NULL UNIQUE, "
                    + "name TEXT DEFAULT 'anon')");
            // The key's order (region, id) differs from the column-name order (id, region).
            s.execute("CREATE TABLE orders (region TEXT NOT NULL, id INTEGER NOT NULL, "
                    + "customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE, amount DECIMAL(10,2) DEFAULT 0, "
                    + "PRIMARY KEY (region, id))");
            s.execute("CREATE TABLE shipments (id INTEGER PRIMARY KEY, order_region TEXT, order_id INTEGER, "
                    + "FOREIGN KEY (order_region, order_id) REFERENCES orders(region, id) ON DELETE SET NULL)");
            s.execute("CREATE TABLE audit (order_region TEXT, order_id INTEGER, note TEXT, "
                    + "FOREIGN KEY (order_region, order_id) REFERENCES orders(region, id))");
            s.execute("CREATE INDEX orders_by_customer ON orders (customer_id, amount)");
            s.execute("CREATE VIEW big_orders AS SELECT region, amount * 2 AS doubled FROM orders WHERE amount > 100");
            s.execute("CREATE MATERIALIZED VIEW m AS SELECT region, count(*) AS n FROM orders GROUP BY region");
        }
        md = c.getMetaData();
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    /** The result's column labels, in order. */
    private static List<String> labels(ResultSet rs) throws SQLException {
        ResultSetMetaData m = rs.getMetaData();
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= m.getColumnCount(); i++) out.add(m.getColumnLabel(i));
        return out;
    }

    /** Each row as the named columns joined by spaces (SQL NULL as "null"). */
    private static List<String> rows(ResultSet rs, String... columns) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (String col : columns) row.append(row.length() == 0 ? "" : " ").append(rs.getString(col));
                out.add(row.toString());
            }
        }
        return out;
    }

    @Test
    void tablesViewsAndMaterializedViewsInJavadocOrder() throws SQLException {
        try (ResultSet rs = md.getTables(null, null, null, null)) {
            assertEquals(List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS", "TYPE_CAT", "TYPE_SCHEM",
                    "TYPE_NAME", "SELF_REFERENCING_COL_NAME", "REF_GENERATION"), labels(rs));
            // Ordered by TABLE_TYPE, then TABLE_NAME.
            assertEquals(List.of("MATERIALIZED VIEW m", "TABLE audit", "TABLE customers", "TABLE orders", "TABLE shipments",
                    "VIEW big_orders"), rows(rs, "TABLE_TYPE", "TABLE_NAME"));
        }
        try (ResultSet rs = md.getTables(null, null, "%", null)) {
            assertTrue(rs.next());
            assertNull(rs.getString("TABLE_CAT"));
            assertNull(rs.getString("TABLE_SCHEM"));
        }
        assertEquals(List.of("big_orders"), rows(md.getTables(null, null, "%", new String[] {"VIEW"}), "TABLE_NAME"));
        assertEquals(List.of("m", "big_orders"),
                rows(md.getTables(null, null, null, new String[] {"VIEW", "MATERIALIZED VIEW"}), "TABLE_NAME"));
        assertEquals(List.of("audit", "customers", "orders", "shipments"),
                rows(md.getTables(null, null, "%", new String[] {"TABLE"}), "TABLE_NAME"));
        // Patterns: % and _, case-insensitive like the engine's names, \ escapes a wildcard.
        assertEquals(List.of("orders"), rows(md.getTables(null, null, "ORD%", null), "TABLE_NAME"));
        assertEquals(List.of("orders", "big_orders"), rows(md.getTables(null, null, "%orders", null), "TABLE_NAME"));
        assertEquals(List.of("m"), rows(md.getTables(null, null, "_", null), "TABLE_NAME"));
        assertEquals(List.of(), rows(md.getTables(null, null, "missing", null), "TABLE_NAME"));
        assertEquals(List.of(), rows(md.getTables(null, null, "orders", new String[] {"VIEW"}), "TABLE_NAME"));
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE a_b (x INTEGER)");
            s.execute("CREATE TABLE axb (x INTEGER)");
        }
        assertEquals(List.of("a_b", "axb"), rows(md.getTables(null, null, "a_b", null), "TABLE_NAME"));
        assertEquals(List.of("a_b"), rows(md.getTables(null, null, "a" + md.getSearchStringEscape() + "_b", null), "TABLE_NAME"));
        assertTrue(md.supportsLikeEscapeClause());
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'a_b' LIKE 'a\\_b' ESCAPE '\\', "
                + "'axb' LIKE 'a\\_b' ESCAPE '\\'")) {
            assertTrue(rs.next());
            assertTrue(rs.getBoolean(1));
            assertFalse(rs.getBoolean(2));
        }
        assertEquals(List.of("MATERIALIZED VIEW", "TABLE", "VIEW"), rows(md.getTableTypes(), "TABLE_TYPE"));
    }

    @Test
    void columnsWithNullabilityDefaultsSizesAndAutoincrement() throws SQLException {
        try (ResultSet rs = md.getColumns(null, null, "orders", null)) {
            assertEquals(List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME",
                    "COLUMN_SIZE", "BUFFER_LENGTH", "DECIMAL_DIGITS", "NUM_PREC_RADIX", "NULLABLE", "REMARKS", "COLUMN_DEF",
                    "SQL_DATA_TYPE", "SQL_DATETIME_SUB", "CHAR_OCTET_LENGTH", "ORDINAL_POSITION", "IS_NULLABLE", "SCOPE_CATALOG",
                    "SCOPE_SCHEMA", "SCOPE_TABLE", "SOURCE_DATA_TYPE", "IS_AUTOINCREMENT", "IS_GENERATEDCOLUMN"), labels(rs));
            assertEquals(List.of(
                    "region TEXT " + Types.VARCHAR + " null null " + DatabaseMetaData.columnNoNulls + " NO null 1 NO",
                    "id INTEGER " + Types.BIGINT + " null null " + DatabaseMetaData.columnNoNulls + " NO null 2 NO",
                    "customer_id INTEGER " + Types.BIGINT + " null null " + DatabaseMetaData.columnNullable + " YES null 3 NO",
                    "amount DECIMAL(10,2) " + Types.DECIMAL + " 10 2 " + DatabaseMetaData.columnNullable + " YES 0 4 NO"),
                    rows(rs, "COLUMN_NAME", "TYPE_NAME", "DATA_TYPE", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "IS_NULLABLE",
                            "COLUMN_DEF", "ORDINAL_POSITION", "IS_AUTOINCREMENT"));
        }
        // AUTOINCREMENT, and VARCHAR(n) as written (the engine's own type for it is TEXT).
        assertEquals(List.of("id INTEGER null NO YES", "email VARCHAR(100) 100 NO NO", "name TEXT null YES NO"),
                rows(md.getColumns(null, null, "customers", "%"), "COLUMN_NAME", "TYPE_NAME", "COLUMN_SIZE", "IS_NULLABLE",
                        "IS_AUTOINCREMENT"));
        try (ResultSet rs = md.getColumns(null, null, "customers", "name")) {
            assertTrue(rs.next());
            assertEquals("'anon'", rs.getString("COLUMN_DEF")); // a string default keeps its quotes
            assertEquals(3, rs.getInt("ORDINAL_POSITION"));
            assertFalse(rs.next());
        }
        // An INTEGER PRIMARY KEY without the word is numbered by the engine too.
        assertEquals(List.of("id YES", "order_region NO", "order_id NO"),
                rows(md.getColumns(null, null, "shipments", null), "COLUMN_NAME", "IS_AUTOINCREMENT"));
        // Views: an expression has no declared type.
        assertEquals(List.of("big_orders region " + Types.VARCHAR, "big_orders doubled " + Types.OTHER),
                rows(md.getColumns(null, null, "big%", null), "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE"));
        assertEquals(List.of("m region 1", "m n 2"), rows(md.getColumns(null, null, "m", null), "TABLE_NAME", "COLUMN_NAME",
                "ORDINAL_POSITION"));
        // Ordered by TABLE_NAME, then ORDINAL_POSITION; the column pattern applies to every table.
        assertEquals(List.of("audit order_region", "audit order_id", "shipments order_region", "shipments order_id"),
                rows(md.getColumns(null, null, "%", "ORDER\\_%"), "TABLE_NAME", "COLUMN_NAME"));
        assertEquals(List.of(), rows(md.getColumns(null, null, "missing", null), "COLUMN_NAME"));
    }

    @Test
    void quotedNamesAndWrittenTypes() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE \"odd table\" (\"a\"\"b\" VARCHAR(20) NOT NULL, \"c, d\" NUMERIC(8, 3), e INTEGER)");
        }
        assertEquals(List.of("a\"b VARCHAR(20) 20 null NO", "c, d NUMERIC(8,3) 8 3 YES", "e INTEGER null null YES"),
                rows(md.getColumns(null, null, "odd table", null), "COLUMN_NAME", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS",
                        "IS_NULLABLE"));
        Map<String, HeliosDatabaseMetaData.ColumnDef> defs = HeliosDatabaseMetaData.parseColumns(
                "CREATE TABLE t ([x y] DOUBLE PRECISION, `q` INTEGER CONSTRAINT k PRIMARY KEY AUTOINCREMENT, "
                        + "g INTEGER GENERATED ALWAYS AS (q * 2), CHECK (q > 0), UNIQUE (q))");
        assertEquals(List.of("g", "q", "x y"), defs.keySet().stream().sorted().toList());
        assertEquals("DOUBLE PRECISION", defs.get("x y").type);
        assertTrue(defs.get("q").autoincrement);
        assertFalse(defs.get("x y").autoincrement);
        assertTrue(defs.get("g").generated);
        assertFalse(defs.get("q").generated);
    }

    @Test
    void primaryKeysByColumnName() throws SQLException {
        try (ResultSet rs = md.getPrimaryKeys(null, null, "orders")) {
            assertEquals(List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"), labels(rs));
            // Ordered by COLUMN_NAME; KEY_SEQ is the position in the key.
            assertEquals(List.of("orders id 2 orders_pkey", "orders region 1 orders_pkey"),
                    rows(rs, "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"));
        }
        try (ResultSet rs = md.getPrimaryKeys(null, null, "CUSTOMERS")) { // the name as created
            assertTrue(rs.next());
            assertEquals("customers", rs.getString("TABLE_NAME"));
            assertEquals("id", rs.getString("COLUMN_NAME"));
            assertEquals(1, rs.getShort("KEY_SEQ"));
            assertFalse(rs.next());
        }
        assertEquals(List.of(), rows(md.getPrimaryKeys(null, null, "audit"), "COLUMN_NAME"));
        assertEquals(List.of(), rows(md.getPrimaryKeys(null, null, "big_orders"), "COLUMN_NAME"));
        assertEquals(List.of(), rows(md.getPrimaryKeys(null, null, "m"), "COLUMN_NAME"));
        assertEquals(List.of(), rows(md.getPrimaryKeys(null, null, "missing"), "COLUMN_NAME"));
    }

    @Test
    void indexInfoWithUniqueFilter() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE UNIQUE INDEX orders_by_amount ON orders (amount)");
        }
        String[] cols = {"TABLE_NAME", "INDEX_NAME", "TYPE", "ORDINAL_POSITION", "COLUMN_NAME"};
        try (ResultSet rs = md.getIndexInfo(null, null, "orders", false, false)) {
            assertEquals(List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "NON_UNIQUE", "INDEX_QUALIFIER", "INDEX_NAME", "TYPE",
                    "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC", "CARDINALITY", "PAGES", "FILTER_CONDITION"), labels(rs));
            // Unique indexes first (NON_UNIQUE false), then by INDEX_NAME and ORDINAL_POSITION.
            String other = " " + DatabaseMetaData.tableIndexOther + " ";
            List<String> found = new ArrayList<>();
            while (rs.next()) {
                found.add((rs.getBoolean("NON_UNIQUE") ? "non-unique " : "unique ") + rs.getString("TABLE_NAME") + " "
                        + rs.getString("INDEX_NAME") + " " + rs.getShort("TYPE") + " " + rs.getShort("ORDINAL_POSITION") + " "
                        + rs.getString("COLUMN_NAME"));
            }
            assertEquals(List.of("unique orders orders_by_amount" + other + "1 amount",
                    "non-unique orders orders_by_customer" + other + "1 customer_id",
                    "non-unique orders orders_by_customer" + other + "2 amount"), found);
        }
        try (ResultSet rs = md.getIndexInfo(null, null, "orders", true, false)) {
            assertTrue(rs.next());
            assertFalse(rs.getBoolean("NON_UNIQUE"));
            assertEquals("orders_by_amount", rs.getString("INDEX_NAME"));
            assertFalse(rs.next());
        }
        // A UNIQUE constraint is a unique index too.
        try (ResultSet rs = md.getIndexInfo(null, null, "customers", true, true)) {
            assertTrue(rs.next());
            assertFalse(rs.getBoolean("NON_UNIQUE"));
            assertEquals("email", rs.getString("COLUMN_NAME"));
            assertEquals(1, rs.getShort("ORDINAL_POSITION"));
            assertNotNull(rs.getString("INDEX_NAME"));
            assertFalse(rs.next());
        }
        assertEquals(List.of(), rows(md.getIndexInfo(null, null, "audit", false, false), cols));
    }

    private static final String[] KEY = {"PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ",
        "UPDATE_RULE", "DELETE_RULE", "FK_NAME", "PK_NAME", "DEFERRABILITY"};
    private static final List<String> KEY_LABELS = List.of("PKTABLE_CAT", "PKTABLE_SCHEM", "PKTABLE_NAME", "PKCOLUMN_NAME",
        "FKTABLE_CAT", "FKTABLE_SCHEM", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "UPDATE_RULE", "DELETE_RULE", "FK_NAME",
        "PK_NAME", "DEFERRABILITY");

    @Test
    void importedKeysWithRules() throws SQLException {
        int noAction = DatabaseMetaData.importedKeyNoAction, notDeferrable = DatabaseMetaData.importedKeyNotDeferrable;
        try (ResultSet rs = md.getImportedKeys(null, null, "orders")) {
            assertEquals(KEY_LABELS, labels(rs));
            assertEquals(List.of("customers id orders customer_id 1 " + noAction + " " + DatabaseMetaData.importedKeyCascade
                    + " orders_customer_id_fkey customers_pkey " + notDeferrable), rows(rs, KEY));
        }
        // A two-column key, in KEY_SEQ order.
        assertEquals(List.of("orders region shipments order_region 1 " + DatabaseMetaData.importedKeySetNull,
                "orders id shipments order_id 2 " + DatabaseMetaData.importedKeySetNull),
                rows(md.getImportedKeys(null, null, "shipments"), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME",
                        "FKCOLUMN_NAME", "KEY_SEQ", "DELETE_RULE"));
        try (ResultSet rs = md.getImportedKeys(null, null, "audit")) {
            assertTrue(rs.next());
            assertEquals(noAction, rs.getShort("DELETE_RULE"));
            assertEquals("orders_pkey", rs.getString("PK_NAME"));
            assertNull(rs.getString("PKTABLE_SCHEM"));
        }
        assertEquals(List.of(), rows(md.getImportedKeys(null, null, "customers"), KEY));
    }

    @Test
    void exportedKeysAndCrossReference() throws SQLException {
        try (ResultSet rs = md.getExportedKeys(null, null, "orders")) {
            assertEquals(KEY_LABELS, labels(rs));
            // Ordered by FKTABLE_NAME, then KEY_SEQ.
            assertEquals(List.of("audit order_region region 1 " + DatabaseMetaData.importedKeyNoAction,
                    "audit order_id id 2 " + DatabaseMetaData.importedKeyNoAction,
                    "shipments order_region region 1 " + DatabaseMetaData.importedKeySetNull,
                    "shipments order_id id 2 " + DatabaseMetaData.importedKeySetNull),
                    rows(rs, "FKTABLE_NAME", "FKCOLUMN_NAME", "PKCOLUMN_NAME", "KEY_SEQ", "DELETE_RULE"));
        }
        assertEquals(List.of("orders customer_id " + DatabaseMetaData.importedKeyCascade),
                rows(md.getExportedKeys(null, null, "Customers"), "FKTABLE_NAME", "FKCOLUMN_NAME", "DELETE_RULE"));
        assertEquals(List.of(), rows(md.getExportedKeys(null, null, "shipments"), KEY));
        assertEquals(List.of("shipments order_region 1", "shipments order_id 2"),
                rows(md.getCrossReference(null, null, "orders", null, null, "shipments"), "FKTABLE_NAME", "FKCOLUMN_NAME",
                        "KEY_SEQ"));
        assertEquals(List.of(), rows(md.getCrossReference(null, null, "customers", null, null, "shipments"), KEY));
    }

    @Test
    void aClosedConnectionFails() throws SQLException {
        c.close();
        SQLException e = assertThrows(SQLException.class, () -> md.getTables(null, null, null, null));
        assertEquals("08003", e.getSQLState());
        assertEquals("08003", assertThrows(SQLException.class, () -> md.getPrimaryKeys(null, null, "orders")).getSQLState());
        assertEquals("08003", assertThrows(SQLException.class, () -> md.getExportedKeys(null, null, "orders")).getSQLState());
    }
}
