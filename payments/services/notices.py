"""The payment notice outbox: messages owed to people, sent by the bot after commit.

A notice is written in the same transaction as the change it reports, unique
per (payment, kind, recipient), so a repeated signal never owes a second
message. Claiming marks notices sent before they are handed out: a message is
delivered at most once, even when several bot workers sweep at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.timezone import now

from accounts.models import Customer
from payments.models import Payment, PaymentNotice

CLAIM_BATCH = 100


@dataclass(frozen=True)
class Notice:
    """One message to send: who gets it, in which language, and what it says."""

    telegram_id: int
    language: str
    kind: str
    payment_id: int
    params: dict[str, Any] = field(default_factory=dict)


def owe_notice(*, payment: Payment, telegram_id: int, kind: str, **params: Any) -> None:
    """Record that ``telegram_id`` must hear about ``payment``; a repeat is ignored."""
    if not telegram_id:
        return
    PaymentNotice.objects.get_or_create(
        payment=payment, telegram_id=telegram_id, kind=kind, defaults={"params": params}
    )


def owe_review_notices(*, payment: Payment, customer: Customer, problem: str) -> None:
    """Tell the customer that support will contact them, and the owner what to check."""
    owe_notice(payment=payment, telegram_id=customer.telegram_id, kind=PaymentNotice.Kind.REVIEW_CUSTOMER)
    if not Customer.objects.filter(telegram_id=settings.OWNER_ID).exists():
        # The bot cannot message someone who never started it; the flag on the row remains.
        return
    owe_notice(
        payment=payment,
        telegram_id=settings.OWNER_ID,
        kind=PaymentNotice.Kind.REVIEW_OWNER,
        customer=customer.telegram_id,
        provider=payment.provider,
        problem=problem,
    )


@transaction.atomic
def claim_notices(*, payment_id: int | None = None, limit: int = CLAIM_BATCH) -> list[Notice]:
    """Mark unsent notices as sent and return them for the caller to deliver.

    With ``payment_id``, only that payment's notices (the handler that moved a
    payment sends its own at once); otherwise the oldest ``limit``. Locked rows
    are skipped, so concurrent claimers never hand out the same notice.
    """
    pending = PaymentNotice.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True)
    if payment_id is not None:
        pending = pending.filter(payment_id=payment_id)
    rows = list(pending.order_by("id")[:limit])
    if not rows:
        return []
    PaymentNotice.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=now())
    languages = dict(
        Customer.objects.filter(telegram_id__in={row.telegram_id for row in rows}).values_list(
            "telegram_id", "language"
        )
    )
    return [
        Notice(
            telegram_id=row.telegram_id,
            language=languages.get(row.telegram_id, settings.BOT_LOCALE),
            kind=row.kind,
            payment_id=row.payment_id,
            params=row.params,
        )
        for row in rows
    ]
