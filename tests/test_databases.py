"""The test databases (tests/databases.py): every test gets every table and no rows, ids from 1,
even after the test before it wrote rows or dropped tables in the same worker's database."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from planner.models import Prefecture

PREFECTURES = Prefecture.__table__


def _add_prefecture(url: str, name: str) -> int:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            return conn.execute(PREFECTURES.insert().values(name=name)).inserted_primary_key[0]
    finally:
        engine.dispose()


def _prefecture_names(url: str) -> list[str]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(sa.select(PREFECTURES.c.name)))
    finally:
        engine.dispose()


def test_a_database_handed_out_after_another_has_no_rows_and_ids_from_one(schema_source, tmp_path):
    first = schema_source.empty(tmp_path / "first.sqlite")
    assert _add_prefecture(first, "大分県") == 1
    assert _add_prefecture(first, "宮崎県") == 2

    second = schema_source.empty(tmp_path / "second.sqlite")

    assert _prefecture_names(second) == []
    assert _add_prefecture(second, "熊本県") == 1


def test_a_database_handed_out_after_a_test_added_a_table_has_only_the_app_tables(schema_source, tmp_path):
    first = schema_source.empty(tmp_path / "first.sqlite")
    _add_prefecture(first, "大分県")
    engine = sa.create_engine(first, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
    engine.dispose()

    second = schema_source.empty(tmp_path / "second.sqlite")

    engine = sa.create_engine(second, poolclass=NullPool)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert "stray" not in tables and {t.name for t in PREFECTURES.metadata.sorted_tables} <= tables
    assert _prefecture_names(second) == []


def test_the_app_fixture_sees_the_tables_of_its_database(app, database_url):
    assert _prefecture_names(database_url) == []
    assert _add_prefecture(database_url, "大分県") == 1
    with app.app_context():
        from planner.models.db import db
        assert db.session.scalar(sa.select(Prefecture.name)) == "大分県"


def test_a_database_handed_out_after_a_test_dropped_the_tables_has_them_again(schema_source, tmp_path):
    first = schema_source.empty(tmp_path / "first.sqlite")
    engine = sa.create_engine(first, poolclass=NullPool)
    PREFECTURES.metadata.drop_all(engine)
    engine.dispose()

    second = schema_source.empty(tmp_path / "second.sqlite")

    assert _prefecture_names(second) == []
    assert _add_prefecture(second, "大分県") == 1
