"""The profile: balance, totals, purchase history, operation history, promo redemption."""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Customer
from payments.models import LedgerEntry
from payments.money import format_money
from payments.selectors import LedgerTotals
from telegrambot.texts.common import EMPTY, date_time, handed_over, is_being_prepared, page_label, user_text

MY_DATA_CAPTION = gettext_lazy(
    "📦 Everything the shop holds about you: profile, purchases with their values, balance history, "
    "payments, claims, tickets, reviews. Keep it private: it contains your keys."
)

PURCHASES = gettext_lazy("🧾 Purchase history")
LEDGER = gettext_lazy("📒 Operation history")
REDEEM_PROMO = gettext_lazy("🎟 Redeem a promo code")
TOP_UP = gettext_lazy("💳 Top up")
ASK_PROMO = gettext_lazy("🎟 Send the promo code as a message (letters and digits, up to 32 characters).")
PROMO_EXPECTED = gettext_lazy(
    "A promo code is one word of up to 32 characters. Send it again or press Cancel."
)

KIND_LABELS = {
    LedgerEntry.Kind.TOP_UP: gettext_lazy("Top-up"),
    LedgerEntry.Kind.PURCHASE: gettext_lazy("Purchase"),
    LedgerEntry.Kind.REFUND: gettext_lazy("Refund"),
    LedgerEntry.Kind.REFERRAL_REWARD: gettext_lazy("Referral reward"),
    LedgerEntry.Kind.ADMIN_CREDIT: gettext_lazy("Credit by the shop"),
    LedgerEntry.Kind.ADMIN_DEBIT: gettext_lazy("Debit by the shop"),
    LedgerEntry.Kind.PROMO: gettext_lazy("Promo code"),
}


REFUND_LATE = gettext_lazy("↩️ Refund: not delivered in time")
REFUNDED_LATE = gettext_lazy("↩️ The order is refunded to your balance.")


def profile(customer: Customer, totals: LedgerTotals) -> str:
    return _(
        "👤 <b>Profile</b>\n\n"
        "ID: <code>%(id)s</code>\n"
        "Balance: <b>%(balance)s</b>\n"
        "Topped up: %(topped_up)s\n"
        "Spent from the balance: %(spent)s\n"
        "Registered: %(created)s"
    ) % {
        "id": customer.telegram_id,
        "balance": format_money(Decimal(customer.balance)),
        "topped_up": format_money(totals.topped_up),
        "spent": format_money(totals.spent),
        "created": date_time(customer.created),
    }


def purchases(number: int, *, has_items: bool) -> str:
    if not has_items:
        return (
            _("🧾 <b>Purchase history</b>\n\nYou have not bought anything yet.")
            if number == 1
            else str(EMPTY)
        )
    return _("🧾 <b>Purchase history</b> · %(page)s\n\nChoose an order to see what you received:") % {
        "page": page_label(number).lower()
    }


def purchase_button(purchase: Any) -> str:
    label = "#%s · %s · %s" % (
        purchase.order_number,
        purchase.product_name[:30],
        format_money(purchase.price),
    )
    replacement = getattr(purchase, "replacement", None)
    if replacement is None:
        return label
    return label + " · " + _("replaced by #%(number)s") % {"number": replacement.order_number}


def purchase(purchase: Any, *, with_value: bool = True) -> str:
    """Describe an order; the delivered value is shown in ``<code>`` unless sent as a file."""
    text = _("🧾 <b>Order #%(number)s</b>\n\nItem: %(product)s\nPaid: %(price)s\nDate: %(date)s") % {
        "number": html.escape(purchase.order_number),
        "product": user_text(purchase.product_name, limit=100),
        "price": format_money(purchase.price),
        "date": date_time(purchase.created),
    }
    if purchase.warranty_until is not None:
        text += "\n" + _("🛡 Warranty until %(date)s") % {"date": date_time(purchase.warranty_until)}
    if purchase.replaces_id is not None:
        text += "\n" + _("🔁 Replaces order #%(number)s") % {
            "number": html.escape(purchase.replaces.order_number)
        }
    replacement = getattr(purchase, "replacement", None)
    if not with_value:
        text += "\n\n" + _("The value is too long for a message and was sent as a file.")
        if replacement is not None:
            text += "\n\n" + replaced_by(replacement)
        return text
    if is_being_prepared(purchase):
        return text + "\n\n" + handed_over(purchase)
    text += "\n\n" + _("You received:") + "\n" + handed_over(purchase)
    if replacement is not None:
        text += "\n\n" + replaced_by(replacement) + "\n<code>" + html.escape(replacement.value) + "</code>"
    return text


def replaced_by(replacement: Any) -> str:
    return _("🔁 Replaced by order #%(number)s:") % {"number": html.escape(replacement.order_number)}


def ledger(entries: Sequence[LedgerEntry], number: int) -> str:
    if not entries:
        return _("📒 <b>Operation history</b>\n\nNo operations yet.") if number == 1 else str(EMPTY)
    lines = [_("📒 <b>Operation history</b> · %(page)s") % {"page": page_label(number).lower()}, ""]
    lines += [ledger_line(entry) for entry in entries]
    return "\n".join(lines)


def ledger_line(entry: LedgerEntry) -> str:
    return "%s · %s · <b>%s</b> → %s" % (
        date_time(entry.created),
        KIND_LABELS.get(entry.kind, entry.kind),
        signed_money(entry.amount),
        format_money(entry.balance_after),
    )


def signed_money(amount: Decimal) -> str:
    return ("+" if amount > 0 else "−") + format_money(abs(amount))


def promo_redeemed(amount: Decimal, balance: Decimal) -> str:
    return _("🎟 Promo code accepted: <b>%(amount)s</b> added. Your balance: <b>%(balance)s</b>.") % {
        "amount": format_money(amount),
        "balance": format_money(balance),
    }
