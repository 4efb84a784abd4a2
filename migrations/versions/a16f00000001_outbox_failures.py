"""outbox: failed messages, the time of the last error, the recipient's name

Revision ID: a16f00000001
Revises: a15000000001
Create Date: 2026-12-07 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16f00000001'
down_revision = 'a15000000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('last_error_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('last_error_at')
        batch_op.drop_column('recipient_name')
