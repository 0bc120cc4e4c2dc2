"""LTI 1.3: the platform (Moodle), its users and activities, the scores sent to its gradebook.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lti_platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('deployment_ids', sa.Text(), nullable=False),
    sa.Column('auth_login_url', sa.String(length=500), nullable=False),
    sa.Column('auth_token_url', sa.String(length=500), nullable=False),
    sa.Column('key_set_url', sa.String(length=500), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('memberships_url', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('issuer', 'client_id', name='uq_lti_platforms_issuer_client')
    )
    op.create_table('lti_values',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('expires', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('lti_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('sub', sa.String(length=255), nullable=False),
    sa.Column('instructor', sa.Boolean(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform_id', 'sub', 'instructor', name='uq_lti_accounts_platform_sub_role')
    )
    op.create_index(op.f('ix_lti_accounts_student_id'), 'lti_accounts', ['student_id'], unique=False)
    op.create_table('lti_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('aufgabe', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('lineitem', sa.String(length=500), nullable=False),
    sa.Column('lineitems', sa.String(length=500), nullable=False),
    sa.Column('scopes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['aufgabe'], ['aufgaben.number'], ),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform_id', 'resource_link_id', name='uq_lti_links_platform_link')
    )
    op.create_table('lti_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('sent', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('next_try', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['lti_accounts.id'], ),
    sa.ForeignKeyConstraint(['link_id'], ['lti_links.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'link_id', name='uq_lti_scores_account_link')
    )


def downgrade() -> None:
    op.drop_table('lti_scores')
    op.drop_table('lti_links')
    op.drop_index(op.f('ix_lti_accounts_student_id'), table_name='lti_accounts')
    op.drop_table('lti_accounts')
    op.drop_table('lti_values')
    op.drop_table('lti_platforms')
