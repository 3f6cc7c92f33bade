"""Fraud limits on buying: what a customer the shop does not know yet may spend.

For ``NEW_CUSTOMER_HOURS`` after their first /start, a customer's purchases
in any 24 hours are capped at ``NEW_CUSTOMER_MAX_SPEND`` (refunds given back
count as not spent). Every way of buying checks it inside its transaction,
after the customer row is locked, so two purchases at once cannot both pass
the cap: the chat's and the Mini App's balance purchase and cart checkout,
and a Stars order when its invoice is made and again before Telegram takes
the money. The owner and staff are not limited. A refusal is counted in
``shopbot_limit_refusals_total``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Sum
from django.utils.timezone import now

from accounts.actors import permissions_of_actor
from accounts.models import Customer
from catalog.models import Purchase
from monitoring import metrics
from payments.money import ZERO, format_money
from shopbot.errors import NewCustomerLimit

WINDOW = timedelta(hours=24)


def spend_left(customer: Customer, *, at: datetime | None = None) -> Decimal | None:
    """Return what a new customer may still spend in the next 24 hours, or None when not limited."""
    cap, hours = settings.NEW_CUSTOMER_MAX_SPEND, settings.NEW_CUSTOMER_HOURS
    at = at or now()
    if not cap or not hours or customer.created <= at - timedelta(hours=hours):
        return None
    if customer.is_owner or permissions_of_actor(customer):
        return None
    recent = Purchase.objects.filter(buyer=customer, created__gt=at - WINDOW)
    spent = recent.aggregate(total=Sum(F("price") - F("refunded_amount")))["total"] or ZERO
    return max(cap - spent, ZERO)


def check_spend(customer: Customer, amount: Decimal) -> None:
    """Refuse a purchase of ``amount`` that would take a new customer past the day's cap."""
    left = spend_left(customer)
    if left is None or amount <= left:
        return
    metrics.LIMIT_REFUSALS.labels(limit="new_customer_spend").inc()
    raise NewCustomerLimit(cap=format_money(settings.NEW_CUSTOMER_MAX_SPEND), left=format_money(left))
