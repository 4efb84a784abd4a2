"""curricula editions, and the edition of each plan

Revision ID: a16h00000001
Revises: a16g00000001
Create Date: 2026-12-07 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16h00000001'
down_revision = 'a16g00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('curricula_edition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('curriculum_key', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('toml_text', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curricula_edition')),
    sa.UniqueConstraint('name', 'curriculum_key', name=op.f('uq_curricula_edition_name'))
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('curricula_edition', sa.String(length=40), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('curricula_edition')
    op.drop_table('curricula_edition')
