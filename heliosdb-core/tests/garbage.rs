//! Bad input never panics and never damages the database: random bytes,
//! truncated statements, and type errors all come back as errors, and the
//! data stays as it was.

use heliosdb_core::Connection;

mod common;
use common::Rng;

const STATEMENTS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, v DECIMAL(6,2) DEFAULT 1.5)",
    "INSERT INTO t (name, v) VALUES ('a', 1.25), ('b', 2.5) RETURNING id, name",
    "SELECT name, sum(v) AS s FROM t WHERE v BETWEEN 1 AND 9 AND name LIKE 'a%' GROUP BY name HAVING count(*) > 0 ORDER BY s DESC LIMIT 5",
    "UPDATE t SET v = v * 2, name = upper(name) WHERE id IN (1, 2, 3)",
    "DELETE FROM t WHERE name = 'zz' OR v > 100",
    "SELECT CASE WHEN id > 1 THEN 'x' ELSE NULL END, coalesce(NULL, v), strftime('%Y', 'now', '-1 day') FROM t",
    "CREATE INDEX IF NOT EXISTS t_v ON t (v DESC, name)",
    "SELECT * FROM t JOIN t AS u ON t.id = u.id WHERE u.v IS NOT NULL",
];

fn fingerprint(conn: &Connection) -> Vec<String> {
    let mut st = conn.prepare("SELECT id, name, v FROM t ORDER BY id").unwrap();
    st.query_map((), |r| Ok(format!("{:?}", r.values()))).unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn truncated_and_mutated_sql_is_an_error_not_a_crash() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(STATEMENTS[0]).unwrap();
    conn.execute_batch("INSERT INTO t (name) VALUES ('seed1'), ('seed2')").unwrap();
    let before = fingerprint(&conn);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut errors = 0;
    for round in 0..3000 {
        let base = STATEMENTS[rng.below(STATEMENTS.len())];
        let bytes = base.as_bytes();
        let mut s: Vec<u8> = match round % 3 {
            0 => bytes[..rng.below(bytes.len() + 1)].to_vec(),
            1 => {
                let mut v = bytes.to_vec();
                for _ in 0..1 + rng.below(4) {
                    let i = rng.below(v.len());
                    const ALPHABET: &[u8] = b"()',;*%?:-+ 0xAZ\x00\xff";
                    v[i] = ALPHABET[rng.below(ALPHABET.len())];
                }
                v
            }
            _ => (0..rng.below(60)).map(|_| (rng.next() & 0xFF) as u8).collect(),
        };
        if round % 2 == 0 {
            s.retain(|b| b.is_ascii());
        }
        let text = String::from_utf8_lossy(&s).into_owned();
        // Wrap in a transaction that is rolled back: the data must not change.
        conn.execute_batch("BEGIN").unwrap();
        if conn.execute_batch(&text).is_err() {
            errors += 1;
        }
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK").unwrap();
        }
        // Drop anything the statement created so the next round starts clean.
        assert_eq!(fingerprint(&conn), before, "round {round} changed the data: {text:?}");
    }
    assert!(errors > 1000, "most garbage should be rejected, only {errors} were");
    conn.execute("INSERT INTO t (name) VALUES ('still works')", ()).unwrap();
}
