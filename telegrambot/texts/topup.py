"""Topping up the balance: the amount prompt and the choice of payment method."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from payments.money import format_money


def ask_amount() -> str:
    return _(
        "💳 <b>Top up</b>\n\nSend the amount in %(currency)s, from %(minimum)s to %(maximum)s, for example 150 or 99.50."
    ) % {
        "currency": settings.PAY_CURRENCY,
        "minimum": format_money(settings.MIN_AMOUNT),
        "maximum": format_money(settings.MAX_AMOUNT),
    }


def choose_method(amount: Decimal, *, has_methods: bool) -> str:
    if not has_methods:
        return _(
            "💳 Top up by <b>%(amount)s</b>\n\nNo payment method is configured yet. Please contact support."
        ) % {"amount": format_money(amount)}
    return _("💳 Top up by <b>%(amount)s</b>\n\nChoose how to pay:") % {"amount": format_money(amount)}


def stars_button(stars: int) -> str:
    return _("⭐ Telegram Stars · %(stars)s ⭐") % {"stars": stars}


def card_button(amount: Decimal) -> str:
    return _("💳 Card · %(amount)s") % {"amount": format_money(amount)}


def crypto_button(amount: Decimal) -> str:
    return _("🪙 Crypto (CryptoPay) · %(amount)s") % {"amount": format_money(amount)}
