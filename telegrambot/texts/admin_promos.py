"""Promo codes in the admin menu: the list, a code's card, and the steps of a new code."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import PromoCode
from payments.money import format_money
from telegrambot.texts.common import date_time, page_label, user_text

NEW = gettext_lazy("➕ New promo code")
ACTIVATE = gettext_lazy("▶️ Activate")
DEACTIVATE = gettext_lazy("⏸ Deactivate")
DELETE = gettext_lazy("🗑 Delete")
DELETE_YES = gettext_lazy("🗑 Yes, delete it")
SKIP = gettext_lazy("⏭ Skip")
PERCENT = gettext_lazy("% Percent off")
FIXED = gettext_lazy("➖ Fixed amount off")
BALANCE = gettext_lazy("💰 Balance credit")
BIND_NONE = gettext_lazy("Everything")
BIND_CATEGORY = gettext_lazy("📁 A category")
BIND_PRODUCT = gettext_lazy("📦 A product")
DELETED = gettext_lazy("The promo code was deleted.")
ASK_CODE = gettext_lazy(
    "🎟 <b>New promo code</b> · step 1 of 6\n\n"
    "Send the code: 3 to 32 characters, letters A–Z, digits, _ and -. Customers may type it in any case."
)
ASK_KIND = gettext_lazy("🎟 <b>New promo code</b> · step 2 of 6\n\nWhat does the code give?")
ASK_MAX_USES = gettext_lazy(
    "🎟 <b>New promo code</b> · step 4 of 6\n\nHow many times may the code be used in all? "
    "Send a whole number, or press Skip for no limit."
)
ASK_EXPIRY = gettext_lazy(
    "🎟 <b>New promo code</b> · step 5 of 6\n\nUntil when is it valid? Send a date as YYYY-MM-DD "
    "(valid through that day) or YYYY-MM-DD HH:MM in the shop's time zone, or press Skip for no expiry."
)
ASK_BINDING = gettext_lazy("🎟 <b>New promo code</b> · step 6 of 6\n\nWhat does the discount apply to?")
CHOOSE_CATEGORY = gettext_lazy("📁 Choose the category:")
CHOOSE_PRODUCT_CATEGORY = gettext_lazy("📦 Choose the category of the product:")
CHOOSE_PRODUCT = gettext_lazy("📦 Choose the product:")
KINDS = {
    PromoCode.Kind.PERCENT: gettext_lazy("Percent off"),
    PromoCode.Kind.FIXED: gettext_lazy("Fixed amount off"),
    PromoCode.Kind.BALANCE: gettext_lazy("Balance credit"),
}


def value(kind: str, amount: Decimal) -> str:
    if kind == PromoCode.Kind.PERCENT:
        return f"{Decimal(amount).normalize():f}%"
    return format_money(Decimal(amount))


def ask_value(kind: str) -> str:
    if kind == PromoCode.Kind.PERCENT:
        rule = _("Send the percent, from 0.01 to 100, for example 15.")
    else:
        rule = _("Send the amount, for example 150 or 99.50.")
    return _("🎟 <b>New promo code</b> · step 3 of 6\n\n%(rule)s") % {"rule": rule}


def uses(promo: PromoCode) -> str:
    if promo.max_uses is None:
        return _("%(uses)s, no limit") % {"uses": promo.uses}
    return _("%(uses)s of %(max)s") % {"uses": promo.uses, "max": promo.max_uses}


def list_label(promo: PromoCode) -> str:
    state = "" if promo.is_active else " ⏸"
    return f"{promo.code} · {value(promo.kind, promo.value)} · {uses(promo)}{state}"


def promo_list(number: int, *, has_items: bool) -> str:
    header = _("🎟 <b>Promo codes</b> · %(page)s") % {"page": page_label(number).lower()}
    if not has_items:
        return header + "\n\n" + _("No promo codes yet.")
    return header + "\n\n" + _("Choose a code to see it, switch it off or delete it:")


def binding(promo: PromoCode) -> str:
    if promo.category is not None:
        return _("category %(name)s") % {"name": user_text(promo.category.name)}
    if promo.product is not None:
        return _("product %(name)s") % {"name": user_text(promo.product.name)}
    return str(BIND_NONE).lower()


def card(promo: PromoCode, *, saved: bool = False) -> str:
    lines = [
        *([_("✅ Saved.")] if saved else []),
        f"🎟 <b>{user_text(promo.code)}</b>",
        "",
        _("Gives: %(kind)s, %(value)s")
        % {"kind": KINDS[promo.kind], "value": value(promo.kind, promo.value)},
        _("Applies to: %(binding)s") % {"binding": binding(promo)},
        _("Used: %(uses)s") % {"uses": uses(promo)},
        _("Expires: %(expiry)s")
        % {"expiry": date_time(promo.expires_at) if promo.expires_at else _("never")},
        _("Status: %(status)s") % {"status": _("active") if promo.is_active else _("switched off")},
    ]
    return "\n".join(str(line) for line in lines)


def confirm_delete(promo: PromoCode) -> str:
    return _(
        "🗑 Delete the promo code <b>%(code)s</b>? It was used %(uses)s times; "
        "purchases made with it keep their prices."
    ) % {"code": user_text(promo.code), "uses": promo.uses}


def deleted_toast() -> str:
    return str(DELETED)
