"""expiry indexes for purge, idempotency request hash

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:08:55.155875
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sqlmodel

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('customer_session', schema=None) as batch_op:
        batch_op.create_index('ix_customer_session_expires_at', ['expires_at'], unique=False)

    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index('ix_idempotency_key_created_at', ['created_at'], unique=False)

    with op.batch_alter_table('login_challenge', schema=None) as batch_op:
        batch_op.create_index('ix_login_challenge_expires_at', ['expires_at'], unique=False)

    with op.batch_alter_table('magic_link', schema=None) as batch_op:
        batch_op.create_index('ix_magic_link_expires_at', ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('magic_link', schema=None) as batch_op:
        batch_op.drop_index('ix_magic_link_expires_at')

    with op.batch_alter_table('login_challenge', schema=None) as batch_op:
        batch_op.drop_index('ix_login_challenge_expires_at')

    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_key_created_at')
        batch_op.drop_column('request_hash')

    with op.batch_alter_table('customer_session', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_session_expires_at')
