"""Scenario S2 (../../../shared/SCENARIOS.md): IoT rollups on a gateway with 256 MB RAM.

A gateway stores sensor readings and keeps two materialized rollups: hourly
buckets (count, average, min, max, standard deviation) over the last 7 days
and daily buckets over the last 90 days, per device and sensor type. It
inserts 10,000 readings in one transaction, lists the views' staleness,
refreshes (incrementally where it can) each view whose backlog passed a
limit, and reads one device's last 24 hours from the hourly view.

Output is deterministic: the readings come from a seeded generator and are
placed on whole hours before the current UTC day, and times are printed
relative to that anchor, never as wall-clock values.

Run: python examples/python/iot_rollups.py [DIR]   (default: a temporary directory)
"""

import random
import shutil
import sys
import tempfile
import time

from heliosdb_lite import Connection

# Refresh a view once this many row changes are pending or its oldest change is this old.
PENDING_LIMIT = 1000
STALENESS_LIMIT_SEC = 300


def main(path: str) -> None:
    conn = Connection.open(path=path, config={
        "database": {"memory_limit_mb": 32},          # a 256 MB gateway
        "materialized_views": {"default_auto_refresh": False},
    })
    conn.execute("""CREATE TABLE IF NOT EXISTS sensor_readings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT NOT NULL,
        sensor_type TEXT NOT NULL,
        value REAL NOT NULL,
        timestamp INTEGER NOT NULL)""")
    conn.execute("CREATE INDEX IF NOT EXISTS readings_device_time ON sensor_readings (device_id, timestamp)")
    # Readings leave the 7- and 90-day windows by time: an index on timestamp finds them.
    conn.execute("CREATE INDEX IF NOT EXISTS readings_time ON sensor_readings (timestamp)")
    conn.execute("""CREATE MATERIALIZED VIEW IF NOT EXISTS sensor_hourly AS
        SELECT device_id, sensor_type, (timestamp / 3600) * 3600 AS hour,
               count(*) AS n, avg(value) AS mean, min(value) AS low, max(value) AS high,
               stddev(value) AS sd
        FROM sensor_readings
        WHERE timestamp >= strftime('%s', 'now', '-7 days')
        GROUP BY device_id, sensor_type, (timestamp / 3600) * 3600""")
    print("sensor_hourly:", conn.notice)
    conn.execute("""CREATE MATERIALIZED VIEW IF NOT EXISTS sensor_daily AS
        SELECT device_id, sensor_type, (timestamp / 86400) * 86400 AS day,
               count(*) AS n, avg(value) AS mean, min(value) AS low, max(value) AS high
        FROM sensor_readings
        WHERE timestamp >= strftime('%s', 'now', '-90 days')
        GROUP BY device_id, sensor_type, (timestamp / 86400) * 86400""")
    print("sensor_daily:", conn.notice)
    conn.execute("""CREATE MATERIALIZED VIEW IF NOT EXISTS device_totals AS
        SELECT device_id, count(*) AS readings, max(timestamp) AS last_seen
        FROM sensor_readings GROUP BY device_id""")
    print("device_totals:", conn.notice)

    # 10,000 readings over the 72 hours before today's UTC midnight, in one transaction.
    anchor = int(time.time()) // 86400 * 86400
    rng = random.Random(2024)
    devices = [f"gw-{d:02d}" for d in range(5)]
    rows = []
    for i in range(10_000):
        device = devices[i % 5]
        sensor = "temperature" if (i // 5) % 2 == 0 else "humidity"
        ts = anchor - 72 * 3600 + (i * 72 * 3600) // 10_000
        base = 21.0 if sensor == "temperature" else 45.0
        rows.append((device, sensor, round(base + rng.uniform(-3.0, 3.0), 2), ts))
    with conn.transaction():
        conn.executemany(
            "INSERT INTO sensor_readings (device_id, sensor_type, value, timestamp) VALUES (?, ?, ?, ?)", rows
        )
    print(f"\ninserted {conn.execute('SELECT count(*) FROM sensor_readings').fetchone()[0]} readings")

    print("\nstaleness before refresh:")
    cur = conn.cursor()
    cur.execute("SELECT view_name, pending_changes, staleness_sec, status, refresh_strategy "
                "FROM pg_mv_staleness() ORDER BY view_name")
    due = []
    for name, pending, staleness, status, strategy in cur.fetchall():
        print(f"  {name:<14} pending={pending:<6} status={status:<6} strategy={strategy}")
        if pending >= PENDING_LIMIT or staleness >= STALENESS_LIMIT_SEC:
            due.append(name)

    for name in due:
        conn.execute(f"REFRESH MATERIALIZED VIEW {name} INCREMENTALLY")
        print(f"refreshed {name}" + (f": {conn.notice}" if conn.notice else ""))

    print("\nstaleness after refresh:")
    for name, pending, status in conn.execute(
        "SELECT view_name, pending_changes, status FROM pg_mv_staleness() ORDER BY view_name"
    ):
        print(f"  {name:<14} pending={pending:<6} status={status}")

    print("\ngw-03 temperature, last 24 hours (hourly view):")
    print(f"  {'hour':>5} {'n':>4} {'mean':>7} {'low':>6} {'high':>6} {'sd':>6}")
    cur.execute(
        "SELECT hour, n, mean, low, high, sd FROM sensor_hourly "
        "WHERE device_id = :device AND sensor_type = :sensor AND hour >= :since ORDER BY hour",
        {"device": "gw-03", "sensor": "temperature", "since": anchor - 24 * 3600},
    )
    for hour, n, mean, low, high, sd in cur:
        print(f"  {(hour - anchor) // 3600:>+5} {n:>4} {mean:>7.2f} {low:>6.2f} {high:>6.2f} {sd:>6.3f}")

    print("\ndaily rollup, humidity per device (day relative to today):")
    for device, day, n, mean, low, high in conn.execute(
        "SELECT device_id, day, n, mean, low, high FROM sensor_daily "
        "WHERE sensor_type = 'humidity' ORDER BY device_id, day"
    ):
        print(f"  {device} {(day - anchor) // 86400:>+3}d n={n:<4} mean={mean:6.2f} low={low:6.2f} high={high:6.2f}")

    print("\ndevice totals:")
    for device, readings, last_seen in conn.execute("SELECT * FROM device_totals ORDER BY device_id"):
        print(f"  {device} readings={readings} last_seen={anchor - last_seen}s before midnight")
    conn.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        tmp = tempfile.mkdtemp(prefix="heliosdb-iot-")
        try:
            main(tmp + "/gateway")
        finally:
            shutil.rmtree(tmp)
