"""Throwaway databases for tests and benchmarks: a SQLite file or a private PostgreSQL schema.

Tests get their tables from a `SchemaSource`, which builds the schema once per pytest
process (each xdist worker has its own) instead of once per test: on SQLite a template file
copied per test, on PostgreSQL one schema per worker emptied before each test.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def _schema_url(base: str, schema: str) -> str:
    """`base` with every connection's search_path set to `schema`."""
    url = make_url(base)
    # synchronous_commit off: a test's commit does not wait for the disk (nothing here must survive a crash)
    options = " ".join(filter(None, [url.query.get("options"), f"-csearch_path={schema}",
                                     "-csynchronous_commit=off"]))
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False)


def _new_schema_name() -> str:
    """pytest_<worker>_<random>: unique across workers and across concurrent runs."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"pytest_{worker}_{uuid.uuid4().hex[:12]}"


def _drop_schema(admin: sa.Engine, schema: str) -> None:
    with admin.begin() as conn:
        # a connection a test leaked must not hang the run forever
        conn.execute(sa.text("SET LOCAL lock_timeout = '20s'"))
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@contextmanager
def fresh_database(sqlite_path: Path, base: str | None = None):
    """An empty database: a SQLite file at `sqlite_path`, or a new schema in the PostgreSQL
    database `base` (default: TEST_DATABASE_URL), dropped afterwards. Yields its URL."""
    base = base or os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{sqlite_path}"
        return
    schema = _new_schema_name()
    admin = sa.create_engine(base, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _schema_url(base, schema)
    finally:
        _drop_schema(admin, schema)
        admin.dispose()


def _metadata() -> sa.MetaData:
    """Every table of the app (load_all registers them)."""
    from planner import models
    from planner.models.db import db
    models.load_all()
    return db.metadata


class SchemaSource:
    """Databases that already hold every table, each empty when handed out.

    SQLite: the tables are created once in a template file; `empty(path)` copies it (about a
    millisecond, where create_all takes a tenth of a second). PostgreSQL: one schema for this
    process, created once; `empty()` deletes every row and restarts the id sequences in one
    round trip (cheaper than TRUNCATE, which makes new files for every table and index), and
    builds a new schema if a test dropped, added or locked tables.
    """

    def __init__(self, folder: Path, base: str | None = None):
        self.base = base or None
        self.folder = folder
        self.metadata = _metadata()
        self.template: Path | None = None
        self.schema: str | None = None
        self.admin: sa.Engine | None = None
        if self.base:
            self.admin = sa.create_engine(self.base, pool_size=1, max_overflow=0)
            self._build_schema()
        else:
            self.template = folder / "template.sqlite"
            engine = sa.create_engine(f"sqlite:///{self.template}", poolclass=NullPool)
            self.metadata.create_all(engine)
            engine.dispose()  # the last connection's close checkpoints the WAL into the file

    # ------------------------------------------------------------------ PostgreSQL

    def _build_schema(self) -> None:
        """A new schema with every table; the names of its tables and id sequences."""
        self.schema = _new_schema_name()
        with self.admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
            conn.execute(sa.text(f'SET LOCAL search_path TO "{self.schema}"'))
            self.metadata.create_all(conn)
            sequences = conn.scalars(sa.text(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = :s"),
                {"s": self.schema}).all()
        self.tables = {t.name for t in self.metadata.sorted_tables}
        quoted = f'"{self.schema}"'
        # children before parents, so no foreign key ever points at a deleted row
        deletes = [f'DELETE FROM {quoted}."{t.name}"' for t in reversed(self.metadata.sorted_tables)]
        # setval, not ALTER SEQUENCE ... RESTART, which also makes a new file per sequence
        restart = "SELECT " + ", ".join(f"setval('{quoted}.\"{name}\"', 1, false)" for name in sequences)
        self.reset_sql = "; ".join(["SET LOCAL lock_timeout = '20s'", *deletes] + ([restart] if sequences else []))

    def _tables_now(self, conn) -> set[str]:
        return set(conn.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s"),
                                {"s": self.schema}))

    def _empty_schema(self) -> str:
        """The worker schema with no rows, ids restarting at 1; its URL."""
        try:
            with self.admin.begin() as conn:
                if self._tables_now(conn) != self.tables:
                    raise LookupError("a test changed the tables")
                conn.exec_driver_sql(self.reset_sql)
        except (LookupError, sa.exc.DBAPIError):
            # dropped or extra tables, or a lock a leaked connection holds: start anew
            old = self.schema
            self.admin.dispose()
            self._build_schema()
            try:
                _drop_schema(self.admin, old)
            except sa.exc.DBAPIError:
                pass  # still locked; close() drops the newest, a leak keeps the old one
        return _schema_url(self.base, self.schema)

    # ------------------------------------------------------------------ both

    def empty(self, sqlite_path: Path) -> str:
        """The URL of a database with every table and no rows, for one test."""
        if self.base:
            return self._empty_schema()
        shutil.copyfile(self.template, sqlite_path)
        return f"sqlite:///{sqlite_path}"

    def close(self) -> None:
        """Drop the worker schema (SQLite files go with pytest's temporary folders)."""
        if self.admin is not None:
            try:
                _drop_schema(self.admin, self.schema)
            finally:
                self.admin.dispose()


def run_on_both_engines(run) -> None:
    """A benchmark's command line: `run(label, url)` on a fresh SQLite file, then, with
    `--pg URL`, on a private PostgreSQL schema of that database."""
    import argparse
    import tempfile
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", help="PostgreSQL URL; a private schema is created and dropped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.sqlite")
    if args.pg:
        with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp) / "unused.sqlite", args.pg) as url:
            run("PostgreSQL", url)
