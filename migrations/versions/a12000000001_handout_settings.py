"""handout settings: the prefecture's organiser and contact, the training's venue details

Revision ID: a12000000001
Revises: 6ba030651b43
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a12000000001'
down_revision = '6ba030651b43'
branch_labels = None
depends_on = None

PREFECTURE_TEXT = (("department", 100), ("letter_sender", 100), ("contact_section", 100),
                   ("contact_name", 100), ("contact_phone", 30), ("contact_email", 254))
TRAINING_TEXT = (("venue_address", 200), ("venue_access", 300), ("belongings", 300),
                 ("equipment", 300))


def upgrade():
    with op.batch_alter_table('prefecture', schema=None) as batch_op:
        for name, length in PREFECTURE_TEXT:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))
    with op.batch_alter_table('training', schema=None) as batch_op:
        for name, length in TRAINING_TEXT:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reception_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('materials_deadline', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('training', schema=None) as batch_op:
        for name in ('materials_deadline', 'reception_time', *(n for n, _ in reversed(TRAINING_TEXT))):
            batch_op.drop_column(name)
    with op.batch_alter_table('prefecture', schema=None) as batch_op:
        for name, _ in reversed(PREFECTURE_TEXT):
            batch_op.drop_column(name)
