"""Scenario S7 (../../../shared/SCENARIOS.md): a medical-record audit with time travel.

`patients` (auto-increment id, name, diagnosis, last accessed by, last
modified) and `access_log` (patient id -> patients, who, access type, when),
with seven years of history kept. The program plays a few days of a ward,
then answers the auditor:
  1. patient 1's record and access log AS OF TIMESTAMP the audit date;
  2. every access in an incident window, with the diagnosis as it was at
     the moment of that access (not as it is now);
  3. a 30-day access summary per user.

Output is deterministic: moments are taken from the engine's clock as the
story runs (`accessed_at` is the time of the access, the audit date is a
moment between two days) and used as AS OF points, never printed.

Run: python examples/python/medical_audit.py [DIR]   (default: a temporary directory)
"""

import datetime
import shutil
import sys
import tempfile

import heliosdb_lite
from heliosdb_lite import Connection

SEVEN_YEARS = 7 * 365 * 24 * 3600  # 220752000 s


def now() -> datetime.datetime:
    """The moment of an event (UTC); bound as 'YYYY-MM-DD HH:MM:SS.ffffff' text."""
    return datetime.datetime.now(datetime.timezone.utc)


def main(path: str) -> None:
    conn = Connection.open(path=path, config={
        "storage": {"time_travel_enabled": True},
        "snapshot": {"min_retention_seconds": SEVEN_YEARS},
    })
    conn.executescript("""
        CREATE TABLE IF NOT EXISTS patients (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            diagnosis TEXT,
            last_accessed_by TEXT,
            last_modified TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS access_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            patient_id INTEGER NOT NULL REFERENCES patients (id),
            who TEXT NOT NULL,
            access_type TEXT NOT NULL,
            accessed_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS access_log_time ON access_log (accessed_at);
    """)

    def admit(name, diagnosis, who):
        with conn.transaction():
            cur = conn.execute(
                "INSERT INTO patients (name, diagnosis, last_accessed_by, last_modified) VALUES (?, ?, ?, ?)",
                (name, diagnosis, who, now()))
            conn.execute("INSERT INTO access_log (patient_id, who, access_type, accessed_at) VALUES (?, ?, 'create', ?)",
                         (cur.lastrowid, who, now()))
        return cur.lastrowid

    def access(pid, who, kind="read"):
        with conn.transaction():
            conn.execute("INSERT INTO access_log (patient_id, who, access_type, accessed_at) VALUES (?, ?, ?, ?)",
                         (pid, who, kind, now()))
            conn.execute("UPDATE patients SET last_accessed_by = ? WHERE id = ?", (who, pid))

    def rediagnose(pid, diagnosis, who):
        with conn.transaction():
            conn.execute("UPDATE patients SET diagnosis = ?, last_accessed_by = ?, last_modified = ? WHERE id = ?",
                         (diagnosis, who, now(), pid))
            conn.execute("INSERT INTO access_log (patient_id, who, access_type, accessed_at) VALUES (?, ?, 'update', ?)",
                         (pid, who, now()))

    # Day 1: admissions and rounds.
    alice = admit("Alice Martin", "suspected pneumonia", "dr.chen")
    bob = admit("Bob Okafor", "fractured wrist", "dr.ortiz")
    access(alice, "nurse.kim")
    access(bob, "nurse.kim")
    access(alice, "dr.chen")
    audit_date = now()  # the auditor asks about the end of day 1

    # Day 2: a new diagnosis, and the incident window (an unexpected viewer).
    rediagnose(alice, "influenza A", "dr.chen")
    incident_start = now()
    access(alice, "billing.lee")
    access(alice, "nurse.kim")
    access(bob, "billing.lee")
    rediagnose(alice, "influenza A, resolving", "dr.chen")
    access(alice, "billing.lee", "export")
    incident_end = now()

    # Day 3: discharge paperwork after the window.
    rediagnose(bob, "fractured wrist, cast removed", "dr.ortiz")
    access(alice, "dr.chen")

    print("1. Patient 1 as of the audit date (end of day 1)")
    cur = conn.cursor()
    cur.execute("SELECT id, name, diagnosis, last_accessed_by FROM patients AS OF TIMESTAMP ? WHERE id = ?",
                (audit_date, alice))
    print("   record then:", cur.fetchone())
    print("   record now: ", conn.execute(
        "SELECT id, name, diagnosis, last_accessed_by FROM patients WHERE id = ?", (alice,)).fetchone())
    cur.execute("SELECT id, who, access_type FROM access_log AS OF TIMESTAMP :t WHERE patient_id = :p ORDER BY id",
                {"t": audit_date, "p": alice})
    print("   access log then:")
    for row in cur:
        print("    ", row)
    total_now = conn.execute("SELECT count(*) FROM access_log WHERE patient_id = ?", (alice,)).fetchone()[0]
    print(f"   (the log has {total_now} entries for patient 1 today)")

    print("\n2. Every access in the incident window, with the diagnosis at that moment")
    events = conn.execute(
        "SELECT a.id, a.who, a.access_type, p.name, a.accessed_at FROM access_log a JOIN patients p ON p.id = a.patient_id "
        "WHERE a.accessed_at BETWEEN ? AND ? ORDER BY a.id",
        (incident_start, incident_end)).fetchall()
    point = conn.cursor()
    for log_id, who, kind, name, at in events:
        point.execute("SELECT diagnosis FROM patients AS OF TIMESTAMP ? WHERE name = ?", (at, name))
        (diagnosis_then,) = point.fetchone()
        print(f"   #{log_id:<3} {who:<12} {kind:<7} {name:<13} diagnosis then: {diagnosis_then}")

    print("\n3. Access summary per user, last 30 days")
    for who, n, patients, updates in conn.execute(
        "SELECT who, count(*), count(DISTINCT patient_id), sum(CASE WHEN access_type <> 'read' THEN 1 ELSE 0 END) "
        "FROM access_log WHERE accessed_at >= datetime('now', '-30 days') GROUP BY who ORDER BY count(*) DESC, who"
    ):
        print(f"   {who:<12} accesses={n:<2} patients={patients} writes/exports={updates}")

    print("\n4. Guard rails")
    try:
        conn.execute("INSERT INTO access_log (patient_id, who, access_type, accessed_at) VALUES (99, 'x', 'read', ?)",
                     (now(),))
    except heliosdb_lite.IntegrityError as e:
        print(f"   unknown patient refused: IntegrityError code={e.code}")
    conn.rollback()
    try:
        conn.execute("SELECT * FROM patients AS OF TIMESTAMP '2999-01-01'")
    except heliosdb_lite.OperationalError as e:
        print(f"   a point in the future: OperationalError code={e.code}")
    conn.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        tmp = tempfile.mkdtemp(prefix="heliosdb-medical-")
        try:
            main(tmp + "/records")
        finally:
            shutil.rmtree(tmp)
