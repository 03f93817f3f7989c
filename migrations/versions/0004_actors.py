"""actors on idempotency keys and outbox events

Idempotency keys were scoped to a customer; they are now scoped to an actor
(`customer:42`, later `api_key:7` or `system:worker`), so the merchant API and
the worker use the same machinery. Outbox events record who caused them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sqlmodel

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    # Every key so far was a customer's.
    op.execute("UPDATE idempotency_key SET actor = 'customer:' || CAST(customer_id AS VARCHAR)")
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.alter_column('actor', existing_type=sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False)
        batch_op.drop_constraint('uq_idempotency_key_customer_id_operation_key', type_='unique')
        batch_op.drop_constraint('fk_idempotency_key_customer_id_customer', type_='foreignkey')
        batch_op.drop_column('customer_id')
        batch_op.create_unique_constraint(batch_op.f('uq_idempotency_key_actor_operation_key'), ['actor', 'operation', 'key'])

    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_column('actor')

    # Keys of other actors have no customer to belong to; they only replay results.
    op.execute("DELETE FROM idempotency_key WHERE actor NOT LIKE 'customer:%'")
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_id', sa.Integer(), nullable=True))
    op.execute("UPDATE idempotency_key SET customer_id = CAST(SUBSTR(actor, 10) AS INTEGER)")
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.alter_column('customer_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_idempotency_key_actor_operation_key', type_='unique')
        batch_op.create_foreign_key(batch_op.f('fk_idempotency_key_customer_id_customer'), 'customer', ['customer_id'], ['id'], ondelete='CASCADE')
        batch_op.create_unique_constraint(batch_op.f('uq_idempotency_key_customer_id_operation_key'), ['customer_id', 'operation', 'key'])
        batch_op.drop_column('actor')
