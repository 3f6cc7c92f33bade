"""Small helpers for payments tests: paying invoices the way Telegram and CryptoPay report them."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.test import override_settings

from payments.models import Payment
from payments.money import to_minor_units
from payments.services import confirm_telegram_payment

# Every method on, with a Stars rate that needs rounding.
ALL_METHODS = override_settings(
    STARS_PER_VALUE=Decimal("1.5"),
    TELEGRAM_PROVIDER_TOKEN="284685063:TEST:provider",
    CRYPTO_PAY_TOKEN="12345:fake-cryptopay-token",
    PAY_CURRENCY="RUB",
    OWNER_ID=9000,
)
charges = itertools.count(1)


def total_of(payment: Payment) -> int:
    """What Telegram reports in ``successful_payment.total_amount`` for this invoice."""
    return to_minor_units(payment.provider_amount, payment.provider_currency)


def pay_telegram(
    payment: Payment, *, charge_id: str | None = None, telegram_id: int | None = None, **changes
):
    """Report a successful Telegram payment of ``payment``, as the bot would."""
    fields = {
        "telegram_id": telegram_id or payment.customer.telegram_id,
        "payload": payment.payload,
        "currency": payment.provider_currency,
        "total_amount": total_of(payment),
        "telegram_charge_id": charge_id or f"charge-{next(charges)}",
        "provider_charge_id": "provider-charge" if payment.provider == Payment.Provider.TELEGRAM else "",
    }
    fields.update(changes)
    return confirm_telegram_payment(**fields)


def amount(text: str) -> Decimal:
    return Decimal(text)
