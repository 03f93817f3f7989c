"""renewals: one row per charge attempt of a renewal cycle, and the merchant's dunning schedule

Existing settings rows get no schedule of their own (DUNNING_SCHEDULE applies).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
import sqlmodel

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "renewal_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("cycle_date", sa.Date(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("gateway_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("amount", models.base.MoneyAmount(precision=14, scale=4), nullable=False),
        sa.Column("code_ids", sa.JSON(), nullable=False),
        sa.Column("charge_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("decline_message", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("retry_on", sa.Date(), nullable=True),
        sa.Column("claimed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_renewal_attempt_order_id_customer_order"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_renewal_attempt_subscription_id_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_attempt")),
        sa.UniqueConstraint("gateway_key", name=op.f("uq_renewal_attempt_gateway_key")),
        sa.UniqueConstraint(
            "subscription_id",
            "cycle_date",
            "attempt",
            name=op.f("uq_renewal_attempt_subscription_id_cycle_date_attempt"),
        ),
    )
    with op.batch_alter_table("renewal_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_renewal_attempt_status_claimed", ["status", "claimed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_renewal_attempt_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_renewal_attempt_subscription_id"), ["subscription_id"], unique=False
        )

    with op.batch_alter_table("customer_account_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "dunning_schedule", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_account_settings", schema=None) as batch_op:
        batch_op.drop_column("dunning_schedule")

    with op.batch_alter_table("renewal_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renewal_attempt_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_renewal_attempt_order_id"))
        batch_op.drop_index("ix_renewal_attempt_status_claimed")

    op.drop_table("renewal_attempt")
