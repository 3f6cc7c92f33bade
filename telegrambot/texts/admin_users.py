"""Users in the admin menu: the profile, balance changes, blocking, roles; and what the user is told."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.selectors.staff import CustomerProfile
from payments.models import LedgerEntry
from payments.money import format_money
from telegrambot.texts.common import date_time, user_text
from telegrambot.texts.profile import KIND_LABELS

ASK_USER = gettext_lazy("👥 Send the user's Telegram id (digits) or @username.")
CREDIT = gettext_lazy("➕ Credit")
DEBIT = gettext_lazy("➖ Debit")
BLOCK = gettext_lazy("🚫 Block")
UNBLOCK = gettext_lazy("✅ Unblock")
ROLE = gettext_lazy("🛡 Change role")
FIND_ANOTHER = gettext_lazy("👥 Find another user")
ASK_REASON = gettext_lazy("📝 Send the reason (1 to 200 characters); the user will see it.")
ASK_BLOCK_REASON = gettext_lazy(
    "🚫 Send the reason for the block (1 to 200 characters). The user sees it once; their open claims are refused."
)
ANONYMISE = gettext_lazy("🗑 Anonymise")
ANONYMISE_YES = gettext_lazy("🗑 Yes, anonymise for good")
CONFIRM_ANONYMISE = gettext_lazy(
    "🗑 Anonymise this customer? Their names and username, their tickets', claims' and reviews' texts, "
    "cart and waitlist are removed for good. Purchases, payments and the ledger stay, shown as “deleted #id”."
)
CHOOSE_ROLE = gettext_lazy("🛡 Choose the new role. Only roles within your own permissions are listed.")
CURRENT_MARK = "✓ "
NO_ROLE = gettext_lazy("Customer")


def ask_amount(credit: bool) -> str:
    question = _("➕ How much to credit?") if credit else _("➖ How much to debit?")
    return (
        question
        + " "
        + _("Send an amount from %(minimum)s to %(maximum)s, at most two decimals.")
        % {
            "minimum": format_money(settings.MIN_AMOUNT),
            "maximum": format_money(settings.MAX_AMOUNT),
        }
    )


def profile(found: CustomerProfile) -> str:
    customer = found.customer
    status = _("blocked") if customer.is_blocked else _("active")
    if customer.has_blocked_bot:
        status += ", " + _("has blocked the bot")
    if customer.anonymised_at is not None:
        status += ", " + _("anonymised on %(date)s") % {"date": date_time(customer.anonymised_at)}
    role = _("Owner") if customer.is_owner else customer.role.name if customer.role else str(NO_ROLE)
    if customer.is_blocked and customer.block_reason:
        status += " · " + user_text(customer.block_reason, limit=200)
    lines = [
        _("👤 <b>%(name)s</b>") % {"name": user_text(customer.display_name, limit=64)},
        _("ID: <code>%(id)s</code>") % {"id": customer.telegram_id},
        _("Username: %(username)s")
        % {"username": user_text("@" + customer.username) if customer.username else "—"},
        _("Role: %(role)s") % {"role": user_text(role)},
        _("Status: %(status)s") % {"status": status},
        _("Joined: %(date)s") % {"date": date_time(customer.created)},
        _("Balance: <b>%(balance)s</b>") % {"balance": format_money(Decimal(customer.balance))},
        _("Purchases: %(count)s for %(spent)s")
        % {"count": found.purchases, "spent": format_money(found.spent)},
        _("Referrals: %(count)s") % {"count": found.referrals},
    ]
    if found.recent:
        lines += ["", _("<b>Latest balance changes:</b>")]
        for entry in found.recent:
            sign = "+" if entry.amount > 0 else ""
            lines.append(
                f"{date_time(entry.created)} {sign}{format_money(entry.amount)} · {KIND_LABELS.get(entry.kind, entry.kind)}"
                + (f" · {user_text(entry.reason, limit=60)}" if entry.reason else "")
            )
    return "\n".join(lines)


# Told to the user, in their own language.
def balance_adjusted(entry: LedgerEntry) -> str:
    """What the admin sees after a balance change when the profile screen is not theirs to see."""
    text = _("✅ Credited %(amount)s.") if entry.amount > 0 else _("✅ Debited %(amount)s.")
    return (
        (text % {"amount": format_money(abs(entry.amount))})
        + " "
        + _("The balance of %(id)s is now %(balance)s.")
        % {"id": entry.customer.telegram_id, "balance": format_money(entry.balance_after)}
    )


def balance_changed(amount: Decimal, balance: Decimal, reason: str, *, credit: bool) -> str:
    text = (
        _("💰 The shop credited %(amount)s to your balance.")
        if credit
        else _("💰 The shop debited %(amount)s from your balance.")
    )
    return (
        (text % {"amount": format_money(amount)})
        + "\n"
        + _("Reason: %(reason)s\nBalance: %(balance)s")
        % {
            "reason": user_text(reason),
            "balance": format_money(balance),
        }
    )


def unblocked() -> str:
    return _("✅ Your account has been unblocked. Welcome back!")
