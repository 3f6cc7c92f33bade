"""Strings of the bot's operations: rate limits and outages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

UNAVAILABLE = gettext_lazy("The shop is temporarily unavailable. Please try again in a minute.")
ACTION_NAMES = {
    "purchase": gettext_lazy("purchases"),
    "payment": gettext_lazy("new payments"),
    "promo": gettext_lazy("promo code attempts"),
    "broadcast": gettext_lazy("broadcasts"),
}


def minutes(seconds: int) -> str:
    count = max(1, -(-seconds // 60))
    return ngettext("%(count)s minute", "%(count)s minutes", count) % {"count": count}


def too_many_updates(seconds: int) -> str:
    """The one notice of a user who sent too much: the bot ignores them for a while."""
    return _("You are sending too many requests. The bot will answer you again in %(wait)s.") % {
        "wait": minutes(seconds)
    }


def too_many_actions(scope: str, seconds: int) -> str:
    """The one notice of a user who repeated one action too often (buying, paying, promo codes)."""
    return _("Too many %(action)s in a short time. Please try again in %(wait)s.") % {
        "action": ACTION_NAMES.get(scope, scope),
        "wait": minutes(seconds),
    }
