"""Texts of reporting a problem with a purchase (handlers/claims.py)."""

from __future__ import annotations

import html
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telegrambot.texts.catalog import SENT_AS_FILE
from telegrambot.texts.common import user_text

REPORT = gettext_lazy("🛠 Report a problem")
SKIP = gettext_lazy("⏭ Skip")
REASONS = {
    "not_working": gettext_lazy("Doesn't work"),
    "already_used": gettext_lazy("Already used"),
    "wrong_item": gettext_lazy("Wrong item"),
    "other": gettext_lazy("Other"),
}
ASK_TEXT = gettext_lazy("🛠 Describe the problem in one message (up to 1000 characters), or press Skip.")
TEXT_TOO_LONG = gettext_lazy("That is too long: describe the problem in at most 1000 characters.")
ASK_FILE = gettext_lazy("📎 Send one photo or document (a screenshot helps), or press Skip.")
STEP_OVER = gettext_lazy("This step is over. Open the order in your purchases to report a problem.")
FILE_EXPECTED = gettext_lazy("Send a photo or a document, or press Skip.")


def choose_reason(order_number: str) -> str:
    return _("🛠 <b>Order #%(number)s</b>\n\nWhat is wrong with it?") % {
        "number": user_text(order_number, limit=16)
    }


def cannot_claim(order_number: str, refusal: str) -> str:
    return _("🛠 <b>Order #%(number)s</b>\n\n%(refusal)s") % {
        "number": user_text(order_number, limit=16),
        "refusal": user_text(refusal, limit=300),
    }


def opened(claim_id: int) -> str:
    return _(
        "✅ Your claim <b>#%(claim)s</b> is registered. Staff will look at it and you will get the answer here."
    ) % {"claim": claim_id}


def outcome(claim: Any, replacement: Any = None, *, with_value: bool = True) -> str:
    """What the customer is told of the decision on their claim."""
    number = {"claim": claim.pk, "order": html.escape(claim.purchase.order_number)}
    if claim.status == "replaced" and replacement is not None:
        text = _("✅ Claim #%(claim)s (order #%(order)s): your item was replaced.") % number
        if not with_value:
            return text + "\n\n" + str(SENT_AS_FILE)
        return text + "\n\n" + _("Your new item:") + "\n<code>" + html.escape(replacement.value) + "</code>"
    if claim.status == "refunded" and claim.refund_to == "stars":
        return (
            _("💸 Claim #%(claim)s (order #%(order)s): the whole order was refunded in Telegram Stars.")
            % number
        )
    if claim.status == "refunded" and claim.refund_to == "manual":
        return (
            _("💸 Claim #%(claim)s (order #%(order)s): the price was returned to you outside the shop.")
            % number
        )
    if claim.status == "refunded":
        return _("💸 Claim #%(claim)s (order #%(order)s): the price was returned to your balance.") % number
    if claim.status == "rejected":
        return _("❌ Claim #%(claim)s (order #%(order)s) was rejected.\n\nReason: %(reason)s") % {
            **number,
            "reason": user_text(claim.decision_note, limit=500),
        }
    return (
        _(
            "⏳ Claim #%(claim)s (order #%(order)s): the replacement will be sent as soon as new stock arrives."
        )
        % number
    )
