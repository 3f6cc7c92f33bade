"""Everything the shop holds about one customer, as one JSON document (``/mydata``).

Read in a handful of queries whatever the history's length (each section is
one query, streamed), so a customer with thousands of purchases gets their
file as fast as a new one. Money is written as strings, exactly as stored;
times in ISO 8601 UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.timezone import now

from accounts.models import Customer
from catalog.manual_models import ManualOrder
from catalog.models import CartLine, Claim, Purchase, Review, WaitlistEntry
from catalog.preorder_models import PreOrder
from catalog.ticket_models import TicketMessage
from payments.models import LedgerEntry, Payment
from shopbot.errors import CustomerNotFound

CHUNK = 500


def plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def rows(values: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: plain(value) for key, value in row.items()} for row in values]


def stream(queryset: Any, *fields: str) -> Iterator[dict[str, Any]]:
    return queryset.values(*fields).iterator(chunk_size=CHUNK)


def export_customer_data(*, telegram_id: int) -> bytes:
    """Return the customer's data as UTF-8 JSON: profile, purchases with values, ledger, payments, claims, tickets…"""
    customer = Customer.objects.select_related("referrer").filter(telegram_id=telegram_id).first()
    if customer is None:
        raise CustomerNotFound()
    document = {
        "exported": plain(now()),
        "profile": profile(customer),
        "purchases": rows(
            stream(
                Purchase.objects.filter(buyer=customer).order_by("created", "id"),
                "order_number",
                "created",
                "product_name",
                "category_name",
                "list_price",
                "promo_code__code",
                "price",
                "value",
                "file__name",
                "warranty_until",
                "replaces__order_number",
                "refunded_at",
                "refunded_amount",
                "payment__provider",
            )
        ),
        "ledger": rows(
            stream(
                LedgerEntry.objects.filter(customer=customer).order_by("created", "id"),
                "created",
                "kind",
                "amount",
                "balance_after",
                "reference",
                "reason",
            )
        ),
        "payments": rows(
            stream(
                Payment.objects.filter(customer=customer).order_by("created", "id"),
                "created",
                "provider",
                "purpose",
                "amount",
                "provider_amount",
                "provider_currency",
                "status",
                "order",
            )
        ),
        "claims": rows(
            stream(
                Claim.objects.filter(customer=customer).order_by("created", "id"),
                "id",
                "created",
                "purchase__order_number",
                "reason",
                "text",
                "status",
                "decision_note",
            )
        ),
        # What the customer answered at a manual product's checkout, and how each order stands.
        "manual_orders": rows(
            stream(
                ManualOrder.objects.filter(customer=customer).order_by("created", "id"),
                "purchase__order_number",
                "created",
                "answers",
                "status",
                "due_at",
                "decided_at",
            )
        ),
        "tickets": rows(
            stream(
                TicketMessage.objects.filter(ticket__customer=customer).order_by(
                    "ticket_id", "created", "id"
                ),
                "ticket_id",
                "ticket__kind",
                "ticket__status",
                "created",
                "from_staff",
                "closes",
                "text",
            )
        ),
        "reviews": rows(
            stream(
                Review.objects.filter(customer=customer).order_by("created", "id"),
                "created",
                "product__name",
                "rating",
                "text",
            )
        ),
        # Paid before the stock existed: each filled by a purchase or cancelled with a refund.
        "preorders": rows(
            stream(
                PreOrder.objects.filter(customer=customer).order_by("created", "id"),
                "reference",
                "created",
                "product_name",
                "price",
                "filled_at",
                "cancelled_at",
            )
        ),
        "cart": rows(
            stream(
                CartLine.objects.filter(customer=customer).order_by("created", "id"),
                "created",
                "product__name",
                "quantity",
            )
        ),
        "waitlist": rows(
            stream(
                WaitlistEntry.objects.filter(customer=customer).order_by("created", "id"),
                "created",
                "product__name",
            )
        ),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def profile(customer: Customer) -> dict[str, Any]:
    referrer = customer.referrer.telegram_id if customer.referrer is not None else None
    return {
        key: plain(value)
        for key, value in {
            "telegram_id": customer.telegram_id,
            "username": customer.username,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "language": customer.language,
            "registered": customer.created,
            "last_seen": customer.last_seen,
            "balance": customer.balance,
            "referral_code": customer.referral_code,
            "referred_by": referrer,
            "referrals": customer.referrals.count(),
            "blocked": customer.is_blocked,
            "block_reason": customer.block_reason,
            "anonymised": customer.anonymised_at,
        }.items()
    }
