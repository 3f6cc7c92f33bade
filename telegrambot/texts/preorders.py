"""Pre-orders in the chat: the card's button, the confirmation, the receipt of a pre-order and its cancelling."""

from __future__ import annotations

import html
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import PreOrder, Product
from payments.money import format_money
from telegrambot.texts.common import user_text

CANCEL_PREORDER = gettext_lazy("✖️ Cancel my pre-order")
PREORDER_LINE = gettext_lazy("🕒 Pre-orders are open: pay now, it is delivered first when stock arrives.")


def preorder_button(price: Decimal) -> str:
    return _("🕒 Pre-order for %(price)s") % {"price": format_money(price)}


def pay_button(price: Decimal) -> str:
    return _("✅ Pay %(price)s from my balance") % {"price": format_money(price)}


def confirm(product: Product) -> str:
    return _(
        "🕒 <b>Pre-order %(item)s</b>\n\n"
        "%(price)s is taken from your balance now. The first unit that arrives is yours, before any new "
        "sale, and you are told here. Until then you can cancel and get the money back."
    ) % {"item": user_text(product.name, limit=100), "price": format_money(product.price)}


def placed(preorder: PreOrder) -> str:
    return _(
        "✅ <b>Pre-ordered.</b>\n\nOrder: #%(number)s\nItem: %(item)s\nPaid: %(price)s\n\n"
        "You will receive it here as soon as it is back in stock."
    ) % {
        "number": html.escape(preorder.reference),
        "item": user_text(preorder.product_name, limit=100),
        "price": format_money(preorder.price),
    }


def cancelled(amount: Decimal) -> str:
    return _("Pre-order cancelled: %(amount)s is back on your balance.") % {"amount": format_money(amount)}
