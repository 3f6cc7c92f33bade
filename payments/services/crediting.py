"""Payment rows from creation to paid: locking, crediting, referral rewards, metrics.

Every path that credits a paid payment (Telegram's ``successful_payment``,
CryptoPay's webhook, "Check payment", the reconciliation job, the staff
re-check) ends in ``fulfil_locked``: under the locks it marks the payment paid
and calls the fulfiller registered for its purpose once
(``payments.services.fulfilment``). Top-ups are fulfilled here. The lock and
status helpers are internal to ``payments``; no other app calls them.

Lock order (shared with ``catalog.services``): customer rows in ascending id,
then the payment row, then stock rows, then promo rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import Customer
from monitoring.metrics import CREDITED, PAYMENTS, REFERRAL_REWARDS
from payments.models import LedgerEntry, Payment, PaymentNotice, ReferralReward
from payments.money import ZERO, percent_of, quantize
from payments.services.fulfilment import fulfiller_for
from payments.services.ledger import change_balance
from payments.services.notices import owe_notice, owe_review_notices
from payments.services.owed import collect_owed
from shopbot.errors import PaymentExpired, PaymentNotFound, PaymentNotPending

log = logging.getLogger("shopbot.payments")


def create_payment(
    *,
    customer: Customer,
    provider: str,
    amount: Decimal,
    provider_amount: Decimal,
    provider_currency: str,
    purpose: str = Payment.Purpose.TOP_UP,
    order: list[dict[str, object]] | None = None,
    external_id: str | None = None,
    pay_url: str = "",
) -> Payment:
    """Record a pending payment before the invoice is shown to the customer."""
    payment = Payment.objects.create(
        customer=customer,
        provider=provider,
        purpose=purpose,
        amount=quantize(amount),
        provider_amount=provider_amount,
        provider_currency=provider_currency,
        order=order or [],
        external_id=external_id,
        pay_url=pay_url,
        expires_at=now() + timedelta(seconds=settings.PAYMENT_TIME),
    )
    count_payment(payment)
    return payment


@dataclass(frozen=True)
class Credit:
    """What one signal did to a payment.

    ``credited`` is True only for the signal that moved the payment to paid,
    so callers act on it once; ``needs_review`` is True only for the signal
    that found a mismatch. ``purchases`` are the units a direct order delivered.
    """

    payment: Payment
    credited: bool
    entry: LedgerEntry | None = None
    reward: ReferralReward | None = None
    needs_review: bool = False
    purchases: tuple[Any, ...] = ()


def count_payment(payment: Payment) -> None:
    """Count the status a payment reached, once the transaction commits."""
    provider, status = payment.provider, payment.status
    transaction.on_commit(lambda: PAYMENTS.labels(provider=provider, status=status).inc())


def lock_payment_and_customers(*, payment_id: int) -> tuple[Payment, Customer, Customer | None]:
    """Lock a payment's customer (and referrer) in id order, then the payment itself.

    The caller must be inside a transaction.
    """
    snapshot = Payment.objects.filter(pk=payment_id).values("customer_id", "customer__referrer_id").first()
    if snapshot is None:
        raise PaymentNotFound()
    ids = sorted({snapshot["customer_id"], snapshot["customer__referrer_id"]} - {None})
    customers = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    customer = customers[payment.customer_id]
    referrer = customers.get(customer.referrer_id) if customer.referrer_id else None
    return payment, customer, referrer


def mark_paid(*, payment: Payment, external_id: str | None) -> None:
    """Move a locked pending payment to paid; the caller holds its row lock."""
    if external_id:
        payment.external_id = external_id[:128]
    payment.status = Payment.Status.PAID
    payment.paid_at = now()
    payment.save(update_fields=["external_id", "provider_charge_id", "status", "paid_at", "updated"])
    count_payment(payment)


def pay_referral_reward(
    *, payment: Payment, customer: Customer, referrer: Customer | None
) -> ReferralReward | None:
    """Credit the referrer their share of a top-up; both customers are locked by the caller."""
    if referrer is None or settings.REFERRAL_PERCENT <= 0:
        return None
    amount = percent_of(payment.amount, settings.REFERRAL_PERCENT)
    if amount <= ZERO:
        return None
    entry = change_balance(
        customer=referrer,
        amount=amount,
        kind=LedgerEntry.Kind.REFERRAL_REWARD,
        reason=_("Referral reward"),
        reference=str(customer.telegram_id),
        payment=payment,
    )
    owe_notice(
        payment=payment,
        telegram_id=referrer.telegram_id,
        kind=PaymentNotice.Kind.REFERRAL_REWARD,
        amount=str(amount),
        balance=str(referrer.balance),
    )
    transaction.on_commit(lambda: REFERRAL_REWARDS.inc(float(amount)))
    return ReferralReward.objects.create(
        referrer=referrer, referee=customer, payment=payment, ledger_entry=entry, amount=amount
    )


def fulfil_locked(
    *, payment: Payment, customer: Customer, referrer: Customer | None, external_id: str | None
) -> Credit:
    """Mark a locked creditable payment paid and hand it to its purpose's fulfiller, once.

    The caller holds the customer rows and the payment row (``lock_payment_and_customers``)
    and has checked the payment can be credited (``check_creditable``).
    """
    fulfiller = fulfiller_for(payment.purpose)  # an unregistered purpose fails before anything changes
    mark_paid(payment=payment, external_id=external_id)
    return fulfiller.fulfil(payment=payment, customer=customer, referrer=referrer)


class TopUpFulfiller:
    """Puts a top-up on the balance, pays the referral reward and owes the notices."""

    def check(self, *, payment: Payment) -> None:
        return None  # a balance can always take money

    def refunded(self, *, payment: Payment, actor: Actor | None) -> None:
        return None  # the refund itself took the credit back from the balance

    def fulfil(self, *, payment: Payment, customer: Customer, referrer: Customer | None) -> Credit:
        entry = change_balance(
            customer=customer,
            amount=payment.amount,
            kind=LedgerEntry.Kind.TOP_UP,
            reason=payment.get_provider_display(),
            reference=str(payment.pk),
            payment=payment,
        )
        collected = collect_owed(customer=customer, credited=payment.amount)
        owe_notice(
            payment=payment,
            telegram_id=customer.telegram_id,
            kind=PaymentNotice.Kind.CREDITED,
            amount=str(payment.amount),
            balance=str(customer.balance),
            collected=str(collected),
        )
        reward = pay_referral_reward(payment=payment, customer=customer, referrer=referrer)
        provider, amount = payment.provider, payment.amount
        transaction.on_commit(lambda: CREDITED.labels(provider=provider).inc(float(amount)))
        return Credit(payment=payment, credited=True, entry=entry, reward=reward)


def check_creditable(payment: Payment, *, allow_expired: bool) -> bool:
    """Return False for a payment already paid; refuse one that can no longer be paid."""
    if payment.status == Payment.Status.PAID:
        return False
    if payment.status not in (Payment.Status.PENDING, Payment.Status.EXPIRED, Payment.Status.FAILED):
        raise PaymentNotPending()
    if not allow_expired and (payment.status != Payment.Status.PENDING or payment.expires_at < now()):
        raise PaymentExpired()
    return True


@transaction.atomic
def credit_payment(*, payment_id: int, external_id: str | None = None, allow_expired: bool = True) -> Credit:
    """Credit a paid payment exactly once through its purpose's fulfiller, and return what happened.

    A top-up is put on the balance with the referral reward; a direct order is
    delivered by the fulfiller ``catalog`` registered. Idempotent: the status moves from pending to paid under the payment's row
    lock, so any number of signals (webhook, button, reconciliation, replayed
    update) credit once; later ones return ``credited=False``. The amount is
    the one recorded when the invoice was created. Money a provider already
    took is credited even after expiry unless ``allow_expired`` is False.
    """
    payment, customer, referrer = lock_payment_and_customers(payment_id=payment_id)
    if not check_creditable(payment, allow_expired=allow_expired):
        return Credit(payment=payment, credited=False)
    return fulfil_locked(payment=payment, customer=customer, referrer=referrer, external_id=external_id)


def flag_for_review(*, payment: Payment, customer: Customer, charge_id: str | None, problem: str) -> Credit:
    """Keep a charge that cannot be credited on its row, flagged, and owe the notices."""
    log.warning("payment %s needs review: %s", payment.pk, problem)
    if charge_id:
        payment.external_id = charge_id[:128]
    payment.needs_review = True
    payment.note = problem[:255]
    if payment.status == Payment.Status.PENDING or payment.status == Payment.Status.EXPIRED:
        payment.status = Payment.Status.FAILED
        count_payment(payment)
    payment.save(
        update_fields=["external_id", "provider_charge_id", "needs_review", "note", "status", "updated"]
    )
    owe_review_notices(payment=payment, customer=customer, problem=problem)
    return Credit(payment=payment, credited=False, needs_review=True)
