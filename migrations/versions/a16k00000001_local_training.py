"""a local training beyond the four: its own title and aim; local subjects' team lecturer and cases

Revision ID: a16k00000001
Revises: a16j00000001
Create Date: 2026-12-07 16:30:00

The source's 「地域の実情に応じた専門的な研修」 becomes a fifth kind of training (curriculum key
'local'), built only from local subjects. It carries its own title and aim; a local subject may
be taught by the team (a lecturer role) and may use cases (a case reporter role).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a16k00000001'
down_revision = 'a16j00000001'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN with constant defaults: on SQLite a batch that recreates a table would
    # drop the old one, and its ON DELETE CASCADE children (subjects, events, slots) with it.
    with op.batch_alter_table('training', schema=None) as batch_op:
        batch_op.add_column(sa.Column('local_title', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('aim', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('training_subject', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_lecturer', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('uses_cases', sa.Boolean(), server_default='0', nullable=False))


def _drop(table: str, column: str) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')  # in place: no copy, no cascade
    else:
        op.drop_column(table, column)


def downgrade():
    for table, column in (('training_subject', 'uses_cases'), ('training_subject', 'team_lecturer'),
                          ('training', 'aim'), ('training', 'local_title')):
        _drop(table, column)
