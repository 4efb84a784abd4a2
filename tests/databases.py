"""Throwaway databases for tests and benchmarks: a SQLite file or a private PostgreSQL schema."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


@contextmanager
def fresh_database(sqlite_path: Path, base: str | None = None):
    """An empty database: a SQLite file at `sqlite_path`, or a new schema in the PostgreSQL
    database `base` (default: TEST_DATABASE_URL), dropped afterwards. Yields its URL."""
    base = base or os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{sqlite_path}"
        return
    schema = f"pytest_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base)
    options = " ".join(filter(None, [url.query.get("options"), f"-csearch_path={schema}"]))
    try:
        yield url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            # a connection a test leaked must not hang the run forever
            conn.execute(sa.text("SET LOCAL lock_timeout = '20s'"))
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
