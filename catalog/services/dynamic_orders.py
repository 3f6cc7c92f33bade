"""Dynamic delivery's orders: opened at the sale, claimed by the bot's job, recorded once.

``record_sales`` opens a ``DynamicOrder`` per purchase of a dynamic product,
in the sale's transaction. The bot's job (``telegrambot.jobs.dynamic_delivery``)
claims due orders (``claim_due_orders``: SKIP LOCKED, a lease longer than the
call's timeout), calls the seller's endpoint outside every transaction, then
records the outcome here, each in one transaction under the order's row lock:
``record_delivery`` writes the value(s) to the purchase once, keyed by the
order number (a reply arriving after another attempt already delivered
changes nothing); ``record_failure`` schedules the next attempt with
back-off, and after ``ATTEMPTS`` moves the order to the manual queue (a
waiting ``ManualOrder`` due at the purchase's ``fulfil_by``), where staff
deliver or refund it. The job then tells the customer (``customer_told_at``)
or the staff (``staff_told_at``).

Lock order: the order row, then the purchase row. No network call here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.timezone import now

from catalog.dynamic_models import DynamicOrder
from catalog.manual_models import ManualOrder
from catalog.models import Purchase
from catalog.services.common import drop_controls

ATTEMPTS = 3
BACKOFF_SECONDS = (30, 120)  # before the second and the third attempt
LEASE_SECONDS = 60  # longer than the call's 10 s timeout: one claimer calls at a time
CLAIM_BATCH = 20
VALUE_MAX = 4000
ERROR_MAX = 200
Status = DynamicOrder.Status


@dataclass(frozen=True)
class DueCall:
    """What the job needs to call one order's endpoint (the secret stays in memory, never logged)."""

    order_id: int
    order_number: str
    product_id: int
    quantity: int
    customer_id: int
    url: str
    secret: str = field(repr=False)  # never in a log line or a traceback's locals
    attempt: int = 0


def open_dynamic_orders(*, purchases: Sequence[Purchase], at: datetime) -> None:
    """Open a ``DynamicOrder`` per purchase of a dynamic product (in the sale's transaction)."""
    dynamic = [p for p in purchases if p.product is not None and p.product.is_dynamic]
    if dynamic:
        DynamicOrder.objects.bulk_create(
            DynamicOrder(purchase=p, customer=p.buyer, next_attempt_at=at, created=at) for p in dynamic
        )


@transaction.atomic
def claim_due_orders(*, limit: int = CLAIM_BATCH) -> list[DueCall]:
    """Lease the pending orders that are due and count the attempt; return what to call for each.

    Rows another claimer holds are skipped (SKIP LOCKED); a leased order is
    claimed again only once its lease ran out (a worker that died mid-call).
    """
    at = now()
    due = (
        DynamicOrder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=Status.PENDING, next_attempt_at__lte=at)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=at))
        .select_related("purchase__product", "customer")
        .order_by("next_attempt_at", "id")[:limit]
    )
    calls, orphans = [], []
    for order in due:
        product = order.purchase.product
        order.attempts += 1
        order.lease_until = at + timedelta(seconds=LEASE_SECONDS)
        order.save(update_fields=["attempts", "lease_until"])
        if product is None or not product.is_dynamic or not product.sells_without_units:
            orphans.append(order.pk)  # the product lost its endpoint: nothing to call
            continue
        calls.append(
            DueCall(
                order_id=order.pk,
                order_number=order.purchase.order_number,
                product_id=product.pk,
                quantity=1,
                customer_id=order.customer.telegram_id,
                url=product.endpoint_url,
                secret=product.endpoint_secret,
                attempt=order.attempts,
            )
        )
    for order_id in orphans:
        record_failure(order_id=order_id, error="the product has no endpoint any more")
    return calls


def parse_reply(body: bytes, *, quantity: int) -> str:
    """Return the delivered value(s) from the endpoint's JSON reply, or raise ``ValueError`` saying why.

    Accepted: ``{"value": "..."}`` for one unit, or ``{"values": [...]}`` with
    one non-empty string per unit; together at most 4000 characters.
    """
    try:
        reply = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("the reply is not JSON") from None
    if not isinstance(reply, dict):
        raise ValueError("the reply is not a JSON object")
    values = reply.get("values", [reply["value"]] if "value" in reply else None)
    if not isinstance(values, list) or len(values) != quantity:
        raise ValueError(f"the reply holds no list of {quantity} value(s)")
    cleaned = []
    for value in values:
        text = drop_controls(value, keep="\n").strip() if isinstance(value, str) else ""
        if not text:
            raise ValueError("a value is empty or not a string")
        cleaned.append(text)
    joined = "\n".join(cleaned)
    if len(joined) > VALUE_MAX:
        raise ValueError(f"the values are longer than {VALUE_MAX} characters")
    return joined


def lock_order(order_number: str) -> DynamicOrder | None:
    return (
        DynamicOrder.objects.select_for_update(of=("self",))
        .select_related("purchase")
        .filter(purchase__order_number=order_number)
        .first()
    )


@transaction.atomic
def record_delivery(*, order_number: str, value: str) -> bool:
    """Hand the endpoint's value(s) to the purchase, once per order number; return whether this did it.

    An order delivered already, moved to the manual queue, or refunded
    meanwhile keeps what it has: a late reply is dropped.
    """
    order = lock_order(order_number)
    if order is None or order.status != Status.PENDING:
        return False
    purchase = Purchase.objects.select_for_update().get(pk=order.purchase_id)
    if purchase.refunded_at is not None:
        order.status, order.decided_at = Status.FAILED, now()
        order.staff_told_at = order.customer_told_at = order.decided_at  # nothing left to tell
        order.last_error = "refunded before the value arrived"
        order.save(update_fields=["status", "decided_at", "staff_told_at", "customer_told_at", "last_error"])
        return False
    purchase.value = value
    purchase.save(update_fields=["value"])
    order.status, order.decided_at, order.lease_until = Status.DELIVERED, now(), None
    order.save(update_fields=["status", "decided_at", "lease_until"])
    return True


@transaction.atomic
def record_failure(*, order_id: int, error: str) -> DynamicOrder | None:
    """Count a failed attempt: the next one after a back-off, or after the last the manual queue."""
    order = (
        DynamicOrder.objects.select_for_update(of=("self",))
        .select_related("purchase__product", "customer")
        .filter(pk=order_id)
        .first()
    )
    if order is None or order.status != Status.PENDING:
        return None
    at = now()
    order.last_error, order.lease_until = error[:ERROR_MAX], None
    if order.attempts < ATTEMPTS:
        backoff = BACKOFF_SECONDS[min(order.attempts, len(BACKOFF_SECONDS)) - 1]
        order.next_attempt_at = at + timedelta(seconds=backoff)
        order.save(update_fields=["last_error", "lease_until", "next_attempt_at"])
        return order
    order.status, order.decided_at = Status.FAILED, at
    order.save(update_fields=["last_error", "lease_until", "status", "decided_at"])
    purchase = order.purchase
    if purchase.refunded_at is None and not ManualOrder.objects.filter(purchase=purchase).exists():
        # Staff keep the deadline the customer was promised at the sale, or get the product's hours.
        hours = purchase.product.fulfil_hours if purchase.product is not None else 24
        due = (
            purchase.fulfil_by
            if purchase.fulfil_by and purchase.fulfil_by > at
            else at + timedelta(hours=hours)
        )
        ManualOrder.objects.create(purchase=purchase, customer=order.customer, due_at=due, created=at)
    return order


# --- what the job tells -------------------------------------------------------------------------
def to_tell_customers(*, limit: int = 50) -> list[DynamicOrder]:
    """Settled orders whose customer is owed the key, or the news that staff deliver it (by when)."""
    rows = DynamicOrder.objects.exclude(status=Status.PENDING).filter(customer_told_at__isnull=True)
    rows = rows.select_related("purchase", "purchase__file", "purchase__manual_order", "customer")
    return list(rows.order_by("decided_at", "id")[:limit])


def failed_to_tell(*, limit: int = 50) -> list[DynamicOrder]:
    rows = DynamicOrder.objects.filter(status=Status.FAILED, staff_told_at__isnull=True)
    return list(rows.select_related("purchase__manual_order").order_by("decided_at", "id")[:limit])


def mark_customer_told(*, order_id: int) -> None:
    DynamicOrder.objects.filter(pk=order_id, customer_told_at__isnull=True).update(customer_told_at=now())


def mark_staff_told(*, order_ids: Sequence[int]) -> None:
    DynamicOrder.objects.filter(pk__in=list(order_ids), staff_told_at__isnull=True).update(
        staff_told_at=now()
    )
