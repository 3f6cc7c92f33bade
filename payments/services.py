"""Writes on balances and payments: the ledger, top-ups, referral rewards.

Every change of a balance goes through ``change_balance``, which writes one
ledger row with the balance after it in the same transaction, so that
``sum(ledger) == balance`` holds for every customer at every commit.

Lock order (shared with ``catalog.services``): customer rows in ascending id,
then the payment row, then stock rows, then promo rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.models import Customer
from accounts.actors import Actor, actor_customer, actor_label
from accounts.services import get_customer_for_update, record_audit, requires
from payments.models import LedgerEntry, Payment, ReferralReward
from payments.money import ZERO, check_range, format_money, parse_amount, percent_of, quantize
from shopbot.errors import (
    InsufficientFunds,
    InvalidInput,
    PaymentExpired,
    PaymentNotFound,
    PaymentNotPending,
)

REASON_MAX = 200


def change_balance(
    *,
    customer: Customer,
    amount: Decimal,
    kind: str,
    reason: str = "",
    reference: str = "",
    payment: Payment | None = None,
    actor: Customer | None = None,
) -> LedgerEntry:
    """Add ``amount`` (negative to take) to a balance and write its ledger row.

    The caller must hold a SELECT FOR UPDATE lock on ``customer`` and be inside
    a transaction. A debit larger than the balance raises ``InsufficientFunds``.
    """
    amount = quantize(amount)
    if amount == ZERO:
        raise InvalidInput(reason=_("The amount must not be zero."))
    new_balance = customer.balance + amount
    if new_balance < ZERO:
        raise InsufficientFunds(price=format_money(-amount), balance=format_money(customer.balance))
    customer.balance = new_balance
    customer.save(update_fields=["balance"])
    return LedgerEntry.objects.create(
        customer=customer,
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        reason=reason[:255],
        reference=reference[:64],
        payment=payment,
        actor=actor,
    )


def clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(reason=_("Give a reason of 1 to %(max)s characters.") % {"max": REASON_MAX})
    return reason


@requires("manage_balances")
@transaction.atomic
def adjust_balance(*, actor: Actor, telegram_id: int, amount: object, reason: str, credit: bool) -> LedgerEntry:
    """Credit or debit a customer's balance by hand, with a reason, never below zero.

    The amount is bounded by MIN_AMOUNT..MAX_AMOUNT; the change is audited.
    """
    value = check_range(parse_amount(amount))
    reason = clean_reason(reason)
    customer = get_customer_for_update(telegram_id=telegram_id)
    entry = change_balance(
        customer=customer,
        amount=value if credit else -value,
        kind=LedgerEntry.Kind.ADMIN_CREDIT if credit else LedgerEntry.Kind.ADMIN_DEBIT,
        reason=reason,
        reference=actor_label(actor),
        actor=actor_customer(actor),
    )
    record_audit(
        actor=actor,
        action="credit_balance" if credit else "debit_balance",
        target=customer,
        details={"amount": str(value), "reason": reason, "balance_after": str(entry.balance_after)},
    )
    return entry


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
    return Payment.objects.create(
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


@dataclass(frozen=True)
class Credit:
    """The result of crediting a payment; ``credited`` is False for a repeat signal."""

    payment: Payment
    credited: bool
    entry: LedgerEntry | None = None
    reward: ReferralReward | None = None


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
    payment.save(update_fields=["external_id", "status", "paid_at", "updated"])


def pay_referral_reward(*, payment: Payment, customer: Customer, referrer: Customer | None) -> ReferralReward | None:
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
    return ReferralReward.objects.create(
        referrer=referrer, referee=customer, payment=payment, ledger_entry=entry, amount=amount
    )


@transaction.atomic
def credit_payment(*, payment_id: int, external_id: str | None = None, allow_expired: bool = True) -> Credit:
    """Credit a top-up exactly once, with the referral reward, and return what happened.

    Idempotent: the status moves from pending to paid under the payment's row
    lock, so any number of signals (webhook, button, reconciliation, replayed
    update) credit once; later ones return ``credited=False``. The amount is
    the one recorded when the invoice was created. Money a provider already
    took is credited even after expiry unless ``allow_expired`` is False.
    """
    payment, customer, referrer = lock_payment_and_customers(payment_id=payment_id)
    if payment.status == Payment.Status.PAID:
        return Credit(payment=payment, credited=False)
    if payment.status not in (Payment.Status.PENDING, Payment.Status.EXPIRED):
        raise PaymentNotPending()
    if not allow_expired and (payment.status == Payment.Status.EXPIRED or payment.expires_at < now()):
        raise PaymentExpired()
    if payment.purpose != Payment.Purpose.TOP_UP:
        raise PaymentNotPending()  # direct orders are fulfilled by catalog.services
    mark_paid(payment=payment, external_id=external_id)
    entry = change_balance(
        customer=customer,
        amount=payment.amount,
        kind=LedgerEntry.Kind.TOP_UP,
        reason=payment.get_provider_display(),
        reference=str(payment.pk),
        payment=payment,
    )
    reward = pay_referral_reward(payment=payment, customer=customer, referrer=referrer)
    return Credit(payment=payment, credited=True, entry=entry, reward=reward)
