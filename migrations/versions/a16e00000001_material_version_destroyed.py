"""case versions destroyed once settled, and who uploaded a version

Revision ID: a16e00000001
Revises: a16d00000001
Create Date: 2026-12-07 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16e00000001'
down_revision = 'a16d00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('material_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uploaded_by_email', sa.String(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('destroyed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('destroyed_by', sa.String(length=100), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('material_version', schema=None) as batch_op:
        batch_op.drop_column('destroyed_by')
        batch_op.drop_column('destroyed_at')
        batch_op.drop_column('uploaded_by_email')
