"""Strings of the bot's operations: rate limits and outages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, npgettext

UNAVAILABLE = gettext_lazy("The shop is temporarily unavailable. Please try again in a minute.")
# Whole sentences per action: the action's word takes a different form in each language.
TOO_MANY = {
    "purchase": gettext_lazy("Too many purchases in a short time. Please try again in %(wait)s."),
    "payment": gettext_lazy("Too many new payments in a short time. Please try again in %(wait)s."),
    "promo": gettext_lazy("Too many promo code attempts in a short time. Please try again in %(wait)s."),
    "broadcast": gettext_lazy("Too many broadcasts in a short time. Please try again in %(wait)s."),
    "mydata": gettext_lazy("You asked for your data a few times already. Please try again in %(wait)s."),
}
TOO_MANY_OTHER = gettext_lazy("Too many requests in a short time. Please try again in %(wait)s.")


def minutes(seconds: int) -> str:
    """Return the wait in whole minutes, as it reads after "in" ("try again in 5 minutes")."""
    count = max(1, -(-seconds // 60))
    return npgettext("after 'in'", "%(count)s minute", "%(count)s minutes", count) % {"count": count}


def too_many_updates(seconds: int) -> str:
    """The one notice of a user who sent too much: the bot ignores them for a while."""
    return _("You are sending too many requests. The bot will answer you again in %(wait)s.") % {
        "wait": minutes(seconds)
    }


def too_many_actions(scope: str, seconds: int) -> str:
    """The one notice of a user who repeated one action too often (buying, paying, promo codes)."""
    return str(TOO_MANY.get(scope, TOO_MANY_OTHER)) % {"wait": minutes(seconds)}
