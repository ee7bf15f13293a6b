/* Scenario S1 (../shared/SCENARIOS.md): a sales dashboard on a small board.
 * An orders table with an index on (region, order time) receives orders; the
 * dashboard shows, per region, order count, revenue, average and largest
 * order, ordered by revenue. (The self-refreshing materialized view of S1
 * comes with the materialized-view feature; this is the same query, live.)
 *
 * Build: cc sales_dashboard.c $(pkg-config --cflags --libs heliosdb)
 * Run:   ./a.out [DIR]        (default: a temporary in-memory database) */
#include <heliosdb.h>

#include <stdio.h>
#include <stdlib.h>

static int fail(heliosdb *db, const char *what) {
    fprintf(stderr, "%s: %s\n", what, heliosdb_errmsg(db));
    heliosdb_close(db);
    return 1;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : ":memory:";
    heliosdb *db = NULL;
    if (heliosdb_open(path, &db) != HELIOSDB_OK) {
        fprintf(stderr, "open: %s\n", heliosdb_errmsg(NULL));
        return 1;
    }
    if (heliosdb_exec(db,
                      "CREATE TABLE IF NOT EXISTS orders ("
                      "  order_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, region TEXT NOT NULL,"
                      "  product TEXT NOT NULL, amount DECIMAL(10,2) NOT NULL, order_time INTEGER NOT NULL);"
                      "CREATE INDEX IF NOT EXISTS orders_region_time ON orders (region, order_time);"
                      "DELETE FROM orders;") != HELIOSDB_OK)
        return fail(db, "schema");

    /* A day of orders, deterministic: 4 regions, 3 products. */
    static const char *regions[] = {"north", "south", "east", "west"};
    static const char *products[] = {"widget", "gadget", "gizmo"};
    static const double prices[] = {19.99, 249.00, 99.50};
    heliosdb_stmt *ins = NULL;
    if (heliosdb_exec(db, "BEGIN") != HELIOSDB_OK) return fail(db, "begin");
    if (heliosdb_prepare(db, "INSERT INTO orders (customer_id, region, product, amount, order_time) VALUES (?, ?, ?, ?, ?)",
                         &ins) != HELIOSDB_OK)
        return fail(db, "prepare insert");
    for (int i = 0; i < 1000; i++) {
        int r = (i * 7) % 4, p = (i * 13) % 3, qty = 1 + i % 3;
        heliosdb_bind_int64(ins, 1, 1000 + i % 97);
        heliosdb_bind_text(ins, 2, regions[r], -1);
        heliosdb_bind_text(ins, 3, products[p], -1);
        heliosdb_bind_double(ins, 4, prices[p] * qty);
        heliosdb_bind_int64(ins, 5, 1735689600 + i * 86);
        if (heliosdb_step(ins) != HELIOSDB_DONE) return fail(db, "insert");
        heliosdb_reset(ins);
    }
    heliosdb_finalize(ins);
    if (heliosdb_exec(db, "COMMIT") != HELIOSDB_OK) return fail(db, "commit");

    heliosdb_stmt *q = NULL;
    if (heliosdb_prepare(db,
                         "SELECT region, count(*) AS orders, sum(amount) AS revenue, round(avg(amount), 2) AS avg_order,"
                         "       max(amount) AS largest FROM orders GROUP BY region ORDER BY revenue DESC, region",
                         &q) != HELIOSDB_OK)
        return fail(db, "prepare summary");
    printf("%-6s %6s %12s %10s %10s\n", "region", "orders", "revenue", "avg", "largest");
    int rc;
    while ((rc = heliosdb_step(q)) == HELIOSDB_ROW) {
        printf("%-6s %6lld %12s %10.2f %10s\n", heliosdb_column_text(q, 0), (long long)heliosdb_column_int64(q, 1),
               heliosdb_column_text(q, 2), heliosdb_column_double(q, 3), heliosdb_column_text(q, 4));
    }
    if (rc != HELIOSDB_DONE) return fail(db, "summary");
    heliosdb_finalize(q);
    return heliosdb_close(db) == HELIOSDB_OK ? 0 : 1;
}
