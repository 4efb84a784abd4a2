"""application link: the nonce last mailed to the contact person

Revision ID: a16b00000001
Revises: a16a00000001
Create Date: 2026-12-07 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16b00000001'
down_revision = 'a16a00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailed_nonce', sa.String(length=64), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('application_link', schema=None) as batch_op:
        batch_op.drop_column('mailed_nonce')
