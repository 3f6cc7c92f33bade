"""Order lookup in the admin menu."""

from __future__ import annotations

import html

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Purchase
from payments.money import format_money
from telegrambot.texts.catalog import SENT_AS_FILE
from telegrambot.texts.common import date_time, user_text

ASK_ORDER = gettext_lazy("🔎 Send the order number (12 letters and digits, with or without #).")
ANOTHER = gettext_lazy("🔎 Find another order")
BUYER = gettext_lazy("👤 The buyer")


VALUE_HIDDEN = gettext_lazy("Delivered: hidden (needs the “Delivered keys” permission).")


def order(purchase: Purchase, *, shows_value: bool, with_value: bool = True) -> str:
    """The order's card: the delivered value in full, a note that it follows as a file, or that it is hidden."""
    buyer = purchase.buyer
    lines = [
        _("🧾 <b>Order #%(number)s</b>") % {"number": purchase.order_number},
        _("Buyer: %(name)s (<code>%(id)s</code>)")
        % {"name": user_text(str(buyer), limit=40), "id": buyer.telegram_id},
        _("Product: %(name)s") % {"name": user_text(purchase.product_name, limit=100)},
        _("Price: %(price)s") % {"price": format_money(purchase.price)},
        _("Time: %(time)s") % {"time": date_time(purchase.created)},
    ]
    if purchase.promo_code_id:
        lines.append(_("Promo code: %(code)s") % {"code": user_text(purchase.promo_code.code)})
    if not shows_value:
        return "\n".join([*lines, "", str(VALUE_HIDDEN)])
    if not with_value:
        return "\n".join([*lines, "", str(SENT_AS_FILE)])
    lines += ["", _("Delivered:"), "<code>%s</code>" % html.escape(purchase.value)]
    return "\n".join(lines)
