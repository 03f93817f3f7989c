"""indexes for purging expired rows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:27:18.070968
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('customer_session', schema=None) as batch_op:
        batch_op.create_index('ix_customer_session_expires_at', ['expires_at'], unique=False)

    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
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

    with op.batch_alter_table('customer_session', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_session_expires_at')
