"""Telegram Stars and Telegram Payments: pre-checkout answers and successful payments.

A Telegram invoice's payload names the pending row. ``successful_payment`` is
idempotent by the Telegram charge id (unique per provider); the credited
amount is the row's, never one derived from stars or minor units.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.timezone import now

from accounts.models import Customer
from accounts.selectors import check_may_shop
from payments.models import Payment
from payments.money import STARS, from_minor_units, quantize, to_minor_units
from payments.services.crediting import (
    Credit,
    check_creditable,
    create_payment,
    flag_for_review,
    fulfil_locked,
    lock_payment_and_customers,
)
from payments.services.fulfilment import fulfiller_for
from shopbot.errors import PaymentExpired, PaymentMismatch, PaymentNotFound, PaymentNotPending

TELEGRAM_PROVIDERS = (Payment.Provider.STARS, Payment.Provider.TELEGRAM)


def expected_total(payment: Payment) -> int:
    return to_minor_units(payment.provider_amount, payment.provider_currency)


def check_pre_checkout(*, telegram_id: int, payload: str, currency: str, total_amount: int) -> Payment:
    """Return the payment a pre-checkout query may go on with, or refuse it.

    Only a pending, unexpired payment of this user with the same currency and
    total passes, and only if its purpose's fulfiller can still deliver it
    (a direct order whose stock ran out is refused before Telegram takes the
    money). Reads only: the answer must reach Telegram within 10 seconds.
    """
    payment = Payment.objects.filter(payload=payload, provider__in=TELEGRAM_PROVIDERS).first()
    if (
        payment is None
        or not Customer.objects.filter(pk=payment.customer_id, telegram_id=telegram_id).exists()
    ):
        raise PaymentNotFound()
    if payment.status == Payment.Status.EXPIRED or (
        payment.status == Payment.Status.PENDING and payment.expires_at <= now()
    ):
        raise PaymentExpired()
    if payment.status != Payment.Status.PENDING:
        raise PaymentNotPending()
    if currency != payment.provider_currency or total_amount != expected_total(payment):
        raise PaymentMismatch()
    # An invoice made before a block is refused before Telegram takes the money.
    check_may_shop(Customer.objects.get(pk=payment.customer_id))
    fulfiller_for(payment.purpose).check(payment=payment)
    return payment


@transaction.atomic
def confirm_telegram_payment(
    *,
    telegram_id: int,
    payload: str,
    currency: str,
    total_amount: int,
    telegram_charge_id: str,
    provider_charge_id: str = "",
) -> Credit:
    """Credit a payment Telegram says was paid through its purpose's fulfiller, exactly once.

    Idempotent by ``telegram_charge_id``: a replay returns ``credited=False``.
    A currency, total or payer that does not match the row is not credited:
    the row is flagged for review and the owner and customer are owed a
    notice. Money Telegram took is never dropped: a second charge of an
    already paid invoice is credited to the balance as a new top-up. Blocked
    customers are credited like anyone else. A top-up is put on the balance;
    a direct order is delivered by the fulfiller ``catalog`` registered, in
    this transaction and under these locks. Locks: customers, then the payment.
    """
    repeat = Payment.objects.filter(provider__in=TELEGRAM_PROVIDERS, external_id=telegram_charge_id).first()
    if repeat is not None:
        return Credit(payment=repeat, credited=False)
    found = (
        Payment.objects.filter(payload=payload, provider__in=TELEGRAM_PROVIDERS)
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        return record_unknown_charge(
            telegram_id=telegram_id,
            currency=currency,
            total_amount=total_amount,
            charge_id=telegram_charge_id,
        )
    payment, customer, referrer = lock_payment_and_customers(payment_id=found)
    if payment.external_id == telegram_charge_id:
        return Credit(payment=payment, credited=False)  # a replay that raced this one
    payment.provider_charge_id = provider_charge_id[:128]
    problem = mismatch(
        payment, customer, telegram_id=telegram_id, currency=currency, total_amount=total_amount
    )
    if payment.external_id:
        # The row already holds another charge (paid, or flagged): this one gets a row of its own.
        return record_extra_charge(
            payment=payment,
            customer=customer,
            referrer=referrer,
            charge_id=telegram_charge_id,
            problem=problem,
        )
    if problem:
        return flag_for_review(
            payment=payment, customer=customer, charge_id=telegram_charge_id, problem=problem
        )
    check_creditable(payment, allow_expired=True)
    return fulfil_locked(
        payment=payment, customer=customer, referrer=referrer, external_id=telegram_charge_id
    )


def mismatch(
    payment: Payment, customer: Customer, *, telegram_id: int, currency: str, total_amount: int
) -> str:
    """Describe why a successful payment does not match its row, or return ''."""
    if customer.telegram_id != telegram_id:
        return f"paid by {telegram_id}, invoice of {customer.telegram_id}"
    if currency != payment.provider_currency or total_amount != expected_total(payment):
        expected = f"{expected_total(payment)} {payment.provider_currency}"
        return f"paid {total_amount} {currency}, invoice was {expected}"
    return ""


def record_extra_charge(
    *, payment: Payment, customer: Customer, referrer: Customer | None, charge_id: str, problem: str
) -> Credit:
    """Credit another charge of an invoice to the balance as its own top-up, or flag it if it differs."""
    extra = create_payment(
        customer=customer,
        provider=payment.provider,
        amount=payment.amount,
        provider_amount=payment.provider_amount,
        provider_currency=payment.provider_currency,
    )
    extra.note = f"another charge of invoice #{payment.pk}"
    extra.save(update_fields=["note"])
    if problem:
        return flag_for_review(
            payment=extra, customer=customer, charge_id=charge_id, problem=f"{problem}; {extra.note}"
        )
    return fulfil_locked(payment=extra, customer=customer, referrer=referrer, external_id=charge_id)


def record_unknown_charge(*, telegram_id: int, currency: str, total_amount: int, charge_id: str) -> Credit:
    """Keep a charge whose payload names no payment, flagged for review, so the money is traced."""
    customer, _created = Customer.objects.get_or_create(telegram_id=telegram_id)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    provider = Payment.Provider.STARS if currency == STARS else Payment.Provider.TELEGRAM
    paid = from_minor_units(total_amount, currency)
    if currency == STARS and settings.STARS_PER_VALUE > 0:
        estimate = quantize(paid / settings.STARS_PER_VALUE)
    else:
        estimate = quantize(paid)
    payment = create_payment(
        customer=customer,
        provider=provider,
        amount=max(estimate, Decimal("0.01")),
        provider_amount=paid,
        provider_currency=currency[:8],
    )
    return flag_for_review(
        payment=payment, customer=customer, charge_id=charge_id, problem="unknown invoice payload"
    )
