"""Implicit and explicit transactions: the sqlite3-style defaults, isolation_level=None,
autocommit True/False, `with conn:`, and the product's conn.transaction()."""

import pytest

import heliosdb_lite as h


@pytest.fixture
def two(dbpath):
    a = h.connect(dbpath)
    a.execute("CREATE TABLE t (x INTEGER)")
    b = h.connect(dbpath)
    yield a, b
    a.close()
    b.close()


def count(c):
    return c.execute("SELECT count(*) FROM t").fetchone()[0]


def test_default_begins_before_dml_and_commit_publishes(two):
    a, b = two
    assert not a.in_transaction
    a.execute("SELECT 1")
    assert not a.in_transaction  # queries do not begin a transaction
    a.execute("INSERT INTO t VALUES (1)")
    assert a.in_transaction and count(b) == 0
    a.commit()
    assert not a.in_transaction and count(b) == 1


def test_rollback_discards(two):
    a, b = two
    a.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    a.rollback()
    assert count(a) == 0 and not a.in_transaction


def test_isolation_level_none_is_autocommit(two):
    a, b = two
    a.isolation_level = None
    a.execute("INSERT INTO t VALUES (1)")
    assert not a.in_transaction and count(b) == 1
    a.execute("BEGIN")
    a.execute("INSERT INTO t VALUES (2)")
    a.execute("COMMIT")
    assert count(b) == 2


def test_autocommit_true_and_false(dbpath):
    a = h.connect(dbpath, autocommit=True)
    a.execute("CREATE TABLE t (x INTEGER)")
    a.execute("INSERT INTO t VALUES (1)")
    assert not a.in_transaction
    a.execute("BEGIN")
    a.execute("INSERT INTO t VALUES (2)")
    a.rollback()  # does nothing in autocommit=True (as sqlite3)
    assert a.in_transaction
    a.execute("ROLLBACK")
    a.close()
    b = h.connect(dbpath, autocommit=False)
    assert not b.in_transaction  # begins lazily (BEGIN takes the write lock)
    assert b.execute("SELECT count(*) FROM t").fetchone() == (1,)
    assert b.in_transaction
    b.execute("INSERT INTO t VALUES (3)")
    b.rollback()
    assert b.execute("SELECT count(*) FROM t").fetchone() == (1,)
    b.execute("INSERT INTO t VALUES (4)")
    b.commit()
    b.execute("CREATE MATERIALIZED VIEW tc AS SELECT count(*) AS n FROM t WITH NO DATA")
    b.commit()
    b.execute("REFRESH MATERIALIZED VIEW tc")  # not wrapped in a transaction: the engine refuses that
    assert b.execute("SELECT n FROM tc").fetchone() == (2,)
    b.commit()
    b.autocommit = True
    assert b.execute("SELECT count(*) FROM t").fetchone() == (2,) and not b.in_transaction
    b.close()
    with pytest.raises(ValueError):
        h.connect(dbpath, autocommit="yes")


def test_connection_context_manager(two):
    a, b = two
    with a:
        a.execute("INSERT INTO t VALUES (1)")
    assert count(b) == 1
    with pytest.raises(ZeroDivisionError):
        with a:
            a.execute("INSERT INTO t VALUES (2)")
            1 / 0
    assert count(b) == 1 and not a.in_transaction
    a.execute("SELECT 1")  # not closed


def test_transaction_context_manager(two):
    a, b = two
    with a.transaction() as conn:
        assert conn is a and a.in_transaction
        a.execute("INSERT INTO t VALUES (1)")
        a.execute("CREATE TABLE u (y INTEGER)")  # DDL is transactional too
        assert count(b) == 0
    assert count(b) == 1 and not a.in_transaction
    with pytest.raises(h.IntegrityError):
        with a.transaction():
            a.execute("INSERT INTO t VALUES (2)")
            a.execute("CREATE TABLE k (id INTEGER PRIMARY KEY)")
            a.execute("INSERT INTO k VALUES (1)")
            a.execute("INSERT INTO k VALUES (1)")
    assert count(b) == 1
    with pytest.raises(h.ProgrammingError):
        b.execute("SELECT * FROM k")  # rolled back with the block


def test_failed_statement_keeps_the_transaction(two):
    a, _ = two
    a.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(h.DataError):
        a.execute("INSERT INTO t VALUES ('x')")
    assert a.in_transaction
    a.commit()
    assert count(a) == 1


# --- nested conn.transaction(): savepoints ---------------------------------------------


def rows(c):
    return [r[0] for r in c.execute("SELECT x FROM t ORDER BY x").fetchall()]


def test_nested_success_commits_both_levels(two):
    a, b = two
    with a.transaction():
        a.execute("INSERT INTO t VALUES (1)")
        with a.transaction() as inner:
            assert inner is a and a.in_transaction
            a.execute("INSERT INTO t VALUES (2)")
        assert a.in_transaction  # releasing the savepoint does not commit
        assert count(b) == 0
    assert not a.in_transaction and rows(b) == [1, 2]


def test_inner_failure_rolls_back_only_the_inner_block(two):
    a, b = two
    with a.transaction():
        a.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ZeroDivisionError):
            with a.transaction():
                a.execute("INSERT INTO t VALUES (2)")
                1 / 0
        assert a.in_transaction and rows(a) == [1]
        a.execute("INSERT INTO t VALUES (3)")  # the outer transaction is still usable
    assert rows(b) == [1, 3]


def test_inner_database_error_rolls_back_the_inner_block(two):
    a, b = two
    a.execute("CREATE TABLE k (id INTEGER PRIMARY KEY)")
    with a.transaction():
        a.execute("INSERT INTO k VALUES (1)")
        with pytest.raises(h.IntegrityError):
            with a.transaction():
                a.execute("INSERT INTO t VALUES (2)")
                a.execute("INSERT INTO k VALUES (1)")
        a.execute("INSERT INTO k VALUES (2)")
    assert rows(b) == []
    assert b.execute("SELECT id FROM k ORDER BY id").fetchall() == [(1,), (2,)]


def test_outer_failure_after_inner_success_rolls_back_everything(two):
    a, b = two
    with pytest.raises(RuntimeError):
        with a.transaction():
            a.execute("INSERT INTO t VALUES (1)")
            with a.transaction():
                a.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("outer fails")
    assert not a.in_transaction and count(a) == 0 and count(b) == 0


def test_three_levels(two):
    a, b = two
    with a.transaction():
        a.execute("INSERT INTO t VALUES (1)")
        with a.transaction():
            a.execute("INSERT INTO t VALUES (2)")
            with pytest.raises(KeyError):
                with a.transaction():
                    a.execute("INSERT INTO t VALUES (3)")
                    raise KeyError("innermost fails")
            with a.transaction():
                a.execute("INSERT INTO t VALUES (4)")
            assert rows(a) == [1, 2, 4]
        with pytest.raises(ValueError):
            with a.transaction():
                a.execute("INSERT INTO t VALUES (5)")
                with a.transaction():
                    a.execute("INSERT INTO t VALUES (6)")  # released into level 2, then undone with it
                raise ValueError("second level fails")
        assert rows(a) == [1, 2, 4]
    assert rows(b) == [1, 2, 4]


def test_nested_inside_an_implicit_or_explicit_transaction(two):
    a, b = two
    a.execute("INSERT INTO t VALUES (1)")  # the implicit BEGIN before DML
    assert a.in_transaction
    with pytest.raises(ZeroDivisionError):
        with a.transaction():  # a savepoint: the implicit transaction stays open
            a.execute("INSERT INTO t VALUES (2)")
            1 / 0
    with a.transaction():
        a.execute("INSERT INTO t VALUES (3)")
    assert a.in_transaction and count(b) == 0  # still the caller's transaction to end
    a.commit()
    assert rows(b) == [1, 3]
    a.isolation_level = None
    a.execute("BEGIN")
    with a.transaction():
        a.execute("INSERT INTO t VALUES (4)")
    a.execute("ROLLBACK")
    assert rows(b) == [1, 3]


def test_savepoint_names_do_not_collide_with_the_users(two):
    a, b = two
    with a.transaction():
        a.execute("SAVEPOINT sp")
        a.execute("INSERT INTO t VALUES (1)")
        with a.transaction():
            a.execute("INSERT INTO t VALUES (2)")
        a.execute("ROLLBACK TO sp")  # the user's savepoint, under transaction()'s
        a.execute("INSERT INTO t VALUES (3)")
        a.execute("RELEASE sp")
    assert rows(b) == [3]


def test_blocks_ended_from_inside_do_nothing_on_exit(two):
    # As the outermost block already did: when the code inside commits, the exits find no
    # transaction and issue nothing (no RELEASE of a savepoint COMMIT ended).
    a, b = two
    with a.transaction():
        a.execute("INSERT INTO t VALUES (1)")
        with a.transaction():
            a.execute("INSERT INTO t VALUES (2)")
            a.commit()
        assert not a.in_transaction
    assert rows(b) == [1, 2]
