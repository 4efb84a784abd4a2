"""mail outbox, invitations, account deactivation, event versions, programme versions, meetings

Revision ID: a11000000001
Revises: a10r00000001
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a11000000001'
down_revision = 'a10r00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefecture_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['prefecture_id'], ['prefecture.id'], name=op.f('fk_outbox_message_prefecture_id_prefecture'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_message_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_prefecture_id'), ['prefecture_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_status'), ['status'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefecture_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('send_count', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['prefecture_id'], ['prefecture.id'], name=op.f('fk_invitation_prefecture_id_prefecture'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('prefecture_id', 'email', name=op.f('uq_invitation_prefecture_id'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_prefecture_id'), ['prefecture_id'], unique=False)

    op.create_table('event_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_version')),
    sa.UniqueConstraint('uid', name=op.f('uq_event_version_uid'))
    )

    op.create_table('programme_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by', sa.String(length=100), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_programme_version_training_id_training'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_version')),
    sa.UniqueConstraint('training_id', 'number', name=op.f('uq_programme_version_training_id'))
    )
    with op.batch_alter_table('programme_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_version_training_id'), ['training_id'], unique=False)

    op.create_table('meeting_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('attending', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['team_member.id'], name=op.f('fk_meeting_answer_member_id_team_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_meeting_answer_milestone_id_milestone'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_answer')),
    sa.UniqueConstraint('milestone_id', 'member_id', name=op.f('uq_meeting_answer_milestone_id'))
    )
    with op.batch_alter_table('meeting_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_answer_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_answer_milestone_id'), ['milestone_id'], unique=False)

    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('end_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('place', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('online_url', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('agenda', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('minutes', sa.Text(), server_default='', nullable=False))

    # published_event rows were what each file last carried; they now mean what each person
    # was sent by mail, which nobody has been yet
    op.execute("DELETE FROM published_event")
    with op.batch_alter_table('published_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('location', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('url', sa.String(length=500), server_default='', nullable=False))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('published_event', schema=None) as batch_op:
        for column in ('url', 'location', 'description'):
            batch_op.drop_column(column)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('active')
    op.drop_table('event_version')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        for column in ('minutes', 'agenda', 'online_url', 'place', 'end_time', 'start_time'):
            batch_op.drop_column(column)
    with op.batch_alter_table('meeting_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_answer_milestone_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_answer_member_id'))
    op.drop_table('meeting_answer')
    with op.batch_alter_table('programme_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_version_training_id'))
    op.drop_table('programme_version')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_prefecture_id'))
    op.drop_table('invitation')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_prefecture_id'))
    op.drop_table('outbox_message')
