"""several of the source's options per subject

Revision ID: a16j00000001
Revises: a16i00000001
Create Date: 2026-12-07 16:30:00

A subject's chosen option was one key (`option_key`); the team may now switch on any of the
source's options together, so the column holds the chosen keys comma-joined (`option_keys`).
A single stored key is already such a list of one, so the values are kept as they are.

The new column is added, filled and the old one dropped in place. On SQLite a batch operation
would copy the table, and dropping the old copy deletes the rows that refer to it (foreign keys
ON DELETE CASCADE: the programme versions, role slots, supplements, materials); adding a column
and SQLite's own DROP COLUMN (3.35 and later) leave them alone.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16j00000001'
down_revision = 'a16i00000001'
branch_labels = None
depends_on = None

TABLES = ('training_subject', 'programme_entry')


def _drop(table: str, column: str) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')  # in place, no copy of the table
    else:
        op.drop_column(table, column)


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column('option_keys', sa.Text(), nullable=False, server_default=''))
        rows = sa.table(table, sa.column('option_key', sa.String), sa.column('option_keys', sa.Text))
        op.execute(rows.update().values(option_keys=rows.c.option_key))  # one key: a set of one
        _drop(table, 'option_key')


def downgrade():
    connection = op.get_bind()
    for table in TABLES:
        op.add_column(table, sa.Column('option_key', sa.String(length=40), nullable=False, server_default=''))
        rows = sa.table(table, sa.column('id', sa.Integer), sa.column('option_key', sa.String),
                        sa.column('option_keys', sa.Text))
        # only the first chosen key fits the old single column
        for row_id, keys in connection.execute(sa.select(rows.c.id, rows.c.option_keys)
                                               .where(rows.c.option_keys != '')).all():
            connection.execute(rows.update().where(rows.c.id == row_id).values(option_key=keys.split(',')[0]))
        _drop(table, 'option_keys')
