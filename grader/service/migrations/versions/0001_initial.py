"""Initial schema: students, aufgaben (with their policies), handins and their gradings.

Moments are UTC without zone (``grader.service.models.UTCDateTime``).

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('aufgaben',
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('opens', sa.DateTime(), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('late', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=True),
    sa.Column('cooldown_minutes', sa.Float(), nullable=False),
    sa.Column('hidden_before_deadline', sa.String(length=16), nullable=False),
    sa.Column('counts', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('number')
    )
    op.create_table('students',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('instructor', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('handins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('aufgabe', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['aufgabe'], ['aufgaben.number'], ),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('student_id', 'aufgabe', 'seq', name='uq_handins_student_aufgabe_seq')
    )
    with op.batch_alter_table('handins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handins_student_id'), ['student_id'], unique=False)

    op.create_table('gradings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handin_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['handin_id'], ['handins.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gradings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gradings_handin_id'), ['handin_id'], unique=False)
        batch_op.create_index('ix_gradings_state', ['state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('gradings', schema=None) as batch_op:
        batch_op.drop_index('ix_gradings_state')
        batch_op.drop_index(batch_op.f('ix_gradings_handin_id'))

    op.drop_table('gradings')
    with op.batch_alter_table('handins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handins_student_id'))

    op.drop_table('handins')
    op.drop_table('students')
    op.drop_table('aufgaben')
