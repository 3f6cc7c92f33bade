"""The messages of dynamic delivery's job: the key delivered, and staff told of an order it could not fetch."""

from __future__ import annotations

import html

from django.utils.translation import gettext as _

from catalog.dynamic_models import DynamicOrder
from telegrambot.texts.common import date_time, user_text


def delivered(order: DynamicOrder, *, with_value: bool = True) -> str:
    purchase = order.purchase
    text = _("🔑 <b>Order #%(number)s</b> · %(item)s has arrived.") % {
        "number": html.escape(purchase.order_number),
        "item": user_text(purchase.product_name, limit=100),
    }
    if not with_value:
        return text + "\n\n" + _("The value is too long for a message and was sent as a file.")
    return text + "\n\n" + _("Your item:") + "\n<code>" + html.escape(purchase.value) + "</code>"


def delayed(order: DynamicOrder) -> str:
    """The customer's news that the seller's system failed and staff deliver the order by hand."""
    manual = getattr(order.purchase, "manual_order", None)  # loaded with the order
    text = _(
        "⏳ Order #%(number)s (%(item)s) takes longer than usual: our staff will deliver it by hand."
    ) % {
        "number": html.escape(order.purchase.order_number),
        "item": user_text(order.purchase.product_name, limit=100),
    }
    if manual is not None:
        text += " " + _("Expected by %(date)s.") % {"date": date_time(manual.due_at)}
    return text


def failed(order: DynamicOrder) -> str:
    return _(
        "⚠️ The seller's system did not deliver order #%(number)s (%(item)s) after %(attempts)s attempts "
        "(last: %(error)s). It waits in Orders to fulfil."
    ) % {
        "number": html.escape(order.purchase.order_number),
        "item": user_text(order.purchase.product_name, limit=100),
        "attempts": order.attempts,
        "error": user_text(order.last_error, limit=120),
    }
