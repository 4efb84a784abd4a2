"""outbox: failed messages, the time of the last error, the recipient's name; kept slot conflicts

Revision ID: a16f00000001
Revises: a16e00000001
Create Date: 2026-12-07 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16f00000001'
down_revision = 'a16e00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('last_error_at', sa.DateTime(), nullable=True))
    op.create_table('slot_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['team_member.id'], name=op.f('fk_slot_conflict_member_id_team_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['role_slot.id'], name=op.f('fk_slot_conflict_slot_id_role_slot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot_conflict')),
    sa.UniqueConstraint('slot_id', 'member_id', 'reason', name=op.f('uq_slot_conflict_slot_id'))
    )
    with op.batch_alter_table('slot_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slot_conflict_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slot_conflict_slot_id'), ['slot_id'], unique=False)


def downgrade():
    with op.batch_alter_table('slot_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slot_conflict_slot_id'))
        batch_op.drop_index(batch_op.f('ix_slot_conflict_member_id'))
    op.drop_table('slot_conflict')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('last_error_at')
        batch_op.drop_column('recipient_name')
