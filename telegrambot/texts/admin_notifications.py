"""Staff notifications: the admin's choices, each notification, and the digest."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments.money import format_money
from telegrambot.texts.common import user_text

SECTION = gettext_lazy("🔔 Notifications")
ON, OFF = "✅", "▫️"
EVENTS = {
    "new_claim": gettext_lazy("New claims"),
    "ticket_message": gettext_lazy("Messages to support"),
    "large_purchase": gettext_lazy("Large purchases"),
    "payment_review": gettext_lazy("Payments flagged for review"),
    "low_stock": gettext_lazy("Low stock"),
    "reconciliation": gettext_lazy("Reconciliation reports"),
}
OPEN = {
    "new_claim": gettext_lazy("🛠 Open the claim"),
    "large_purchase": gettext_lazy("👤 Open the customer"),
    "payment_review": gettext_lazy("💳 Open the payment"),
    "low_stock": gettext_lazy("📦 Open the stock"),
    "reconciliation": gettext_lazy("💳 Open payments"),
}


def screen() -> str:
    return _(
        "🔔 <b>Notifications</b>\n\nChoose what the bot tells you of; each message has a button to the "
        "screen that handles it. More than 20 in a minute come as one summary."
    )


def toggle(event: str, *, on: bool) -> str:
    return f"{ON if on else OFF} {EVENTS.get(event, event)}"


def notice(event: str, params: dict[str, Any]) -> str:
    """One notification, in the recipient's language (active when called)."""
    if event == "new_claim":
        return _("🛠 New claim #%(claim)s: %(product)s (order #%(order)s)") % {
            "claim": params.get("claim"),
            "product": user_text(params.get("product", ""), limit=100),
            "order": user_text(params.get("order", ""), limit=20),
        }
    if event == "large_purchase":
        return _(
            "💰 Large purchase: %(total)s, %(items)s items (%(product)s) by <code>%(customer)s</code>"
        ) % {
            "total": format_money(Decimal(str(params.get("total", "0")))),
            "items": params.get("items"),
            "product": user_text(params.get("product", ""), limit=100),
            "customer": params.get("customer"),
        }
    if event == "payment_review":
        return _("🚨 Payment #%(id)s needs review: %(problem)s (customer %(customer)s, %(provider)s).") % {
            "id": params.get("payment"),
            "problem": user_text(params.get("problem", ""), limit=200),
            "customer": params.get("customer", ""),
            "provider": user_text(params.get("provider", ""), limit=20),
        }
    if event == "low_stock":
        return _("⚠️ <b>%(name)s</b> is running low: %(left)s units left (alert at %(threshold)s).") % {
            "name": user_text(params.get("name", ""), limit=100),
            "left": params.get("left"),
            "threshold": params.get("threshold"),
        }
    if params.get("stars"):
        return _(
            "⭐ Stars reconciliation: %(transactions)s Telegram transactions, %(credited)s credited, "
            "%(refunds)s refunds outside the bot recorded, %(flagged)s flagged for review (%(new)s new)."
        ) % {
            "transactions": params.get("transactions", 0),
            "credited": params.get("credited", 0),
            "refunds": params.get("refunds", 0),
            "flagged": params.get("flagged", 0),
            "new": params.get("new_flags", 0),
        }
    return _(
        "🧾 Reconciliation: %(credited)s credited, %(expired)s expired, %(flagged)s flagged for review, "
        "%(stuck)s Stars refunds waiting (CryptoPay: %(cryptopay)s)."
    ) % {
        "credited": params.get("credited", 0),
        "expired": params.get("expired", 0),
        "flagged": params.get("flagged", 0),
        "stuck": params.get("stuck_refunds", 0),
        "cryptopay": user_text(params.get("cryptopay", ""), limit=20),
    }


def digest(counts: dict[str, int]) -> str:
    """One message for a burst: how many of each event, instead of each."""
    lines = [_("🔔 <b>%(count)s notifications</b> in the last minute:") % {"count": sum(counts.values())}]
    lines += [f"• {EVENTS.get(event, event)}: {count}" for event, count in counts.items()]
    return "\n".join(lines)
