"""Money is a ``Decimal`` with two places in ``settings.PAY_CURRENCY``. Never a float.

Amounts are stored in ``DecimalField(max_digits=12, decimal_places=2)`` made by
``money_field()``. Rounding happens only in ``quantize()``. Integer minor units
exist only at the Telegram boundary, through ``to_minor_units()`` and
``from_minor_units()`` with the currency's exponent from ``currency_exponent()``.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from shopbot.errors import AmountOutOfRange, InvalidAmount

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount a money_field holds (12 digits, 2 of them decimals).
MAX_MONEY = Decimal("9999999999.99")
STARS = "XTR"
# Telegram refuses a Stars invoice above this many stars (currencies.json, XTR max_amount).
STARS_MAX_PER_INVOICE = 10000

# ISO 4217 minor-unit exponents that differ from 2, as Telegram's currencies.json lists them.
CURRENCY_EXPONENTS = {
    "XTR": 0,
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}
AMOUNT_PATTERN = re.compile(r"^\d{1,10}([.,]\d{1,2})?$")


def money_field(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def quantize(amount: Decimal) -> Decimal:
    """Round to whole cents, halves away from zero, as receipts do."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """Return ``percent`` % of ``amount``, rounded to cents."""
    return quantize(amount * percent / Decimal(100))


def currency_exponent(currency: str) -> int:
    return CURRENCY_EXPONENTS.get(currency.upper(), 2)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Return the integer Telegram expects in ``LabeledPrice.amount``."""
    exponent = currency_exponent(currency)
    return int(amount.scaleb(exponent).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor_units(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-currency_exponent(currency))


def to_stars(amount: Decimal, stars_per_value: Decimal) -> int:
    """Return the whole stars that pay ``amount``, rounded up so the shop never loses."""
    return int((amount * stars_per_value).to_integral_value(rounding=ROUND_CEILING))


def format_money(amount: Decimal, currency: str | None = None) -> str:
    return f"{quantize(amount)} {currency or settings.PAY_CURRENCY}"


def parse_amount(text: object) -> Decimal:
    """Read a positive amount with at most two decimals, as a person types it.

    Refuses floats, exponents, NaN, infinities, signs and anything longer than
    the database can hold, with ``InvalidAmount``.
    """
    if isinstance(text, Decimal):
        text = format(text, "f")
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise InvalidAmount()
    cleaned = text.strip().replace(" ", "")
    if not AMOUNT_PATTERN.match(cleaned):
        raise InvalidAmount()
    try:
        amount = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise InvalidAmount() from None
    if amount <= 0 or amount > MAX_MONEY:
        raise InvalidAmount()
    return quantize(amount)


def check_range(
    amount: Decimal, *, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> Decimal:
    """Return ``amount`` if it lies within the shop's bounds, else refuse it."""
    minimum = settings.MIN_AMOUNT if minimum is None else minimum
    maximum = settings.MAX_AMOUNT if maximum is None else maximum
    if amount < minimum or amount > maximum:
        raise AmountOutOfRange(minimum=format_money(minimum), maximum=format_money(maximum))
    return amount


def parse_bounded_amount(text: object) -> Decimal:
    """Read an amount typed by a person and check it against MIN_AMOUNT..MAX_AMOUNT."""
    return check_range(parse_amount(text))


def describe_amount_rule() -> str:
    return _("an amount from %(minimum)s to %(maximum)s") % {
        "minimum": format_money(settings.MIN_AMOUNT),
        "maximum": format_money(settings.MAX_AMOUNT),
    }
