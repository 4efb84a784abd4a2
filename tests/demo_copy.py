"""The demo world, for tests that start from it: `flask demo` (flask_demo) or
planner.services.demo.load_demo (loaded_demo).

Each runs for real once per pytest process (on the first test's database; test_cli.py tests
the command itself); each later test gets a copy of the rows it wrote, ids included, in its
own empty database: the same world in a fraction of a second instead of several seconds.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask

from planner.models.db import db

#: per (world, engine): each table with the rows the world's maker wrote to it
_rows: dict[tuple[str, str], list[tuple[sa.Table, list[dict]]]] = {}


def flask_demo(app: Flask) -> None:
    """Fill the app's empty database as `flask --app app demo` would."""
    def make():
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
    _fill(app, "flask demo", make)


def loaded_demo(app: Flask) -> None:
    """Fill the app's empty database as load_demo() would."""
    def make():
        from planner.services.demo import load_demo
        with app.app_context():
            load_demo()
            db.session.commit()
    _fill(app, "load_demo", make)


def _fill(app: Flask, world: str, make: Callable[[], None]) -> None:
    with app.app_context():
        engine = db.engine
    key = (world, engine.dialect.name)
    if key not in _rows:
        make()
        with engine.connect() as conn:
            _rows[key] = [(table, [dict(row._mapping) for row in conn.execute(table.select())])
                          for table in db.metadata.sorted_tables]
        return
    with engine.begin() as conn:
        for table, rows in _rows[key]:
            if rows:
                conn.execute(table.insert(), rows)
        if engine.dialect.name == "postgresql":
            # ids were given: move each id sequence past them, as the maker's inserts did
            for table, rows in _rows[key]:
                for column in table.primary_key.columns:
                    if rows and column.autoincrement is not False and isinstance(column.type, sa.Integer):
                        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence(:t, :c), :n)"),
                                     {"t": f'"{table.name}"', "c": column.name,
                                      "n": max(row[column.name] for row in rows)})
