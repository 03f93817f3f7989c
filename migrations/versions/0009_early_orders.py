"""early orders: getNow claims kept until their outcome, recovered by the worker

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 20:29:00.889086
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
import sqlmodel

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "early_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("shop_day", sa.Date(), nullable=False),
        sa.Column("payment_method_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("gateway_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("amount", models.base.MoneyAmount(precision=14, scale=4), nullable=False),
        sa.Column("code_ids", sa.JSON(), nullable=False),
        sa.Column("previous_early_order_on", sa.Date(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("charge_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("decline_message", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("requested_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_early_order_order_id_customer_order"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["payment_method.id"],
            name=op.f("fk_early_order_payment_method_id_payment_method"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_early_order_subscription_id_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_early_order")),
    )
    with op.batch_alter_table("early_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_early_order_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_early_order_payment_method_id"), ["payment_method_id"], unique=False
        )
        batch_op.create_index(
            "ix_early_order_status_claimed", ["status", "claimed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_early_order_subscription_id"), ["subscription_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("early_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_early_order_subscription_id"))
        batch_op.drop_index("ix_early_order_status_claimed")
        batch_op.drop_index(batch_op.f("ix_early_order_payment_method_id"))
        batch_op.drop_index(batch_op.f("ix_early_order_order_id"))

    op.drop_table("early_order")
