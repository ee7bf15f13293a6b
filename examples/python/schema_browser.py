"""A schema browser, as a database tool sees a HeliosDB database: only through SQL.

Scenario S2's gateway database (../../../shared/SCENARIOS.md): `sensor_readings`
with an index on (device_id, timestamp), a `devices` table the readings
reference, and the hourly rollup as a materialized view. A tool pointed at it
(DBeaver, pandas, an ORM's reflection, a JDBC `DatabaseMetaData`) asks the
catalog, never the files:
  1. the objects: `information_schema.tables` (tables, views, materialized views);
  2. each table's columns with types, NOT NULL, defaults and key positions:
     `PRAGMA table_info`;
  3. its indexes and their columns: `pragma_index_list` / `pragma_index_info`;
  4. its foreign keys: `pragma_foreign_key_list`;
  5. the CREATE statements: `sqlite_schema`.
The readings are generated with `generate_series`, so the output is the same on
every run.

Run: python examples/python/schema_browser.py [DIR]   (default: a temporary directory)
"""

import shutil
import sys
import tempfile

from heliosdb_lite import Connection


def build(conn: Connection) -> None:
    conn.executescript("""
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            site TEXT NOT NULL DEFAULT 'plant-1');
        CREATE TABLE sensor_readings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device_id TEXT NOT NULL REFERENCES devices (device_id),
            sensor_type TEXT NOT NULL,
            value REAL,
            timestamp INTEGER NOT NULL);
        CREATE INDEX readings_device_time ON sensor_readings (device_id, timestamp);
        CREATE MATERIALIZED VIEW hourly_metrics AS
            SELECT device_id, sensor_type, (timestamp / 3600) * 3600 AS hour,
                   count(*) AS samples, avg(value) AS avg_value
            FROM sensor_readings GROUP BY device_id, sensor_type, (timestamp / 3600) * 3600;
        CREATE VIEW busy_devices AS
            SELECT device_id, count(*) AS readings FROM sensor_readings GROUP BY device_id;
    """)
    with conn.transaction():
        conn.execute("INSERT INTO devices (device_id) SELECT 'dev-' || value FROM generate_series(1, 3)")
        conn.execute("""
            INSERT INTO sensor_readings (device_id, sensor_type, value, timestamp)
            SELECT 'dev-' || (value % 3 + 1), CASE value % 2 WHEN 0 THEN 'temp' ELSE 'humidity' END,
                   20 + value % 7, 1767225600 + value * 60
            FROM generate_series(1, 600)""")
    conn.execute("REFRESH MATERIALIZED VIEW hourly_metrics")


def browse(conn: Connection) -> None:
    print("== objects (information_schema.tables)")
    for name, kind in conn.execute(
            "SELECT table_name, table_type FROM information_schema.tables ORDER BY table_type, table_name"):
        print(f"{kind:<18} {name}")

    tables = [r[0] for r in conn.execute(
        "SELECT name FROM pragma_table_list WHERE type = 'table' ORDER BY name")]
    for table in tables:
        print(f"\n== {table}")
        for cid, name, ctype, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})"):
            flags = " ".join(f for f in (
                f"pk{pk}" if pk else "", "not null" if notnull else "",
                f"default {default}" if default is not None else "") if f)
            print(f"  column {cid}: {name} {ctype} {flags}".rstrip())
        for _, index, unique, origin, _ in conn.execute("SELECT * FROM pragma_index_list(?)", (table,)):
            cols = [r[0] for r in conn.execute(
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (index,))]
            kind = "unique index" if unique else "index"
            print(f"  {kind} {index} ({', '.join(cols)}) origin={origin}")
        for _, _, parent, src, dst, _, on_delete, _ in conn.execute(
                "SELECT * FROM pragma_foreign_key_list(?)", (table,)):
            print(f"  foreign key {src} -> {parent}({dst}) on delete {on_delete}")
        (rows,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        print(f"  rows: {rows}")

    print("\n== columns of the views (information_schema.columns)")
    for table, column, ctype in conn.execute("""
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c JOIN information_schema.tables t USING (table_name)
            WHERE t.table_type <> 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position"""):
        print(f"  {table}.{column} {ctype or '(expression)'}")

    print("\n== CREATE statements (sqlite_schema)")
    for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name"):
        print(f"-- {kind} {name}\n{' '.join(sql.split())};")


def main(path: str) -> None:
    conn = Connection.open(path=path)
    try:
        build(conn)
        browse(conn)
    finally:
        conn.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        tmp = tempfile.mkdtemp(prefix="heliosdb-schema-")
        try:
            main(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
