"""a training's chosen later days, and the prefecture's usual day

Revision ID: a16d00000001
Revises: a16c00000001
Create Date: 2026-12-07 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16d00000001'
down_revision = 'a16c00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training', schema=None) as batch_op:
        batch_op.add_column(sa.Column('later_dates', sa.String(length=60), server_default='', nullable=False))
    with op.batch_alter_table('prefecture', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_start', sa.Time(), server_default='09:00:00', nullable=False))
        batch_op.add_column(sa.Column('day_end', sa.Time(), server_default='17:45:00', nullable=False))
        batch_op.add_column(sa.Column('lunch_earliest', sa.Time(), server_default='11:30:00', nullable=False))
        batch_op.add_column(sa.Column('lunch_latest', sa.Time(), server_default='13:30:00', nullable=False))
        batch_op.add_column(sa.Column('lunch_minutes', sa.Integer(), server_default='45', nullable=False))


def downgrade():
    with op.batch_alter_table('prefecture', schema=None) as batch_op:
        for name in ('lunch_minutes', 'lunch_latest', 'lunch_earliest', 'day_end', 'day_start'):
            batch_op.drop_column(name)
    with op.batch_alter_table('training', schema=None) as batch_op:
        batch_op.drop_column('later_dates')
