//! Scenario S6 (../shared/SCENARIOS.md): the year-end audit of a banking
//! service, answered from the database's own history.
//!
//! Accounts change across many transactions; 90 days of history are kept.
//! The auditor asks for: every balance as of the year-end instant with the
//! total, one account as of the incident transaction beside its balance now,
//! one account's balance at three instants (a trend), and every change to
//! that account in between.
//!
//! Run: `cargo run --release -p heliosdb-lite --example financial_audit`
//! (the output is checked against `financial_audit.expected` by scripts/test.sh).
//!
//! Commit times are the real clock, so the example takes its "instants" from
//! the commit log (`heliosdb_snapshots()`) as it goes and prints balances,
//! not times, so the output is the same on every run.

use heliosdb_lite::{Config, Connection, Decimal, Result, Value};
use std::time::Duration;

/// The commit time of the latest commit, as `AS OF TIMESTAMP` accepts it.
fn latest_commit_time(conn: &Connection) -> Result<String> {
    conn.query_row("SELECT commit_time FROM heliosdb_snapshots() ORDER BY scn DESC LIMIT 1", (), |r| r.get(0))
}

/// Moves money between two accounts in one transaction; returns its id.
fn transfer(conn: &Connection, from: i64, to: i64, amount: &str) -> Result<u64> {
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE accounts SET balance = balance - CAST(?1 AS DECIMAL(15,2)), last_modified = datetime('now') WHERE id = ?2",
        (amount, from),
    )?;
    tx.execute(
        "UPDATE accounts SET balance = balance + CAST(?1 AS DECIMAL(15,2)), last_modified = datetime('now') WHERE id = ?2",
        (amount, to),
    )?;
    tx.commit()?;
    Ok(conn.last_txid())
}

fn deposit(conn: &Connection, id: i64, amount: &str) -> Result<()> {
    conn.execute("UPDATE accounts SET balance = balance + CAST(?1 AS DECIMAL(15,2)) WHERE id = ?2", (amount, id))?;
    Ok(())
}

/// The instants are microseconds apart at most; a pause keeps "after the
/// year-end commit" strictly after it.
fn pause() {
    std::thread::sleep(Duration::from_millis(3));
}

fn main() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| heliosdb_lite::Error::Io(e.to_string()))?;
    let mut config = Config::default();
    config.snapshot.min_retention_seconds = 90 * 24 * 3600; // 90 days of history
    let conn = Connection::open_with(dir.path(), &config)?;

    conn.execute_batch(
        "CREATE TABLE accounts (
             id INTEGER PRIMARY KEY,
             customer TEXT NOT NULL,
             balance DECIMAL(15,2) NOT NULL,
             last_modified TEXT
         );
         INSERT INTO accounts (id, customer, balance, last_modified) VALUES
             (1001, 'Ada Lovelace', 12500.00, datetime('now')),
             (1002, 'Alan Turing', 8300.50, datetime('now')),
             (1003, 'Grace Hopper', 23010.75, datetime('now')),
             (1004, 'Edsger Dijkstra', 450.00, datetime('now'));",
    )?;

    // The last months of 2024.
    deposit(&conn, 1001, "1500.00")?;
    transfer(&conn, 1003, 1004, "2000.00")?;
    let october = latest_commit_time(&conn)?;
    pause();
    deposit(&conn, 1002, "250.25")?;
    transfer(&conn, 1001, 1002, "700.00")?;
    let november = latest_commit_time(&conn)?;
    pause();
    deposit(&conn, 1001, "320.10")?;
    let year_end = latest_commit_time(&conn)?;
    pause();

    // 2025: business goes on, including the transfer later flagged as an incident.
    transfer(&conn, 1002, 1001, "95.00")?;
    let incident = transfer(&conn, 1001, 1004, "5000.00")?;
    deposit(&conn, 1004, "10.00")?;
    conn.execute("DELETE FROM accounts WHERE id = 1002", ())?; // an account closed in 2025

    println!("== Year-end report: every balance AS OF TIMESTAMP <year end>");
    let mut st = conn.prepare("SELECT id, customer, balance FROM accounts AS OF TIMESTAMP ?1 ORDER BY id")?;
    for row in st.query_map([year_end.as_str()], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Decimal>(2)?))
    })? {
        let (id, customer, balance) = row?;
        println!("{id}  {customer:<16} {balance:>10}");
    }
    let total: Decimal =
        conn.query_row("SELECT sum(balance) FROM accounts AS OF TIMESTAMP ?1", [year_end.as_str()], |r| r.get(0))?;
    println!("total                  {total:>10}");

    println!("\n== Incident check: account 1001 AS OF TRANSACTION <incident> beside now");
    let (then, now): (Decimal, Decimal) = conn.query_row(
        "SELECT p.balance, c.balance FROM accounts AS OF TRANSACTION ?1 p JOIN accounts c ON p.id = c.id WHERE p.id = 1001",
        [Value::Integer(incident as i64)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    println!("right after the incident: {then}   now: {now}");
    // The commit just before the incident: its SCN minus one.
    let incident_scn: i64 =
        conn.query_row("SELECT scn FROM heliosdb_snapshots() WHERE txid = ?1", [incident as i64], |r| r.get(0))?;
    let before: Decimal = conn.query_row(
        "SELECT balance FROM accounts AS OF SCN ?1 WHERE id = 1001",
        [Value::Integer(incident_scn - 1)],
        |r| r.get(0),
    )?;
    println!("just before it:           {before}");

    println!("\n== Trend: account 1001 at three instants");
    for (label, at) in [("october", &october), ("november", &november), ("year end", &year_end)] {
        let b: Decimal =
            conn.query_row("SELECT balance FROM accounts AS OF TIMESTAMP ?1 WHERE id = 1001", [at.as_str()], |r| {
                r.get(0)
            })?;
        println!("{label:<9} {b:>10}");
    }

    println!("\n== Every change to account 1002 since the books opened");
    let mut st = conn.prepare(
        "SELECT balance, heliosdb_operation, coalesce(heliosdb_ended_by, 'current')
         FROM accounts FOR SYSTEM_TIME BETWEEN ?1 AND ?2 WHERE id = 1002 ORDER BY heliosdb_valid_from_scn",
    )?;
    let first = conn.query_row("SELECT min(commit_time) FROM heliosdb_snapshots()", (), |r| r.get::<_, String>(0))?;
    let last = latest_commit_time(&conn)?;
    for row in st.query_map([first.as_str(), last.as_str()], |r| {
        Ok((r.get::<_, Decimal>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })? {
        let (balance, began, ended) = row?;
        println!("{balance:>10}  began by {began:<6}  ended by {ended}");
    }
    let closed: i64 = conn.query_row("SELECT count(*) FROM accounts WHERE id = 1002", (), |r| r.get(0))?;
    println!("account 1002 today: {}", if closed == 0 { "closed" } else { "open" });
    Ok(())
}
