"""published documents (a version's handouts as they were published); lecturer fee and travel expenses

Revision ID: a16c00000001
Revises: a16b00000001
Create Date: 2026-12-07 09:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16c00000001'
down_revision = 'a16b00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('published_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['programme_version.id'], name=op.f('fk_published_document_version_id_programme_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_document')),
    sa.UniqueConstraint('version_id', 'name', name=op.f('uq_published_document_version_id'))
    )
    with op.batch_alter_table('published_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_document_version_id'), ['version_id'], unique=False)
    with op.batch_alter_table('prefecture', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lecturer_fee', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('travel_expenses', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('prefecture', schema=None) as batch_op:
        batch_op.drop_column('travel_expenses')
        batch_op.drop_column('lecturer_fee')
    with op.batch_alter_table('published_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_document_version_id'))

    op.drop_table('published_document')
