"""subscriptions: schedules, lines, skips, discounts, history, and the merchant's portal options

Existing rows get the defaults the models declare: three skips, a 180-day date
horizon, every product swap-eligible and none offered as an upsell.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
import sqlmodel

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cancel_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('requires_comment', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cancel_reason')),
    sa.UniqueConstraint('code', name=op.f('uq_cancel_reason_code'))
    )
    op.create_table('discount_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('value', models.base.MoneyAmount(precision=14, scale=4), nullable=False),
    sa.Column('recurring', sa.Boolean(), nullable=False),
    sa.Column('min_subtotal', models.base.MoneyAmount(precision=14, scale=4), nullable=True),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('usage_limit', sa.Integer(), nullable=True),
    sa.Column('per_customer_limit', sa.Integer(), nullable=True),
    sa.Column('times_used', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discount_code')),
    sa.UniqueConstraint('code', name=op.f('uq_discount_code_code'))
    )
    op.create_table('pause_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pause_option'))
    )
    op.create_table('retention_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('percent_off', models.base.MoneyAmount(precision=14, scale=4), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_offer'))
    )
    op.create_table('subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('anchor_date', sa.Date(), nullable=False),
    sa.Column('next_order_date', sa.Date(), nullable=True),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('interval', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('interval_count', sa.Integer(), nullable=False),
    sa.Column('allowed_frequencies', sa.JSON(), nullable=False),
    sa.Column('is_prepaid', sa.Boolean(), nullable=False),
    sa.Column('prepaid_cycles', sa.Integer(), nullable=True),
    sa.Column('prepaid_cycles_remaining', sa.Integer(), nullable=True),
    sa.Column('currency_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('shipping_address', sa.JSON(), nullable=True),
    sa.Column('payment_method_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('last_early_order_on', sa.Date(), nullable=True),
    sa.Column('retention_offer_id', sa.Integer(), nullable=True),
    sa.Column('retention_accepted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason_code', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('cancel_comment', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_subscription_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_method_id'], ['payment_method.id'], name=op.f('fk_subscription_payment_method_id_payment_method'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_subscription_product_id_product'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['retention_offer_id'], ['retention_offer.id'], name=op.f('fk_subscription_retention_offer_id_retention_offer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription'))
    )
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_customer_created', ['customer_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_payment_method_id'), ['payment_method_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_retention_offer_id'), ['retention_offer_id'], unique=False)
        batch_op.create_index('ix_subscription_status_next', ['status', 'next_order_date'], unique=False)

    op.create_table('skipped_cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_skipped_cycle_subscription_id_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skipped_cycle')),
    sa.UniqueConstraint('subscription_id', 'order_date', name=op.f('uq_skipped_cycle_subscription_id_order_date'))
    )
    with op.batch_alter_table('skipped_cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skipped_cycle_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('subscription_discount',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('discount_code_id', sa.Integer(), nullable=False),
    sa.Column('applied_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['discount_code_id'], ['discount_code.id'], name=op.f('fk_subscription_discount_discount_code_id_discount_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_subscription_discount_subscription_id_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_discount')),
    sa.UniqueConstraint('subscription_id', 'discount_code_id', name=op.f('uq_subscription_discount_subscription_id_discount_code_id'))
    )
    with op.batch_alter_table('subscription_discount', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscription_discount_discount_code_id'), ['discount_code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_discount_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('subscription_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_subscription_event_subscription_id_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_event'))
    )
    with op.batch_alter_table('subscription_event', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_event_subscription_created', ['subscription_id', 'created_at', 'id'], unique=False)

    op.create_table('subscription_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', models.base.MoneyAmount(precision=14, scale=4), nullable=False),
    sa.Column('one_time', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_subscription_line_subscription_id_subscription'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['product_variant.id'], name=op.f('fk_subscription_line_variant_id_product_variant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_line'))
    )
    with op.batch_alter_table('subscription_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscription_line_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_line_variant_id'), ['variant_id'], unique=False)

    op.create_table('discount_redemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discount_code_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_discount_redemption_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['discount_code_id'], ['discount_code.id'], name=op.f('fk_discount_redemption_discount_code_id_discount_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['customer_order.id'], name=op.f('fk_discount_redemption_order_id_customer_order'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discount_redemption'))
    )
    with op.batch_alter_table('discount_redemption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discount_redemption_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discount_redemption_discount_code_id'), ['discount_code_id'], unique=False)

    with op.batch_alter_table('customer_account_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sub_edit_lines', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('max_skip_cycles', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('date_horizon_days', sa.Integer(), nullable=False, server_default='180'))

    with op.batch_alter_table('customer_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subscription_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_customer_order_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_customer_order_subscription_id_subscription'), 'subscription', ['subscription_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('swap_eligible', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('upsell_eligible', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_ticket_subscription_id_subscription'), 'subscription', ['subscription_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ticket_subscription_id_subscription'), type_='foreignkey')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('upsell_eligible')
        batch_op.drop_column('swap_eligible')

    with op.batch_alter_table('customer_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_customer_order_subscription_id_subscription'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_customer_order_subscription_id'))
        batch_op.drop_column('subscription_id')

    with op.batch_alter_table('customer_account_settings', schema=None) as batch_op:
        batch_op.drop_column('date_horizon_days')
        batch_op.drop_column('max_skip_cycles')
        batch_op.drop_column('sub_edit_lines')

    with op.batch_alter_table('discount_redemption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discount_redemption_discount_code_id'))
        batch_op.drop_index(batch_op.f('ix_discount_redemption_customer_id'))

    op.drop_table('discount_redemption')
    with op.batch_alter_table('subscription_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_line_variant_id'))
        batch_op.drop_index(batch_op.f('ix_subscription_line_subscription_id'))

    op.drop_table('subscription_line')
    with op.batch_alter_table('subscription_event', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_event_subscription_created')

    op.drop_table('subscription_event')
    with op.batch_alter_table('subscription_discount', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_discount_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_subscription_discount_discount_code_id'))

    op.drop_table('subscription_discount')
    with op.batch_alter_table('skipped_cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skipped_cycle_subscription_id'))

    op.drop_table('skipped_cycle')
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_status_next')
        batch_op.drop_index(batch_op.f('ix_subscription_retention_offer_id'))
        batch_op.drop_index(batch_op.f('ix_subscription_product_id'))
        batch_op.drop_index(batch_op.f('ix_subscription_payment_method_id'))
        batch_op.drop_index('ix_subscription_customer_created')

    op.drop_table('subscription')
    op.drop_table('retention_offer')
    op.drop_table('pause_option')
    op.drop_table('discount_code')
    op.drop_table('cancel_reason')
