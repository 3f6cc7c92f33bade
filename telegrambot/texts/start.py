"""The main menu, /help, /terms, /paysupport, rules, support and the language screen."""

from __future__ import annotations

import html
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Customer
from payments.money import format_money

SHOP = gettext_lazy("🛍 Shop")
OPEN_SHOP = gettext_lazy("🛍 Open the shop")
MENU_BUTTON = gettext_lazy("Shop")
PROFILE = gettext_lazy("👤 Profile")
TOP_UP = gettext_lazy("💳 Top up")
REFERRALS = gettext_lazy("👥 Referrals")
RULES = gettext_lazy("📜 Rules")
SUPPORT = gettext_lazy("💬 Support")
LANGUAGE = gettext_lazy("🌐 Language")
NEWS = gettext_lazy("📢 News channel")
ADMIN_PANEL = gettext_lazy("🛠 Admin panel")
CHOOSE_LANGUAGE = gettext_lazy("Choose your language:")
NO_SUPPORT = gettext_lazy("Support is not configured yet.")
NO_RULES = gettext_lazy("The shop has not published its rules yet.")

# Each command's description in the command list, in both languages.
COMMANDS = [
    ("start", gettext_lazy("Open the main menu")),
    ("shop", gettext_lazy("Browse the shop")),
    ("profile", gettext_lazy("Your balance and history")),
    ("help", gettext_lazy("How the shop works")),
    ("language", gettext_lazy("Change the language")),
    ("terms", gettext_lazy("Terms of service")),
    ("paysupport", gettext_lazy("Help with a payment")),
    ("mydata", gettext_lazy("Download the data the shop holds about you")),
]


def cart(count: int) -> str:
    return _("🛒 Cart (%(count)s)") % {"count": count} if count else _("🛒 Cart")


def menu(customer: Customer) -> str:
    return _("👋 Hello, <b>%(name)s</b>!\n\nYour balance: <b>%(balance)s</b>\nChoose a section:") % {
        "name": html.escape(customer.display_name[:64]),
        "balance": format_money(Decimal(customer.balance)),
    }


def help_text() -> str:
    return _(
        "<b>How the shop works</b>\n\n"
        "1. Top up your balance with one of the payment methods.\n"
        "2. Choose an item in the shop and buy it from your balance.\n"
        "3. The item arrives in this chat at once and stays in your purchase history.\n\n"
        "Commands: /start menu, /shop catalog, /profile balance and history, "
        "/language language, /terms terms of service, /paysupport payment help."
    )


def terms() -> str:
    return _(
        "<b>Terms of service</b>\n\n"
        "Goods are digital and are delivered in this chat right after payment. "
        "Money on your balance can be spent on any item of the shop. "
        "If an item does not work as described, contact support within 24 hours "
        "with the order number and we will replace it or refund it to your balance."
    )


def pay_support() -> str:
    return (
        _(
            "<b>Payment support</b>\n\n"
            "If a payment went through but your balance did not change, or you were charged twice, "
            "write to support with the date, the amount and the payment method. "
            "Payments are checked by hand and every confirmed payment is credited."
        )
        + support_contact_line()
    )


def support_contact_line() -> str:
    contact = support_contact()
    return "\n\n" + _("Support: %(contact)s") % {"contact": contact} if contact else ""


def support_contact() -> str:
    """Return HELPER_ID as an HTML mention: a @username, or a link to a numeric user id."""
    helper = settings.HELPER_ID.strip()
    if helper.lstrip("-").isdigit():
        return '<a href="tg://user?id=%s">%s</a>' % (int(helper), html.escape(_("support")))
    return html.escape("@" + helper.lstrip("@")) if helper else ""


def support() -> str:
    contact = support_contact()
    if not contact:
        return str(NO_SUPPORT)
    return _("💬 <b>Support</b>\n\nWrite to %(contact)s and describe your question.") % {"contact": contact}


def rules() -> str:
    text = settings.RULES.strip()
    if not text:
        return str(NO_RULES)
    # RULES is plain text from the settings; escaped, and cut to fit one message.
    return _("📜 <b>Rules</b>") + "\n\n" + html.escape(text[:3800])


def language_saved() -> str:
    return _("Language saved.")
