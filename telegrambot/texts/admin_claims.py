"""Texts of the admin menu's Claims section (handlers/admin_claims.py)."""

from __future__ import annotations

import html

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import Page
from catalog.models import Claim
from catalog.selectors.claims import ClaimCard, StarsOrder
from catalog.services.second_decisions import DECISION_NAMES
from payments.money import format_money
from telegrambot.texts.common import date_time, user_text

NONE_OPEN = gettext_lazy("🛠 <b>Claims</b>\n\nNo claim waits for a decision.")
REPLACE = gettext_lazy("🔁 Replace")
WAIT = gettext_lazy("⏳ Wait for stock")
REFUND = gettext_lazy("💸 Refund (unit defective)")
RESTOCK = gettext_lazy("💸 Refund (unit back to stock)")
REJECT = gettext_lazy("❌ Reject")
REFUND_STARS = gettext_lazy("⭐ Refund in Stars (whole order)")
REFUND_MANUAL = gettext_lazy("🧾 Record manual refund")
ATTACHMENT = gettext_lazy("📎 The customer's file")
YES = gettext_lazy("✅ Yes, decide")
LIST = gettext_lazy("🛠 Claims")
ASK_REASON = gettext_lazy("❌ Send the reason the customer will see (up to 500 characters).")
VALUE_HIDDEN = gettext_lazy("Delivered: hidden (needs the “Delivered keys” permission).")
REASONS = {
    "not_working": gettext_lazy("Doesn't work"),
    "already_used": gettext_lazy("Already used"),
    "wrong_item": gettext_lazy("Wrong item"),
    "other": gettext_lazy("Other"),
}
QUESTIONS = {
    "replace": gettext_lazy("Replace the item with the next unit in stock? No money moves."),
    "wait": gettext_lazy("Let the claim wait: the next unit added to the product replaces it first."),
    "refund": gettext_lazy("Return the price to the customer's balance and mark the unit defective?"),
    "restock": gettext_lazy("Return the price to the customer's balance and put the unit back on sale?"),
    "manual": gettext_lazy(
        "Record that the price was returned to the customer outside the shop (card, crypto)? "
        "The balance does not change; the unit is marked defective."
    ),
}


def section_button(open_claims: int) -> str:
    return _("🛠 Claims (%(count)s)") % {"count": open_claims} if open_claims else _("🛠 Claims")


def claims(page: Page[Claim]) -> str:
    if not page.items and page.number == 1:
        return str(NONE_OPEN)
    return _("🛠 <b>Claims waiting for a decision</b>, oldest first · page %(page)s") % {"page": page.number}


def claim_button(claim: Claim) -> str:
    return "#%s · %s · %s" % (claim.pk, claim.purchase.order_number, claim.purchase.product_name[:30])


def card(card: ClaimCard, *, with_value: bool = True) -> str:
    """The claim's card: the purchase, the complaint, the customer's record and the product's defect rate."""
    claim, purchase, record = card.claim, card.claim.purchase, card.customer
    lines = [
        _("🛠 <b>Claim #%(claim)s</b> · %(status)s")
        % {"claim": claim.pk, "status": claim.get_status_display()},
        _("Order #%(order)s · %(product)s · %(price)s · %(date)s")
        % {
            "order": html.escape(purchase.order_number),
            "product": user_text(purchase.product_name, limit=100),
            "price": format_money(purchase.price),
            "date": date_time(purchase.created),
        },
        paid_with(card.stars_order),
        _("Reason: %(reason)s") % {"reason": REASONS.get(claim.reason, claim.reason)},
    ]
    if claim.text:
        lines.append(_("Customer wrote: %(text)s") % {"text": user_text(claim.text, limit=1000)})
    if card.value is None:
        lines.append(str(VALUE_HIDDEN))
    elif with_value:
        lines.append(_("Delivered:") + " <code>" + html.escape(card.value) + "</code>")
        if card.replacement_value is not None:
            lines.append(_("Replacement:") + " <code>" + html.escape(card.replacement_value) + "</code>")
    lines += [
        "",
        _(
            "Customer: %(name)s (<code>%(id)s</code>): %(purchases)s purchases, %(claims)s claims (%(rate)s%%), "
            "%(refunds)s refunds (%(refunded)s)"
        )
        % {
            "name": user_text(str(claim.customer), limit=40),
            "id": claim.customer.telegram_id,
            "purchases": record.purchases,
            "claims": record.claims,
            "rate": record.claim_rate,
            "refunds": record.refunds,
            "refunded": format_money(record.refunded),
        },
        _("Product: %(sold)s sold, %(defective)s defective (%(rate)s%%)")
        % {"sold": card.product_sold, "defective": card.product_defective, "rate": card.defect_rate},
    ]
    lines += second_decision(card)
    if claim.decided_at is not None:
        lines.append(
            _("Decided by %(who)s on %(date)s. %(note)s")
            % {
                "who": user_text(claim.decided_by_label, limit=60),
                "date": date_time(claim.decided_at),
                "note": user_text(claim.decision_note, limit=500),
            }
        )
    return "\n".join(lines)


def confirm(claim_id: int, decision: str, stars_order: StarsOrder | None = None) -> str:
    question = stars_question(stars_order) if decision == "stars" else QUESTIONS[decision]
    return "🛠 <b>%s</b>\n\n%s" % (_("Claim #%(claim)s") % {"claim": claim_id}, question)


def stars_question(order: StarsOrder | None) -> str:
    if order is None:
        return _(
            "This order was not paid with Telegram Stars: refund it to the balance or record a manual refund."
        )
    return _(
        "Refund the whole order through Telegram: %(stars)s %(currency)s go back to the customer, and all "
        "%(items)s items of this order are marked refunded and defective. A cart order is refunded only as a "
        "whole."
    ) % {
        "stars": format(order.stars.normalize(), "f"),
        "currency": html.escape(order.currency),
        "items": order.items,
    }


def paid_with(order: StarsOrder | None) -> str:
    if order is None:
        return _("Paid from the balance.")
    return _("Paid with Telegram Stars: payment #%(payment)s, %(stars)s %(currency)s, %(items)s items.") % {
        "payment": order.payment_id,
        "stars": format(order.stars.normalize(), "f"),
        "currency": html.escape(order.currency),
        "items": order.items,
    }


def decided(claim_id: int, status: str) -> str:
    return _("✅ Claim #%(claim)s: %(status)s. The customer has been told.") % {
        "claim": claim_id,
        "status": Claim.Status(status).label,
    }


def decided_untold(claim_id: int, status: str) -> str:
    return _("✅ Claim #%(claim)s: %(status)s. The customer could not be reached yet.") % {
        "claim": claim_id,
        "status": Claim.Status(status).label,
    }


def second_decision(card: ClaimCard) -> list[str]:
    """The claim-rate warning, and the decision waiting for a second staff member."""
    claim, rate = card.claim, card.rate
    if rate is None or not rate.over or not claim.is_undecided:
        return []
    lines = [
        _(
            "⚠️ <b>Frequent claimer</b>: %(claims)s claims in the last %(purchases)s purchases. "
            "A replace or refund needs a second staff member."
        )
        % {"claims": rate.claims, "purchases": rate.purchases}
    ]
    if claim.pending_decision:
        lines.append(
            _("⏳ %(who)s chose “%(decision)s” on %(date)s; a different staff member confirms it.")
            % {
                "who": user_text(claim.pending_by_label, limit=60),
                "decision": DECISION_NAMES.get(claim.pending_decision, "?"),
                "date": date_time(claim.pending_at),
            }
        )
    return lines
