"""sessions in the timetable (longest block per training) and the team's programme per subject

Revision ID: a13000000001
Revises: a11000000001
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a13000000001'
down_revision = 'a11000000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training') as batch_op:
        batch_op.add_column(sa.Column('longest_block', sa.Integer(), nullable=False, server_default='90'))
        batch_op.add_column(sa.Column('adopted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('adopted_by', sa.String(length=100), nullable=False, server_default=''))
    with op.batch_alter_table('training_subject') as batch_op:
        batch_op.add_column(sa.Column('option_key', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('draft_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('draft_minutes_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('draft_minutes_max', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('draft_lectures', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('draft_session_minutes', sa.String(length=200), nullable=False, server_default=''))
    op.create_table('programme_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('emphasis', sa.Text(), nullable=False),
    sa.Column('key_points', sa.Text(), nullable=False),
    sa.Column('how_to_run', sa.Text(), nullable=False),
    sa.Column('worksheets', sa.Text(), nullable=False),
    sa.Column('option_key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['training_subject.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subject_id', 'version', name='uq_programme_entry_version')
    )
    with op.batch_alter_table('programme_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_entry_subject_id'), ['subject_id'], unique=False)
    op.create_table('supplementary_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('lecturer_name', sa.String(length=100), nullable=False),
    sa.Column('lecturer_org', sa.String(length=200), nullable=False),
    sa.Column('effect', sa.String(length=20), nullable=False),
    sa.Column('shortened_minutes', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['training_subject.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subject_id', 'day', 'start_time', name='uq_supplementary_event_start')
    )
    with op.batch_alter_table('supplementary_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplementary_event_subject_id'), ['subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('supplementary_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplementary_event_subject_id'))
    op.drop_table('supplementary_event')
    with op.batch_alter_table('programme_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_entry_subject_id'))
    op.drop_table('programme_entry')
    with op.batch_alter_table('training_subject') as batch_op:
        batch_op.drop_column('draft_session_minutes')
        batch_op.drop_column('draft_lectures')
        batch_op.drop_column('draft_minutes_max')
        batch_op.drop_column('draft_minutes_min')
        batch_op.drop_column('draft_name')
        batch_op.drop_column('option_key')
    with op.batch_alter_table('training') as batch_op:
        batch_op.drop_column('adopted_by')
        batch_op.drop_column('adopted_at')
    with op.batch_alter_table('training') as batch_op:
        batch_op.drop_column('longest_block')  # last: the training table is rebuilt once more on SQLite
