"""Shared fixtures: a fresh database directory per test, and a connection on it."""

import pytest

import heliosdb_lite


@pytest.fixture
def dbpath(tmp_path):
    return str(tmp_path / "db")


@pytest.fixture
def conn(dbpath):
    c = heliosdb_lite.connect(dbpath)
    yield c
    c.close()
