"""a symposium's coordinator and symposists

Revision ID: a16i00000001
Revises: a16h00000001
Create Date: 2026-12-08 10:00:00

Until now a symposium had only the lecturer fields, and its 次第 split the lecturer's name at
「、」 or 「／」 into its speakers. Those names become symposists here (the one affiliation
given goes to each of them), so the lecturer fields of a symposium now mean its keynote only.
"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16i00000001'
down_revision = 'a16h00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('supplementary_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coordinator_name', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('coordinator_org', sa.String(length=200), server_default='', nullable=False))
    symposist = op.create_table('symposist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('affiliation', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['supplementary_event.id'], name=op.f('fk_symposist_event_id_supplementary_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_symposist'))
    )
    with op.batch_alter_table('symposist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_symposist_event_id'), ['event_id'], unique=False)

    # the speakers a symposium's lecturer fields named become its symposists
    event = sa.table('supplementary_event', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                     sa.column('lecturer_name', sa.String), sa.column('lecturer_org', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(event.c.id, event.c.lecturer_name, event.c.lecturer_org)
                              .where(event.c.kind == 'symposium', event.c.lecturer_name != '')).all()
    for event_id, name, org in rows:
        names = [n.strip() for n in re.split(r"[、,，/／]", name) if n.strip()]
        connection.execute(symposist.insert(), [
            {"event_id": event_id, "position": i, "name": n[:100], "affiliation": (org or "")[:200], "topic": ""}
            for i, n in enumerate(names)])
        connection.execute(event.update().where(event.c.id == event_id).values(lecturer_name='', lecturer_org=''))


def downgrade():
    with op.batch_alter_table('symposist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_symposist_event_id'))
    op.drop_table('symposist')
    with op.batch_alter_table('supplementary_event', schema=None) as batch_op:
        batch_op.drop_column('coordinator_org')
        batch_op.drop_column('coordinator_name')
