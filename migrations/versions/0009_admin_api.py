"""admin api: API keys, and the store's own ids of ingested orders and upserted products

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 00:00:00
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
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "store_order_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("ingest_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_customer_order_store_order_id"), ["store_order_id"]
        )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "store_product_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
            )
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_product_store_product_id"), ["store_product_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_product_store_product_id"), type_="unique")
        batch_op.drop_column("store_product_id")
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_customer_order_store_order_id"), type_="unique")
        batch_op.drop_column("ingest_digest")
        batch_op.drop_column("store_order_id")
    op.drop_table("api_key")
