"""CryptoPay invoices: crediting what CryptoPay reports, and expiring what it gave up on.

The webhook, the "Check payment" button and the reconciliation job all end
here with the invoice state CryptoPay reported; the payment row lock makes
their races credit once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.timezone import now

from payments.models import Payment
from payments.services.crediting import (
    Credit,
    check_creditable,
    count_payment,
    flag_for_review,
    fulfil_locked,
    lock_payment_and_customers,
)
from shopbot.errors import PaymentNotFound

CRYPTOPAY = Payment.Provider.CRYPTOPAY
PAID, EXPIRED, ACTIVE = "paid", "expired", "active"


@dataclass(frozen=True)
class InvoiceState:
    """What CryptoPay says about one invoice; amounts are Decimals, never floats."""

    invoice_id: int
    status: str
    amount: Decimal
    currency: str
    payload: str = ""


def to_decimal(value: object) -> Decimal:
    """Read an amount CryptoPay sent as a string (or, from the client library, a float)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount


def find_crypto_payment(*, invoice_id: int, payload: str = "") -> int:
    """Return the id of the payment for a CryptoPay invoice, by invoice id or by our payload.

    The payload finds an invoice whose creation answer was lost, so its row
    has no invoice id yet.
    """
    found = Payment.objects.filter(provider=CRYPTOPAY, external_id=str(invoice_id)).values_list(
        "pk", flat=True
    )
    payment_id = found.first()
    if payment_id is None and payload:
        by_payload = Payment.objects.filter(provider=CRYPTOPAY, payload=payload, external_id__isnull=True)
        payment_id = by_payload.values_list("pk", flat=True).first()
    if payment_id is None:
        raise PaymentNotFound()
    return payment_id


@transaction.atomic
def credit_crypto_invoice(
    *, invoice_id: int, status: str, amount: Decimal, currency: str, payload: str = ""
) -> Credit:
    """Apply an invoice state reported by CryptoPay to its payment, crediting it at most once.

    ``paid`` credits the amount recorded on the row if the reported amount and
    fiat currency match it, and flags the row for review otherwise; ``expired``
    expires a pending row; ``active`` changes nothing. Idempotent; locks the
    customers, then the payment.
    """
    payment_id = find_crypto_payment(invoice_id=invoice_id, payload=payload)
    payment, customer, referrer = lock_payment_and_customers(payment_id=payment_id)
    if status == EXPIRED:
        expire_locked(payment)
        return Credit(payment=payment, credited=False)
    if status != PAID or payment.needs_review or not check_creditable(payment, allow_expired=True):
        return Credit(payment=payment, credited=False)
    if currency != payment.provider_currency or amount != payment.provider_amount:
        problem = (
            f"paid {amount} {currency}, invoice was {payment.provider_amount} {payment.provider_currency}"
        )
        return flag_for_review(payment=payment, customer=customer, charge_id=str(invoice_id), problem=problem)
    return fulfil_locked(payment=payment, customer=customer, referrer=referrer, external_id=str(invoice_id))


def expire_locked(payment: Payment) -> bool:
    if payment.status != Payment.Status.PENDING:
        return False
    payment.status = Payment.Status.EXPIRED
    payment.save(update_fields=["status", "updated"])
    count_payment(payment)
    return True


def crypto_invoice_of(*, payment_id: int, telegram_id: int | None) -> Payment:
    """Return a CryptoPay payment with an invoice, of ``telegram_id`` when given."""
    rows = Payment.objects.filter(pk=payment_id, provider=CRYPTOPAY, external_id__isnull=False)
    if telegram_id is not None:
        rows = rows.filter(customer__telegram_id=telegram_id)
    payment = rows.first()
    if payment is None:
        raise PaymentNotFound()
    return payment


def record_invoice_state(*, payment: Payment, state: InvoiceState | None) -> Credit:
    """Credit (or expire) a payment with what CryptoPay just said of its invoice; nothing if it said nothing."""
    if state is None:
        return Credit(payment=payment, credited=False)
    return credit_crypto_invoice(
        invoice_id=state.invoice_id,
        status=state.status,
        amount=state.amount,
        currency=state.currency,
        payload=state.payload,
    )


def pending_crypto_invoices(*, limit: int = 1000) -> list[int]:
    """Return the CryptoPay invoice ids of payments still waiting, oldest first."""
    rows = Payment.objects.filter(
        provider=CRYPTOPAY, status=Payment.Status.PENDING, external_id__isnull=False
    ).order_by("created", "id")
    return [int(external_id) for external_id in rows.values_list("external_id", flat=True)[:limit]]


def expire_overdue_payments() -> int:
    """Expire pending payments well past their expiry that no provider can still complete.

    Telegram invoices past their expiry can no longer pass pre-checkout.
    CryptoPay rows without an invoice id never reached CryptoPay. CryptoPay
    rows with one are left to what CryptoPay reports. Each row is expired
    under its own lock, so a concurrent credit wins or waits.
    """
    overdue = Payment.objects.filter(status=Payment.Status.PENDING, expires_at__lt=now()).exclude(
        provider=CRYPTOPAY, external_id__isnull=False
    )
    expired = 0
    for payment_id in list(overdue.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            expired += expire_locked(payment)
    return expired


def stuck_refunds(*, older_than: timedelta = timedelta(minutes=10)) -> list[int]:
    """Return Stars refunds Telegram never confirmed; refunding them again finishes them."""
    since = now() - older_than
    return list(
        Payment.objects.filter(status=Payment.Status.REFUNDING, updated__lt=since).values_list(
            "pk", flat=True
        )[:100]
    )
