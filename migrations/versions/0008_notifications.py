"""notifications: the outbox's notification lease, and each upcoming order announced once

Events already in the outbox count as notified: a customer is not sent news of
changes made before notifications existed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
import sqlmodel

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notified_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("notify_claim", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "notify_claimed_until", models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("notify_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_outbox_event_unnotified", ["notified_at", "id"], unique=False)
    op.execute("UPDATE outbox_event SET notified_at = created_at")

    op.create_table(
        "upcoming_order_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_upcoming_order_notice_subscription_id_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upcoming_order_notice")),
        sa.UniqueConstraint(
            "subscription_id",
            "order_date",
            name=op.f("uq_upcoming_order_notice_subscription_id_order_date"),
        ),
    )

    with op.batch_alter_table("customer_account_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("upcoming_order_notice_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customer_account_settings", schema=None) as batch_op:
        batch_op.drop_column("upcoming_order_notice_days")

    op.drop_table("upcoming_order_notice")

    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_event_unnotified")
        batch_op.drop_column("notify_attempts")
        batch_op.drop_column("notify_claimed_until")
        batch_op.drop_column("notify_claim")
        batch_op.drop_column("notified_at")
