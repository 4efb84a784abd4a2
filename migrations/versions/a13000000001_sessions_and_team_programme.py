"""sessions in the timetable: the longest block without a break per training

Revision ID: a13000000001
Revises: 6ba030651b43
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a13000000001'
down_revision = '6ba030651b43'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training') as batch_op:
        batch_op.add_column(sa.Column('longest_block', sa.Integer(), nullable=False, server_default='90'))


def downgrade():
    with op.batch_alter_table('training') as batch_op:
        batch_op.drop_column('longest_block')
