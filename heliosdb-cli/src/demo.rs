//! `heliosdb --demo`: a short tour on a private temporary database.

use crate::shell::Shell;
use heliosdb_core::{Connection, Error};

/// Each step: a caption and the SQL it runs.
const STEPS: &[(&str, &str)] = &[
    (
        "A sales table with an index on region and time",
        "CREATE TABLE sales (id INTEGER PRIMARY KEY AUTOINCREMENT, region TEXT NOT NULL, product TEXT NOT NULL, \
         amount DECIMAL(10,2) NOT NULL, sold_at INTEGER NOT NULL);\n\
         CREATE INDEX sales_region_time ON sales (region, sold_at);",
    ),
    (
        "Twelve orders in one statement",
        "INSERT INTO sales (region, product, amount, sold_at) VALUES \
         ('north', 'widget', 19.99, 1735689600), ('north', 'gadget', 249.00, 1735693200), \
         ('south', 'widget', 19.99, 1735696800), ('south', 'gizmo', 99.50, 1735700400), \
         ('east', 'gadget', 249.00, 1735704000), ('east', 'widget', 39.98, 1735707600), \
         ('west', 'gizmo', 199.00, 1735711200), ('north', 'gizmo', 99.50, 1735714800), \
         ('south', 'gadget', 249.00, 1735718400), ('west', 'widget', 59.97, 1735722000), \
         ('east', 'gizmo', 99.50, 1735725600), ('north', 'widget', 19.99, 1735729200);",
    ),
    (
        "Revenue per region (exact DECIMAL sums)",
        "SELECT region, count(*) AS orders, sum(amount) AS revenue, round(avg(amount), 2) AS avg_order, \
         max(amount) AS biggest FROM sales GROUP BY region ORDER BY revenue DESC;",
    ),
    (
        "One region in a time window (served by the index)",
        "SELECT id, product, amount, datetime(sold_at, 'unixepoch') AS sold FROM sales \
         WHERE region = 'north' AND sold_at BETWEEN 1735689600 AND 1735715000 ORDER BY sold_at;",
    ),
    (
        "A transaction: the price change and its audit row commit together",
        "BEGIN;\n\
         UPDATE sales SET amount = amount * 0.9 WHERE product = 'gadget';\n\
         INSERT INTO sales (region, product, amount, sold_at) VALUES ('west', 'gadget', 224.10, 1735732800);\n\
         COMMIT;\n\
         SELECT product, count(*) AS orders, sum(amount) AS revenue FROM sales GROUP BY product ORDER BY product;",
    ),
    (
        "Time travel: every commit is numbered (SCN) and can still be read",
        "SELECT scn, txid, commit_time FROM heliosdb_snapshots();",
    ),
    (
        "The same report as it was before the price change (AS OF SCN 3), beside the present",
        "SELECT p.product, p.revenue AS before, n.revenue AS now FROM \
         (SELECT product, sum(amount) AS revenue FROM sales AS OF SCN 3 GROUP BY product) p \
         JOIN (SELECT product, sum(amount) AS revenue FROM sales GROUP BY product) n ON p.product = n.product \
         ORDER BY p.product;",
    ),
    (
        "Every version of the gadget orders, with when each was valid",
        "SELECT id, amount, heliosdb_valid_from_scn AS from_scn, heliosdb_valid_to_scn AS to_scn, \
         heliosdb_operation AS op FROM sales VERSIONS BETWEEN SCN 1 AND 4 \
         WHERE product = 'gadget' ORDER BY id, from_scn;",
    ),
    (
        "A materialized view: the revenue summary, stored and kept fresh from the change log",
        "CREATE MATERIALIZED VIEW revenue_by_region AS SELECT region, count(*) AS orders, sum(amount) AS revenue, \
         max(amount) AS biggest FROM sales GROUP BY region;\n\
         ALTER MATERIALIZED VIEW revenue_by_region SET (auto_refresh = true, staleness_threshold_sec = 300, cpu_threshold = 0.5);\n\
         SELECT * FROM revenue_by_region ORDER BY revenue DESC;",
    ),
    (
        "New orders make it stale; pg_mv_staleness() says how stale, from counters",
        "INSERT INTO sales (region, product, amount, sold_at) VALUES ('east', 'gadget', 249.00, 1735736400), \
         ('north', 'gizmo', 99.50, 1735740000);\n\
         SELECT view_name, pending_changes, status, refresh_strategy FROM pg_mv_staleness();",
    ),
    (
        "An incremental refresh applies just those two changes",
        "REFRESH MATERIALIZED VIEW revenue_by_region INCREMENTALLY;\n\
         SELECT * FROM revenue_by_region ORDER BY revenue DESC;\n\
         SELECT view_name, pending_changes, status FROM pg_mv_staleness();",
    ),
];

/// Runs the tour, printing each step to standard output.
///
/// # Errors
/// Any failing step (which would be a bug).
pub fn run() -> Result<(), Error> {
    let mut shell = Shell::new(Connection::open_in_memory()?, ":memory:".into());
    let say = |shell: &mut Shell, s: &str| shell.print(s).map_err(Error::Io);
    say(&mut shell, &format!("HeliosDB-Lite {} demo (a private temporary database)\n\n", heliosdb_core::VERSION))?;
    for (caption, sql) in STEPS {
        let mut text = format!("-- {caption}\n");
        for line in sql.lines() {
            text.push_str(&format!("   {line}\n"));
        }
        say(&mut shell, &text)?;
        shell.run_sql(sql)?;
        say(&mut shell, "\n")?;
    }
    say(&mut shell, "Open a database of your own with: heliosdb ./mydata\n")
}
