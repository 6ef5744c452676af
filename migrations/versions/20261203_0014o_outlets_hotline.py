"""service outlets (desk, rate card, assessments, settlements); missed calls and call backs;
the knowledge base with its own search index (issue 18)

Revision ID: 0014o
Revises: 0014a
Create Date: 2026-12-03 18:37:45.224447
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014o'
down_revision: str | None = "0014a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('articles',
    sa.Column('status', sa.Enum('DRAFT', 'PUBLISHED', 'RETIRED', name='articlestatus', native_enum=False, length=32), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('latest_revision', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('model_ids', sa.JSON(), nullable=False),
    sa.Column('fault_codes', sa.JSON(), nullable=False),
    sa.Column('symptoms', sa.JSON(), nullable=False),
    sa.Column('versions', sa.String(length=100), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles'))
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_status_updated', ['status', 'updated_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_version'), ['version'], unique=False)

    op.create_table('article_terms',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('article_id', sa.String(length=36), nullable=False),
    sa.Column('term', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_terms_article_id_articles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_terms'))
    )
    with op.batch_alter_table('article_terms', schema=None) as batch_op:
        batch_op.create_index('ix_article_terms_term', ['term', 'article_id'], unique=False)
        batch_op.create_index('uq_article_terms_pair', ['article_id', 'term'], unique=True)

    op.create_table('article_revisions',
    sa.Column('article_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('model_ids', sa.JSON(), nullable=False),
    sa.Column('fault_codes', sa.JSON(), nullable=False),
    sa.Column('symptoms', sa.JSON(), nullable=False),
    sa.Column('versions', sa.String(length=100), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_revisions_article_id_articles')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_article_revisions_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_revisions'))
    )
    with op.batch_alter_table('article_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_revisions_version'), ['version'], unique=False)
        batch_op.create_index('uq_article_revisions_number', ['article_id', 'number'], unique=True)

    op.create_table('outlet_assessments',
    sa.Column('outlet_id', sa.String(length=36), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('assessor_id', sa.String(length=36), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total_score', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessor_id'], ['users.id'], name=op.f('fk_outlet_assessments_assessor_id_users')),
    sa.ForeignKeyConstraint(['outlet_id'], ['service_outlets.id'], name=op.f('fk_outlet_assessments_outlet_id_service_outlets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outlet_assessments'))
    )
    with op.batch_alter_table('outlet_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_outlet_assessments_outlet', ['outlet_id', 'period_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_outlet_assessments_version'), ['version'], unique=False)

    op.create_table('outlet_settlements',
    sa.Column('outlet_id', sa.String(length=36), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'CONFIRMED', 'PAID', name='settlementstatus', native_enum=False, length=32), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('adjustments', sa.JSON(), nullable=False),
    sa.Column('job_count', sa.Integer(), nullable=False),
    sa.Column('jobs_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('parts_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('adjustments_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.String(length=36), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_by_id', sa.String(length=36), nullable=True),
    sa.Column('payment_reference', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_outlet_settlements_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['outlet_id'], ['service_outlets.id'], name=op.f('fk_outlet_settlements_outlet_id_service_outlets')),
    sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], name=op.f('fk_outlet_settlements_paid_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outlet_settlements'))
    )
    with op.batch_alter_table('outlet_settlements', schema=None) as batch_op:
        batch_op.create_index('ix_outlet_settlements_month', ['month', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outlet_settlements_version'), ['version'], unique=False)
        batch_op.create_index('uq_outlet_settlements_month', ['outlet_id', 'month'], unique=True)

    op.create_table('missed_calls',
    sa.Column('call_id', sa.String(length=100), nullable=False),
    sa.Column('caller_number', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queue', sa.String(length=50), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('branch_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.Enum('OPEN', 'RETURNED', 'CLOSED', name='missedcallstatus', native_enum=False, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_missed_calls_branch_id_branches')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_missed_calls_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_missed_calls')),
    sa.UniqueConstraint('call_id', name=op.f('uq_missed_calls_call_id'))
    )
    with op.batch_alter_table('missed_calls', schema=None) as batch_op:
        batch_op.create_index('ix_missed_calls_branch_called', ['branch_id', 'called_at'], unique=False)
        batch_op.create_index('ix_missed_calls_called', ['called_at'], unique=False)
        batch_op.create_index('ix_missed_calls_open', ['status', 'called_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_missed_calls_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_missed_calls_version'), ['version'], unique=False)

    op.create_table('callback_attempts',
    sa.Column('missed_call_id', sa.String(length=36), nullable=False),
    sa.Column('agent_id', sa.String(length=36), nullable=False),
    sa.Column('outcome', sa.Enum('REACHED', 'NO_ANSWER', 'BUSY', 'WRONG_NUMBER', 'VOICEMAIL', name='callbackoutcome', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_callback_attempts_agent_id_users')),
    sa.ForeignKeyConstraint(['missed_call_id'], ['missed_calls.id'], name=op.f('fk_callback_attempts_missed_call_id_missed_calls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_attempts'))
    )
    with op.batch_alter_table('callback_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_attempts_missed_call_id'), ['missed_call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callback_attempts_version'), ['version'], unique=False)

    with op.batch_alter_table('service_outlets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('mobile', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('email', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('province', sa.String(length=50), server_default='', nullable=False))
        batch_op.add_column(sa.Column('city', sa.String(length=50), server_default='', nullable=False))
        batch_op.add_column(sa.Column('district', sa.String(length=50), server_default='', nullable=False))
        batch_op.add_column(sa.Column('rate_card', sa.JSON(), server_default='{}', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('service_outlets', schema=None) as batch_op:
        batch_op.drop_column('rate_card')
        batch_op.drop_column('district')
        batch_op.drop_column('city')
        batch_op.drop_column('province')
        batch_op.drop_column('email')
        batch_op.drop_column('mobile')
        batch_op.drop_column('phone')

    with op.batch_alter_table('callback_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_attempts_version'))
        batch_op.drop_index(batch_op.f('ix_callback_attempts_missed_call_id'))

    op.drop_table('callback_attempts')
    with op.batch_alter_table('missed_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_missed_calls_version'))
        batch_op.drop_index(batch_op.f('ix_missed_calls_phone'))
        batch_op.drop_index('ix_missed_calls_open')
        batch_op.drop_index('ix_missed_calls_called')
        batch_op.drop_index('ix_missed_calls_branch_called')

    op.drop_table('missed_calls')
    with op.batch_alter_table('outlet_settlements', schema=None) as batch_op:
        batch_op.drop_index('uq_outlet_settlements_month')
        batch_op.drop_index(batch_op.f('ix_outlet_settlements_version'))
        batch_op.drop_index('ix_outlet_settlements_month')

    op.drop_table('outlet_settlements')
    with op.batch_alter_table('outlet_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outlet_assessments_version'))
        batch_op.drop_index('ix_outlet_assessments_outlet')

    op.drop_table('outlet_assessments')
    with op.batch_alter_table('article_revisions', schema=None) as batch_op:
        batch_op.drop_index('uq_article_revisions_number')
        batch_op.drop_index(batch_op.f('ix_article_revisions_version'))

    op.drop_table('article_revisions')
    with op.batch_alter_table('article_terms', schema=None) as batch_op:
        batch_op.drop_index('uq_article_terms_pair')
        batch_op.drop_index('ix_article_terms_term')

    op.drop_table('article_terms')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_version'))
        batch_op.drop_index('ix_articles_status_updated')

    op.drop_table('articles')
