"""Paying: invoices, the CryptoPay screen, and the messages that follow a payment."""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Purchase
from payments.models import Payment, PaymentNotice
from payments.money import format_money
from telegrambot.texts.common import handed_over

PAY = gettext_lazy("💸 Pay")
CHECK_PAYMENT = gettext_lazy("🔄 Check payment")
NOT_PAID_YET = gettext_lazy(
    "The payment has not arrived yet. If you have paid, wait a moment and check again."
)
EXPIRED = gettext_lazy("This invoice has expired. Please create a new one.")
ALREADY_CREDITED = gettext_lazy("This payment is already on your balance.")
PAYMENT_FAILED = gettext_lazy("Payment could not be checked right now. Please try again later.")
TITLE_MAX, DESCRIPTION_MAX = 32, 255


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def top_up_title() -> str:
    return shorten(_("Balance top-up"), TITLE_MAX)


def top_up_description(payment: Payment) -> str:
    return shorten(
        _("%(amount)s on your shop balance.") % {"amount": format_money(payment.amount)}, DESCRIPTION_MAX
    )


def order_title(payment: Payment) -> str:
    lines = payment.order
    if len(lines) == 1 and lines[0]["quantity"] == 1:
        return shorten(lines[0]["name"], TITLE_MAX)
    return shorten(
        _("Order of %(count)s items") % {"count": sum(line["quantity"] for line in lines)}, TITLE_MAX
    )


def order_description(payment: Payment) -> str:
    items = ", ".join(f"{line['name']} × {line['quantity']}" for line in payment.order)
    return shorten(
        _("%(items)s. Delivered in this chat as soon as you pay.") % {"items": items}, DESCRIPTION_MAX
    )


def price_label(payment: Payment) -> str:
    return _("Order") if payment.purpose == Payment.Purpose.ORDER else _("Top-up")


def crypto_invoice(payment: Payment) -> str:
    minutes = max(1, settings.PAYMENT_TIME // 60)
    return _(
        "🪙 <b>Top up by %(amount)s with CryptoPay</b>\n\n"
        "Pay with %(assets)s within %(minutes)s minutes. Your balance is credited automatically; "
        "you can also press “Check payment”."
    ) % {
        "amount": format_money(payment.amount),
        "assets": html.escape(", ".join(settings.CRYPTO_PAY_ASSETS)),
        "minutes": minutes,
    }


def crypto_paid(payment: Payment) -> str:
    return _("✅ <b>Paid.</b> %(amount)s is on your balance.") % {"amount": format_money(payment.amount)}


def pay_stars_button(stars: int) -> str:
    return _("⭐ Pay %(stars)s Stars") % {"stars": stars}


def pay_card_button(amount: Decimal) -> str:
    return _("💳 Pay %(amount)s by card") % {"amount": format_money(amount)}


# --- messages owed after a payment (payments.PaymentNotice) ---------------------------
def notice(kind: str, params: dict[str, Any], *, payment_id: int, purchases: Sequence[Purchase] = ()) -> str:
    """Return the message for one notice, in the active language."""
    money = {key: format_money(Decimal(params[key])) for key in ("amount", "balance") if key in params}
    if kind == PaymentNotice.Kind.CREDITED:
        text = _("✅ Your balance was topped up by <b>%(amount)s</b>. Balance: %(balance)s.") % money
        return text + collected_line(params)
    if kind == PaymentNotice.Kind.REFERRAL_REWARD:
        return _("🎁 Someone you invited topped up their balance: <b>%(amount)s</b> is yours.") % money
    if kind == PaymentNotice.Kind.ORDER_DELIVERED:
        return receipt(purchases)
    if kind == PaymentNotice.Kind.ORDER_CREDITED:
        return _(
            "⚠️ Your order could not be delivered: %(problem)s\n\n"
            "The <b>%(amount)s</b> you paid is on your balance (%(balance)s); use it for any item."
        ) % {**money, "problem": html.escape(params.get("problem", ""))} + collected_line(params)
    if kind == PaymentNotice.Kind.REVIEW_CUSTOMER:
        return _(
            "⚠️ Your payment arrived but does not match the invoice. Support will contact you shortly; "
            "nothing is lost."
        )
    if kind == PaymentNotice.Kind.REVIEW_OWNER:
        return _("🚨 Payment #%(id)s needs review: %(problem)s (customer %(customer)s, %(provider)s).") % {
            "id": payment_id,
            "problem": html.escape(str(params.get("problem", ""))),
            "customer": params.get("customer", ""),
            "provider": html.escape(str(params.get("provider", ""))),
        }
    if kind == PaymentNotice.Kind.REFUNDED_OUTSIDE:
        return refunded_outside(params, payment_id=payment_id)
    if kind == PaymentNotice.Kind.REFUNDED:
        return _("↩️ Your payment was refunded: %(returned)s.") % {
            "returned": html.escape(params.get("returned", ""))
        }
    return ""


def collected_line(params: dict[str, Any]) -> str:
    """What of a credit paid back an amount owed to the shop since a refund, if any."""
    collected = Decimal(str(params.get("collected") or "0"))
    if collected <= 0:
        return ""
    return "\n" + _("%(amount)s of it paid what you owed the shop since an earlier refund.") % {
        "amount": format_money(collected)
    }


def refunded_outside(params: dict[str, Any], *, payment_id: int) -> str:
    """Staff's notice of a Stars payment Telegram refunded without the bot."""
    values = {
        "id": payment_id,
        "returned": html.escape(str(params.get("returned", ""))),
        "customer": html.escape(str(params.get("customer", ""))),
    }
    if params.get("purpose") == "order":
        text = _(
            "↩️ Telegram refunded Stars payment #%(id)s (%(returned)s, customer <code>%(customer)s</code>) "
            "outside the bot: its order is marked refunded and its units defective."
        )
    else:
        text = _(
            "↩️ Telegram refunded Stars top-up #%(id)s (%(returned)s, customer <code>%(customer)s</code>) "
            "outside the bot: what it credited was taken back from the balance."
        )
    lines = [text % values]
    for key, owed in (
        ("owed", _("The balance did not cover it: the customer owes %(amount)s.")),
        ("referral_owed", _("The referrer spent the reward: they owe %(amount)s.")),
    ):
        amount = Decimal(str(params.get(key) or "0"))
        if amount > 0:
            lines.append(owed % {"amount": format_money(amount)})
    return "\n".join(lines)


def paid_by(purchases: Sequence[Purchase]) -> str:
    """How a direct order was paid: its purchases come with their payment (``list_order_purchases``)."""
    payment = purchases[0].payment if purchases else None
    if payment is not None and payment.provider == Payment.Provider.TELEGRAM:
        return _("✅ <b>Paid by card.</b>")
    return _("✅ <b>Paid with Telegram Stars.</b>")


def short_receipt(purchases: Sequence[Purchase]) -> str:
    """The order's message when its values go as a file."""
    numbers = ", ".join("#" + purchase.order_number for purchase in purchases[:20])
    return (
        paid_by(purchases)
        + " "
        + _(
            "Your order %(numbers)s is too long for a message "
            "and was sent as a file. It is also in your purchase history."
        )
        % {"numbers": html.escape(numbers + (" …" if len(purchases) > 20 else ""))}
    )


def receipt(purchases: Sequence[Purchase]) -> str:
    lines = [paid_by(purchases) + " " + _("Your order:")]
    for purchase in purchases:
        lines.append(
            "\n<b>%(product)s</b> · %(order)s\n%(value)s"
            % {
                "product": html.escape(purchase.product_name),
                "order": _("order %(number)s") % {"number": purchase.order_number},
                "value": handed_over(purchase),
            }
        )
    return "\n".join(lines)
