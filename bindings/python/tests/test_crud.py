"""CRUD through the DB-API surface: execute/executemany/executescript, fetch*, rowcount,
lastrowid, description, parameters (qmark, numbered, named), the statement cache."""

import pytest

import heliosdb_lite as h


@pytest.fixture
def people(conn):
    conn.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)")
    conn.executemany("INSERT INTO people (name, age) VALUES (?, ?)", [("ann", 31), ("bob", 42), ("cy", None)])
    conn.commit()
    return conn


def test_module_globals():
    assert h.apilevel == "2.0"
    assert h.threadsafety in (1, 2)
    assert h.paramstyle == "qmark"
    assert h.version.count(".") == 2


def test_insert_select_update_delete(people):
    cur = people.cursor()
    cur.execute("SELECT id, name, age FROM people ORDER BY id")
    assert cur.rowcount == -1
    assert cur.fetchall() == [(1, "ann", 31), (2, "bob", 42), (3, "cy", None)]
    cur.execute("UPDATE people SET age = age + 1 WHERE age IS NOT NULL")
    assert cur.rowcount == 2
    cur.execute("DELETE FROM people WHERE name = ?", ("bob",))
    assert cur.rowcount == 1
    people.commit()
    assert people.execute("SELECT name, age FROM people ORDER BY id").fetchall() == [("ann", 32), ("cy", None)]


def test_lastrowid_and_executemany_rowcount(people):
    cur = people.execute("INSERT INTO people (name) VALUES ('dee')")
    assert cur.lastrowid == 4 and cur.rowcount == 1
    cur.executemany("INSERT INTO people (name) VALUES (?)", [("e",), ("f",), ("g",)])
    assert cur.rowcount == 3 and cur.lastrowid == 7


def test_fetchone_fetchmany_iteration_arraysize(people):
    cur = people.execute("SELECT name FROM people ORDER BY id")
    assert cur.fetchone() == ("ann",)
    cur.arraysize = 5
    assert cur.fetchmany() == [("bob",), ("cy",)]
    assert cur.fetchone() is None and cur.fetchmany(3) == [] and cur.fetchall() == []
    assert [r for r in people.execute("SELECT id FROM people ORDER BY id DESC")] == [(3,), (2,), (1,)]
    cur = people.execute("SELECT id FROM people ORDER BY id")
    assert cur.fetchmany(2) == [(1,), (2,)]
    assert cur.fetchall() == [(3,)]


def test_description_names_and_declared_types(people):
    cur = people.execute("SELECT id, name AS who, age * 2 AS twice FROM people")
    assert [d[0] for d in cur.description] == ["id", "who", "twice"]
    assert cur.description[0][1] == "INTEGER" and cur.description[0][1] == h.NUMBER
    assert cur.description[1][1] == h.STRING and cur.description[1][1] != h.NUMBER
    assert cur.description[2][1] is None  # an expression has no declared type
    assert all(len(d) == 7 for d in cur.description)
    assert people.execute("UPDATE people SET age = 1 WHERE id = 99").description is None
    empty = people.execute("SELECT name FROM people WHERE id < 0")
    assert empty.description[0][0] == "name" and empty.fetchall() == []


def test_named_and_numbered_parameters(people):
    q = "SELECT name FROM people WHERE age > :min AND name <> :skip ORDER BY id"
    assert people.execute(q, {"min": 30, "skip": "bob"}).fetchall() == [("ann",)]
    assert people.execute("SELECT @a + $b", {"a": 2, "b": 3}).fetchone() == (5,)
    assert people.execute("SELECT ?2 - ?1", (1, 10)).fetchone() == (9,)
    with pytest.raises(h.ProgrammingError, match=":skip"):
        people.execute(q, {"min": 1})
    with pytest.raises(h.ProgrammingError, match="incorrect number of bindings"):
        people.execute("SELECT ? + ?", (1,))
    with pytest.raises(h.ProgrammingError, match="no name"):
        people.execute("SELECT ?", {"x": 1})


def test_executescript_and_shortcuts(conn):
    conn.executescript(
        "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);"
    )
    assert conn.execute("SELECT sum(x) FROM a").fetchone() == (3,)
    with pytest.raises(h.ProgrammingError):
        conn.executescript("INSERT INTO a VALUES (3); INSERT INTO nosuch VALUES (1); INSERT INTO a VALUES (4)")
    # Statements before the failing one stay applied.
    assert conn.execute("SELECT count(*) FROM a").fetchone() == (3,)


def test_two_cursors_same_sql_are_independent(people):
    sql = "SELECT name FROM people WHERE id >= ? ORDER BY id"
    c1 = people.execute(sql, (1,))
    c2 = people.execute(sql, (2,))
    assert c1.fetchone() == ("ann",)
    assert c2.fetchall() == [("bob",), ("cy",)]
    assert c1.fetchall() == [("bob",), ("cy",)]
    # Re-running the same SQL reuses the cached statement with new parameters.
    for i in (1, 2, 3, 1):
        assert people.execute("SELECT id FROM people WHERE id = ?", (i,)).fetchone() == (i,)


def test_row_factory(people):
    people.row_factory = lambda cur, row: {d[0]: v for d, v in zip(cur.description, row)}
    assert people.execute("SELECT name, age FROM people WHERE id = 1").fetchone() == {"name": "ann", "age": 31}


def test_returning_gives_rows_and_rowcount(people):
    cur = people.execute("INSERT INTO people (name, age) VALUES ('zed', 9) RETURNING id, name")
    assert cur.fetchall() == [(4, "zed")]
    assert cur.rowcount == 1


def test_executemany_refuses_queries(people):
    with pytest.raises(h.ProgrammingError):
        people.executemany("SELECT * FROM people WHERE id = ?", [(1,)])
    with pytest.raises(h.ProgrammingError):
        people.executemany("INSERT INTO people (name) VALUES (?)", [("a", "b")])


def test_cached_statements_follow_schema_changes(dbpath):
    a = h.connect(dbpath)
    b = h.connect(dbpath)
    a.execute("CREATE TABLE s (id INTEGER PRIMARY KEY, x TEXT)")
    a.execute("INSERT INTO s VALUES (1, 'one')")
    a.commit()
    assert a.execute("SELECT * FROM s").fetchall() == [(1, "one")]
    # Another connection adds a column: the cached SELECT * re-plans with three columns.
    b.execute("ALTER TABLE s ADD COLUMN y INTEGER DEFAULT 7")
    cur = a.execute("SELECT * FROM s")
    assert cur.fetchall() == [(1, "one", 7)] and [d[0] for d in cur.description] == ["id", "x", "y"]
    # This connection drops and recreates the table with other types: no stale reader.
    a.execute("DROP TABLE s")
    a.execute("CREATE TABLE s (id TEXT, x INTEGER, y REAL)")
    a.execute("INSERT INTO s VALUES ('k', 5, 1.5)")
    assert a.execute("SELECT * FROM s").fetchall() == [("k", 5, 1.5)]
    a.close()
    b.close()


def test_sql_that_is_not_one_statement(conn):
    with pytest.raises(h.ProgrammingError):
        conn.execute("SELECT 1\x00")
    with pytest.raises(h.ProgrammingError):
        conn.execute("")
    with pytest.raises(h.ProgrammingError):
        conn.execute("-- only a comment")
