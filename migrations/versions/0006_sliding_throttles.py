"""sliding-window throttles

The fixed-window counters (`rate_limit_counter`, one row per key and window)
become one sliding log per key (`throttle`): the times of the key's latest
admitted events. Live counters carry over as that many events at their
window's start, so nobody's wait starts over at the upgrade.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:30:00
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import models
import sqlmodel

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Events kept per key when converting: more than any limit the settings allow by default.
KEPT = 200
WIDTH = 13


def upgrade() -> None:
    throttle = op.create_table('throttle',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('hits', sa.Text(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttle'))
    )
    with op.batch_alter_table('throttle', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_expires_at', ['expires_at'], unique=False)

    counter = sa.table(
        'rate_limit_counter',
        sa.column('key', sa.String),
        sa.column('window_start', sa.Integer),
        sa.column('count', sa.Integer),
        sa.column('expires_at', models.base.UTCDateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    rows = op.get_bind().execute(
        sa.select(counter).where(counter.c.expires_at > now).order_by(counter.c.key, counter.c.window_start)
    ).all()
    logs: dict[str, list[str]] = defaultdict(list)
    expiry: dict[str, datetime] = {}
    for row in rows:
        logs[row.key].extend([f"{row.window_start * 1000:0{WIDTH}d}"] * row.count)
        expiry[row.key] = row.expires_at
    if logs:
        op.bulk_insert(throttle, [
            {'key': key, 'hits': ''.join(hits[-KEPT:]), 'refused': 0, 'expires_at': expiry[key]}
            for key, hits in logs.items()
        ])

    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_limit_counter_expires_at')
    op.drop_table('rate_limit_counter')


def downgrade() -> None:
    # Fixed windows cannot be rebuilt from a log; the counters start empty.
    op.create_table('rate_limit_counter',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('window_start', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_rate_limit_counter'))
    )
    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.create_index('ix_rate_limit_counter_expires_at', ['expires_at'], unique=False)
    with op.batch_alter_table('throttle', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_expires_at')
    op.drop_table('throttle')
