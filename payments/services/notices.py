"""The payment notice outbox: messages owed to people, sent by the bot after commit.

A notice is written in the same transaction as the change it reports, unique
per (payment, kind, recipient), so a repeated signal never owes a second
message. Claiming holds notices for ``CLAIM_SECONDS`` before they are handed
out, so several bot workers sweeping at once never send one twice; the sender
marks a notice sent only once Telegram accepted it (``mark_notices_sent``).
One Telegram refused or never answered about is claimed again when its claim
runs out: a paid order's receipt is retried, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.timezone import now

from accounts.models import Customer, StaffEvent
from accounts.services.staff_notices import notify_staff
from payments.models import Payment, PaymentNotice
from shopbot.outbox import hold_unsent

CLAIM_BATCH = 100
# Long enough for one sweep to send its batch; a worker that died mid-sweep holds its notices this long.
CLAIM_SECONDS = 120


@dataclass(frozen=True)
class Notice:
    """One message to send: who gets it, in which language, and what it says."""

    telegram_id: int
    language: str
    kind: str
    payment_id: int | None
    params: dict[str, Any] = field(default_factory=dict)
    id: int = 0


def owe_notice(*, payment: Payment, telegram_id: int, kind: str, **params: Any) -> None:
    """Record that ``telegram_id`` must hear about ``payment``; a repeat is ignored."""
    if not telegram_id:
        return
    PaymentNotice.objects.get_or_create(
        payment=payment, telegram_id=telegram_id, kind=kind, defaults={"params": params}
    )


def owe_purchase_receipt(*, telegram_id: int, purchase_ids: list[int]) -> None:
    """Record that the buyer's chat must get the receipt of purchases paid from the balance elsewhere.

    Called in the sale's transaction by a face that cannot show the chat a
    message itself (the Mini App), so the receipt exists exactly when the sale
    does; the chat's own sales show their receipt on screen and owe none.
    """
    PaymentNotice.objects.create(
        telegram_id=telegram_id, kind=PaymentNotice.Kind.PURCHASE_RECEIPT, params={"purchases": purchase_ids}
    )


def owe_purchase_file(*, telegram_id: int, purchase_id: int) -> bool:
    """Record that the buyer's chat must get a purchase's file; return False if one is already on its way.

    The caller checked that the purchase is the buyer's and holds the buyer's
    row lock, so two presses at once write one notice.
    """
    unsent = PaymentNotice.objects.filter(
        telegram_id=telegram_id,
        kind=PaymentNotice.Kind.PURCHASE_FILE,
        params__purchase=purchase_id,
        sent_at__isnull=True,
    )
    if unsent.exists():
        return False
    PaymentNotice.objects.create(
        telegram_id=telegram_id, kind=PaymentNotice.Kind.PURCHASE_FILE, params={"purchase": purchase_id}
    )
    return True


def owe_review_notices(*, payment: Payment, customer: Customer, problem: str) -> None:
    """Tell the customer that support will contact them, and staff who chose it what to check.

    The staff side is a ``payment_review`` staff notification (the owner gets
    it unless they turned it off), with a button to the payment.
    """
    owe_notice(payment=payment, telegram_id=customer.telegram_id, kind=PaymentNotice.Kind.REVIEW_CUSTOMER)
    notify_staff(
        event=StaffEvent.PAYMENT_REVIEW,
        params={
            "payment": payment.pk,
            "customer": customer.telegram_id,
            "provider": payment.provider,
            "problem": problem[:200],
        },
    )


@transaction.atomic
def claim_notices(*, payment_id: int | None = None, limit: int = CLAIM_BATCH) -> list[Notice]:
    """Hold unsent notices for ``CLAIM_SECONDS`` and return them for the caller to deliver.

    With ``payment_id``, only that payment's notices (the handler that moved a
    payment sends its own at once); otherwise the oldest ``limit``. Locked rows
    and rows another claim still holds are skipped, so concurrent claimers
    never hand out the same notice. The caller marks what Telegram accepted
    with ``mark_notices_sent``.
    """
    notices = PaymentNotice.objects.all()
    if payment_id is not None:
        notices = notices.filter(payment_id=payment_id)
    rows = hold_unsent(notices, seconds=CLAIM_SECONDS, limit=limit)
    if not rows:
        return []
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
            id=row.pk,
        )
        for row in rows
    ]


def mark_notices_sent(*, notice_ids: list[int]) -> None:
    """Record that these claimed notices reached Telegram (or never can: the bot is blocked)."""
    if notice_ids:
        PaymentNotice.objects.filter(pk__in=notice_ids, sent_at__isnull=True).update(sent_at=now())
