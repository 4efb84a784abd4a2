"""The committed migrations build exactly the schema the models describe, and keep the data."""
from datetime import date, datetime, time

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from planner.models.db import db


def test_migrations_upgrade_to_the_models_schema(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})

    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()

    assert diff == []


def _filler(column: sa.Column, ids: dict[str, int]):
    """A value for a required column of an old schema: the parent's id, or any value of its type."""
    for fk in column.foreign_keys:
        return ids.get(fk.column.table.name)
    python = column.type.python_type
    return {int: 1, str: "x", bool: False, date: date(2026, 2, 18), time: time(9, 0),
            datetime: datetime(2026, 1, 1)}.get(python)


def _insert(connection, table: sa.Table, ids: dict[str, int], **values) -> int:
    row = {c.name: _filler(c, ids) for c in table.columns
           if not c.nullable and c.server_default is None and not c.primary_key} | values
    ids[table.name] = connection.execute(table.insert().values(row)).inserted_primary_key[0]
    return ids[table.name]


def test_several_options_keep_the_single_option_stored_before(empty_database_url):
    """a16j00000001 renames option_key to option_keys: a stored key becomes the set of that one."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="a16i00000001")
        old = sa.MetaData()
        old.reflect(db.engine)
        ids: dict[str, int] = {}
        with db.engine.begin() as connection:
            for name in ("prefecture", "plan", "training"):
                _insert(connection, old.tables[name], ids)
            _insert(connection, old.tables["training_subject"], ids, letter="C", option_key="75")
            _insert(connection, old.tables["user"], ids, email="a@example.jp")
            _insert(connection, old.tables["programme_entry"], ids, option_key="75", author_id=None)
        upgrade()
        with db.engine.begin() as connection:
            subject = connection.execute(sa.text("SELECT option_keys FROM training_subject")).scalar_one()
            # the programme version that refers to the subject is still there (no copy of the table)
            entry = connection.execute(sa.text("SELECT option_keys FROM programme_entry")).scalar_one()
            connection.execute(sa.text("UPDATE training_subject SET option_keys = 'dialogue,three_stages'"))
        downgrade(revision="a16i00000001")
        with db.engine.connect() as connection:
            back = connection.execute(sa.text("SELECT option_key FROM training_subject")).scalar_one()
        db.engine.dispose()

    assert (subject, entry) == ("75", "75")
    assert back == "dialogue"  # the old column holds the first key
