"""Strings shared by every screen: navigation, refusals, the gate."""

from __future__ import annotations

import html
import math
from datetime import datetime
from typing import Any

from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Telegram's limits, in characters after entity parsing.
MAX_MESSAGE = 4096
MAX_CAPTION = 1024
MAX_ALERT = 200

UNEXPECTED_ERROR = gettext_lazy("Something went wrong on our side. Please try again later.")
UNKNOWN_BUTTON = gettext_lazy("This button is no longer valid. Open the menu with /start.")
UNKNOWN_TEXT = gettext_lazy("I did not understand that. Use the buttons below or /start to open the menu.")
EXPIRED_PROMPT = gettext_lazy("That question has expired. Open the menu with /start.")
BLOCKED = gettext_lazy("Your account is blocked. If you think this is a mistake, contact support.")
JOIN_CHANNEL = gettext_lazy("To use the shop, please join our channel first, then press “I've joined”.")
NOT_JOINED_YET = gettext_lazy("You have not joined the channel yet.")
COMING_SOON = gettext_lazy("This section is not available yet.")
EMPTY = gettext_lazy("Nothing here yet.")

BACK = gettext_lazy("⬅️ Back")
TO_MENU = gettext_lazy("🏠 Menu")
CANCEL = gettext_lazy("✖️ Cancel")
PREVIOUS = gettext_lazy("◀️")
NEXT = gettext_lazy("▶️")
JOIN = gettext_lazy("📢 Join the channel")
JOINED = gettext_lazy("✅ I've joined")


def page_label(number: int) -> str:
    return _("Page %(number)s") % {"number": number}


def user_text(value: object, *, limit: int = 200) -> str:
    """Return text someone typed, shortened to ``limit`` characters and escaped for HTML."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text)


def date_time(moment: datetime) -> str:
    return localtime(moment).strftime("%Y-%m-%d %H:%M")


def is_being_prepared(purchase: Any) -> bool:
    """Whether a manual order's purchase has nothing handed over yet (staff deliver it later)."""
    return purchase.fulfil_by is not None and not purchase.value and purchase.file_id is None


def is_from_sellers_system(purchase: Any) -> bool:
    """Whether the purchase's product (when loaded: no query) is delivered by the seller's endpoint."""
    cached = getattr(purchase, "_state", None) is not None and "product" in purchase._state.fields_cache
    product = purchase._state.fields_cache.get("product") if cached else None
    return product is not None and product.is_dynamic


def handed_over(purchase: Any) -> str:
    """A purchase's value in ``<code>``, or where its manual order stands (being prepared, refunded)."""
    if not is_being_prepared(purchase):
        return "<code>" + html.escape(purchase.value) + "</code>"
    if purchase.refunded_at is not None:
        return str(_("↩️ Not delivered: refunded to your balance."))
    if is_from_sellers_system(purchase):
        return str(_("🔑 Your key is on its way: it arrives in this chat in a moment."))
    hours = max(1, math.ceil((purchase.fulfil_by - purchase.created).total_seconds() / 3600))
    return _(
        "⏳ Your order is being prepared, expected within %(hours)s h (by %(date)s). It will arrive in this chat."
    ) % {"hours": hours, "date": date_time(purchase.fulfil_by)}


def refusal(message: object) -> str:
    """Return a refusal as message text (escaped) — the error handler's reply to typed text."""
    return "⚠️ " + html.escape(str(message))


def alert(message: object) -> str:
    """Return a refusal shortened to fit a callback alert (plain text, no HTML)."""
    text = str(message)
    return text if len(text) <= MAX_ALERT else text[: MAX_ALERT - 1] + "…"


def blocked(reason: str, *, html: bool = False) -> str:
    """The one notice a blocked user gets: the block, and the reason staff gave (if any)."""
    text = str(BLOCKED)
    if reason:
        shown = user_text(reason) if html else reason
        text += "\n" + _("Reason: %(reason)s") % {"reason": shown}
    return text
