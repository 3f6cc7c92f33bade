"""The referral programme: the personal link, the count, the earnings and the list."""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Customer
from payments.money import format_money
from telegrambot.texts.common import EMPTY, date_time, page_label, user_text

REFERRAL_LIST = gettext_lazy("👥 My referrals")


def referral_link(bot_username: str, customer: Customer) -> str:
    return f"https://t.me/{bot_username}?start=ref_{customer.referral_code}"


def referrals(*, link: str, count: int, earned: Decimal) -> str:
    return _(
        "👥 <b>Referrals</b>\n\n"
        "Invite friends with your personal link and receive %(percent)s%% of every top-up they make.\n\n"
        "Your link: <code>%(link)s</code>\n"
        "Invited: <b>%(count)s</b>\n"
        "Earned: <b>%(earned)s</b>"
    ) % {
        "percent": format(settings.REFERRAL_PERCENT.normalize(), "f"),
        "link": html.escape(link),
        "count": count,
        "earned": format_money(earned),
    }


def referral_list(referrals: Sequence[Customer], number: int) -> str:
    if not referrals:
        return (
            _("👥 <b>My referrals</b>\n\nNobody has joined with your link yet.")
            if number == 1
            else str(EMPTY)
        )
    lines = [_("👥 <b>My referrals</b> · %(page)s") % {"page": page_label(number).lower()}, ""]
    lines += [
        "%s · %s" % (date_time(referral.created), user_text(referral.display_name, limit=40))
        for referral in referrals
    ]
    return "\n".join(lines)
