"""Shared by the subscription tests: the page query, and reading what is stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from models.events import OutboxEvent
from models.subscription import SkippedCycle, Subscription, SubscriptionEvent, SubscriptionLine
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id

SUBSCRIPTION_FIELDS = """
  id status nextOrderDate pausedUntil isPrepaid prepaidOrdersRemaining
  frequency { interval intervalCount }
  availableFrequencies { interval intervalCount }
  lines { id quantity oneTime unitPrice { amount currencyCode } variant { id title } }
  shippingAddress { line1 city countryCode }
  paymentMethod { id last4 }
  discounts { code title amount { amount } }
  upcomingOrder { date subtotal { amount } total { amount }
    lines { id oneTime } discounts { code amount { amount } } }
  actions {
    canChangeNextOrderDate canChangeFrequency canEditShippingAddress canUpdatePaymentMethod
    canSwapProduct canChangeVariant canGetNow canSkip canUnskip canAddProduct canEditLines
    canApplyDiscount canPause canUnpause canCancel canAcceptRetentionOffer canReactivate
  }
  pauseOptions { id label days }
  cancelReasons { code label requiresComment }
  retentionOffer { id title price { amount } percentOff }
  upsellVariants { id title }
  schedule(first: 4) { date skipped }
"""

PAYLOAD = "subscription { " + SUBSCRIPTION_FIELDS + " } userErrors { code field message }"


def sid(sub: Subscription | int) -> str:
    return to_global_id("Subscription", sub if isinstance(sub, int) else sub.id)


async def stored(rt: Runtime, sub_id: int) -> dict[str, Any]:
    """Everything a change may touch, to compare before and after a refusal."""
    async with rt.db.read() as session:
        row = await session.get(Subscription, sub_id)
        assert row is not None
        lines = (
            await session.execute(
                select(
                    SubscriptionLine.id,
                    SubscriptionLine.variant_id,
                    SubscriptionLine.quantity,
                    SubscriptionLine.unit_price,
                    SubscriptionLine.one_time,
                ).where(SubscriptionLine.subscription_id == sub_id)  # type: ignore[arg-type]
            )
        ).all()
        skips = (
            await session.scalars(
                select(SkippedCycle.order_date).where(SkippedCycle.subscription_id == sub_id)  # type: ignore[arg-type]
            )
        ).all()
        history = await session.scalar(select(func.count()).select_from(SubscriptionEvent))
        events = await session.scalar(select(func.count()).select_from(OutboxEvent))
        values = {c.name: getattr(row, c.name) for c in Subscription.__table__.columns}  # type: ignore[attr-defined]
    return {
        "row": values,
        "lines": sorted(lines),
        "skips": sorted(skips),
        "history": history,
        "events": events,
    }


async def history(rt: Runtime, sub_id: int) -> list[SubscriptionEvent]:
    async with rt.db.read() as session:
        rows = await session.scalars(
            select(SubscriptionEvent)
            .where(SubscriptionEvent.subscription_id == sub_id)  # type: ignore[arg-type]
            .order_by(SubscriptionEvent.id)  # type: ignore[arg-type]
        )
        return list(rows)


async def topics(rt: Runtime) -> list[str]:
    async with rt.db.read() as session:
        rows = await session.scalars(select(OutboxEvent.topic).order_by(OutboxEvent.id))  # type: ignore[arg-type]
        return [str(t) for t in rows]


def mutation(name: str, input_type: str) -> str:
    return f"""
mutation($input: {input_type}!) {{
  {name}(input: $input) {{ {PAYLOAD} }}
}}
"""
