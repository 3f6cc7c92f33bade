"""Starting payments: which methods are offered, what each costs, the pending row.

Provider amounts are computed once, when the invoice is created, and stored
on the row; every later signal is checked against the row, never recomputed.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import get_buyer
from payments.models import Payment
from payments.money import (
    STARS,
    STARS_MAX_PER_INVOICE,
    currency_exponent,
    format_money,
    parse_bounded_amount,
    to_stars,
)
from payments.services.crediting import count_payment, create_payment
from shopbot.errors import (
    AmountOutOfRange,
    PaymentMethodUnavailable,
    PaymentNotFound,
)

Provider = Payment.Provider


def enabled_providers() -> list[str]:
    """Return the payment methods configured for this shop, in the order they are offered."""
    providers = []
    if settings.STARS_PER_VALUE > 0:
        providers.append(Provider.STARS)
    if settings.TELEGRAM_PROVIDER_TOKEN:
        providers.append(Provider.TELEGRAM)
    if settings.CRYPTO_PAY_TOKEN:
        providers.append(Provider.CRYPTOPAY)
    return providers


def shortfall_top_up(*, price: Decimal, balance: Decimal) -> Decimal:
    """Return the top-up that covers ``price`` from ``balance``, within MIN_AMOUNT..MAX_AMOUNT."""
    return min(max(price - balance, settings.MIN_AMOUNT), settings.MAX_AMOUNT)


def require_provider(provider: str) -> None:
    if provider not in enabled_providers():
        raise PaymentMethodUnavailable()


def provider_price(*, provider: str, amount: Decimal) -> tuple[Decimal, str]:
    """Return what ``amount`` of the shop currency costs with ``provider``, and in which currency.

    Stars are rounded up to a whole star and card amounts up to the currency's
    minor unit, so the shop never receives less than it credits.
    """
    if provider == Provider.STARS:
        stars = to_stars(amount, settings.STARS_PER_VALUE)
        if stars > STARS_MAX_PER_INVOICE:
            raise AmountOutOfRange(
                minimum=format_money(settings.MIN_AMOUNT), maximum=format_money(max_stars_amount())
            )
        return Decimal(stars), STARS
    currency = settings.PAY_CURRENCY
    if provider == Provider.TELEGRAM:
        step = Decimal(1).scaleb(-currency_exponent(currency))
        return amount.quantize(step, rounding=ROUND_CEILING), currency
    return amount, currency


def max_stars_amount() -> Decimal:
    """Return the largest top-up one Stars invoice can carry."""
    largest = (Decimal(STARS_MAX_PER_INVOICE) / settings.STARS_PER_VALUE).quantize(
        Decimal("0.01"), rounding=ROUND_FLOOR
    )
    return min(largest, settings.MAX_AMOUNT)


@transaction.atomic
def start_top_up(*, telegram_id: int, provider: str, amount: object) -> Payment:
    """Record a pending top-up of ``amount`` (as typed, or a Decimal) with ``provider``.

    The amount must lie within MIN_AMOUNT..MAX_AMOUNT with at most two
    decimals and the method must be configured. For CryptoPay the caller then
    creates the invoice outside any transaction and stores it with
    ``attach_crypto_invoice``.
    """
    require_provider(provider)
    value = parse_bounded_amount(amount)
    customer = get_buyer(telegram_id=telegram_id)
    provider_amount, currency = provider_price(provider=provider, amount=value)
    return create_payment(
        customer=customer,
        provider=provider,
        amount=value,
        provider_amount=provider_amount,
        provider_currency=currency,
    )


@transaction.atomic
def attach_crypto_invoice(*, payment_id: int, invoice_id: int, pay_url: str) -> Payment:
    """Store the CryptoPay invoice created for a pending payment."""
    payment = Payment.objects.select_for_update().filter(pk=payment_id, provider=Provider.CRYPTOPAY).first()
    if payment is None:
        raise PaymentNotFound()
    payment.external_id = str(invoice_id)
    payment.pay_url = pay_url[:500]
    payment.save(update_fields=["external_id", "pay_url", "updated"])
    return payment


@transaction.atomic
def fail_payment(*, payment_id: int, note: str) -> None:
    """Mark a pending payment failed because its invoice could not be created."""
    payment = Payment.objects.select_for_update().filter(pk=payment_id, status=Payment.Status.PENDING).first()
    if payment is None:
        return
    payment.status = Payment.Status.FAILED
    payment.note = note[:255] or _("The invoice could not be created.")
    payment.save(update_fields=["status", "note", "updated"])
    count_payment(payment)
