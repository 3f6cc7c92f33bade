"""Purchase intents: what a confirmation screen showed, paid exactly once.

A quote (``quote_product``, ``quote_cart``) writes an intent: the customer,
what (a product, or the cart's lines), the promo code, the total shown and
until when it holds. The Pay button carries only the intent's id. The sale
(``purchase_product``, ``checkout_cart``) claims it: refused when it is not
this customer's (or not of this kind), used, or expired, and marked used in
the sale's transaction, so a second press, a replay or a racing thread finds
it used. A price that changed since is the sale's refusal (``PriceChanged``,
``CartChanged``).

A direct Stars order is an intent too: ``start_order_payment`` writes one
for the invoice's pending payment, and the order fulfiller claims it
(``claim_order_intent``) in the transaction that delivers, so "pay exactly
what you were shown, once" is one record for every way of paying.

Lock order: the customer row, then the payment (a Stars order), then the
intent (claiming it locks it), then stock rows, then promo rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils.timezone import now

from accounts.models import Customer
from catalog.models import Product, PromoCode, PurchaseIntent
from catalog.services.common import clean_id
from payments.models import Payment
from payments.money import quantize
from shopbot.errors import IntentExpired, IntentNotFound, IntentUsed

# Long enough to read a confirmation and press Pay; short enough that a price is never stale for long.
INTENT_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class Claimed:
    """What a claimed intent holds: the sale re-prices this and compares ``total``."""

    product_id: int | None
    quantity: int
    lines: list[list[int | None]]
    promo_code_id: int | None
    total: Decimal
    answers: dict[str, list[str]]  # a manual product's checkout answers, cleaned by the quote


def write_intent(
    *,
    customer: Customer,
    kind: str,
    total: Decimal,
    product: Product | None = None,
    promo: PromoCode | None = None,
    lines: list[list[int | None]] | None = None,
    payment: Payment | None = None,
    answers: dict[str, list[str]] | None = None,
) -> PurchaseIntent:
    """Record what a confirmation screen (or an invoice) is about to show. One query.

    It holds for ``INTENT_LIFETIME``, or as long as the invoice of ``payment``.
    """
    at = now()
    return PurchaseIntent.objects.create(
        customer=customer,
        kind=kind,
        product=product,
        lines=lines or [],
        promo_code=promo,
        total=total,
        payment=payment,
        answers=answers or {},
        created=at,
        expires_at=payment.expires_at if payment is not None else at + INTENT_LIFETIME,
    )


def claim_intent(*, intent_id: object, customer: Customer, kind: str) -> Claimed:
    """Lock a live intent of this customer and mark it used; refuse any other.

    One statement when the intent is good: the UPDATE takes its row lock and
    marks it used, and the caller's transaction undoes that if the sale is
    refused. The caller holds the customer's row lock. A forged id, another
    customer's intent or one of another kind is ``IntentNotFound``.
    """
    pk = clean_id(intent_id, IntentNotFound)
    at = now()
    table = connection.ops.quote_name(PurchaseIntent._meta.db_table)
    moment = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET used_at = %s WHERE id = %s AND customer_id = %s AND kind = %s"
            " AND payment_id IS NULL AND used_at IS NULL AND expires_at > %s"
            " RETURNING product_id, quantity, lines, promo_code_id, total, answers",
            [moment, pk, customer.pk, kind, moment],
        )
        row = cursor.fetchone()
    if row is None:
        raise refusal(pk=pk, customer=customer, kind=kind)
    product_id, quantity, lines, promo_code_id, total, answers = row
    return Claimed(
        product_id=product_id,
        quantity=quantity,
        lines=json.loads(lines) if isinstance(lines, str) else list(lines),
        answers=json.loads(answers) if isinstance(answers, str) else dict(answers or {}),
        promo_code_id=promo_code_id,
        total=quantize(Decimal(str(total))),  # SQLite answers a number, PostgreSQL a Decimal
    )


def refusal(*, pk: int, customer: Customer, kind: str) -> Exception:
    """Say why an intent could not be claimed; a refusal, so the extra read costs nothing on a sale."""
    intent = PurchaseIntent.objects.filter(pk=pk, customer=customer, kind=kind, payment=None).first()
    if intent is None:
        return IntentNotFound()
    if intent.used_at is not None:
        return IntentUsed()
    return IntentExpired(product_id=intent.product_id)  # the face shows today's confirmation instead


def claim_order_intent(*, payment: Payment) -> bool:
    """Mark the intent of a direct order's payment used; return False if it was used already.

    Called by the order fulfiller, which holds the customer and payment locks.
    An invoice paid after it expired is still delivered: money taken is never
    dropped, so expiry is not checked here. A payment from before intents
    existed has none and passes.
    """
    claimed = PurchaseIntent.objects.filter(payment=payment, used_at__isnull=True).update(used_at=now())
    return bool(claimed) or not PurchaseIntent.objects.filter(payment=payment).exists()


def order_answers(*, payment: Payment) -> dict[str, list[str]]:
    """Return the checkout answers a direct order's intent holds (for its manual products)."""
    answers = PurchaseIntent.objects.filter(payment=payment).values_list("answers", flat=True).first()
    return answers if isinstance(answers, dict) else {}
