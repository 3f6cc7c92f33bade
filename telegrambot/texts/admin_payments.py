"""Payments in the admin menu: the lists, a payment's card, refunds and re-checks."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import Page
from catalog.selectors.staff import RefundEffects
from payments.models import Payment, StarReconciliation
from payments.money import STARS, format_money
from payments.selectors.staff import PaymentCard, PaymentsOverview
from payments.services.crediting import Credit
from telegrambot.texts.common import date_time, user_text

SECTION = gettext_lazy("💳 Payments")
FIND = gettext_lazy("🔎 Find a payment")
FIND_ANOTHER = gettext_lazy("🔎 Find another payment")
ASK_PAYMENT = gettext_lazy(
    "🔎 Send a payment id (such as #42), a Telegram charge id or a CryptoPay invoice id."
)
SEVERAL_FOUND = gettext_lazy("🔎 Several payments match. Choose one:")
REFUND_STARS = gettext_lazy("↩️ Refund the Stars")
MANUAL_REFUND = gettext_lazy("📝 Record a manual refund")
RECHECK = gettext_lazy("🔄 Re-check with CryptoPay")
RECONCILE_STARS = gettext_lazy("⭐ Reconcile Stars with Telegram")
CUSTOMER = gettext_lazy("👤 The customer")
CONFIRM = gettext_lazy("✅ Yes, refund")
REFUNDED = gettext_lazy("✅ Refunded. The customer has been told.")
EMPTY = gettext_lazy("Nothing here.")
STARS_FLAGGED_SHOWN = 15  # flagged charges listed on the screen, well under 4096 characters

PROVIDERS = {
    Payment.Provider.STARS: gettext_lazy("⭐ Telegram Stars"),
    Payment.Provider.TELEGRAM: gettext_lazy("💳 Card (Telegram Payments)"),
    Payment.Provider.CRYPTOPAY: gettext_lazy("🪙 CryptoPay"),
    Payment.Provider.MANUAL: gettext_lazy("✍️ Manual"),
}
STATUSES = {
    Payment.Status.PENDING: gettext_lazy("waiting to be paid"),
    Payment.Status.PAID: gettext_lazy("paid"),
    Payment.Status.REFUNDING: gettext_lazy("refund waiting for Telegram"),
    Payment.Status.EXPIRED: gettext_lazy("expired"),
    Payment.Status.FAILED: gettext_lazy("failed"),
    Payment.Status.REFUNDED: gettext_lazy("refunded"),
}
PURPOSES = {
    Payment.Purpose.TOP_UP: gettext_lazy("balance top-up"),
    Payment.Purpose.ORDER: gettext_lazy("direct order"),
}
LIST_TITLES = {
    "review": gettext_lazy("⚠️ Needs review"),
    "pending": gettext_lazy("⏳ Waiting to be paid"),
}


def overview(counts: PaymentsOverview) -> str:
    return _(
        "💳 <b>Payments</b>\n\n"
        "Needing review: %(review)s\n"
        "Waiting to be paid: %(pending)s\n\n"
        "Find a payment by its id, its Telegram charge id or its CryptoPay invoice id."
    ) % {"review": counts.review, "pending": counts.pending}


def list_button(which: str, count: int) -> str:
    return _("%(title)s (%(count)s)") % {"title": LIST_TITLES[which], "count": count}


def payment_list(which: str, page: Page[Payment]) -> str:
    title = f"<b>{LIST_TITLES[which]}</b>"
    return title + "\n\n" + str(EMPTY) if not page.items else title


def payment_button(payment: Payment) -> str:
    """A payment in a list: plain text, as buttons show it."""
    status = STATUSES.get(payment.status, payment.status)
    return f"#{payment.pk} · {format_money(payment.amount)} · {str(payment.customer)[:33]} · {status}"


def charged(payment: Payment) -> str:
    """What the provider charged, in its own unit: 30 ⭐, 20.00 RUB, 25 EUR."""
    amount = format(payment.provider_amount.normalize(), "f")
    if payment.provider_currency == STARS:
        return f"{amount} ⭐"
    return f"{amount} {user_text(payment.provider_currency, limit=8)}"


def card(found: PaymentCard, note: str = "") -> str:
    payment = found.payment
    customer = payment.customer
    lines = [note, ""] if note else []
    lines += [
        _("💳 <b>Payment #%(id)s</b> · %(purpose)s")
        % {"id": payment.pk, "purpose": PURPOSES.get(payment.purpose, "")},
        _("Customer: %(name)s (<code>%(id)s</code>), balance %(balance)s")
        % {
            "name": user_text(customer, limit=40),
            "id": customer.telegram_id,
            "balance": format_money(customer.balance),
        },
        _("Method: %(method)s") % {"method": PROVIDERS.get(payment.provider, payment.provider)},
        _("Amount: <b>%(amount)s</b> · charged %(charged)s")
        % {"amount": format_money(payment.amount), "charged": charged(payment)},
        _("Status: <b>%(status)s</b>") % {"status": STATUSES.get(payment.status, payment.status)},
        _("Credited and still on the balance: %(amount)s") % {"amount": format_money(found.credited)},
        *times(payment),
    ]
    if payment.external_id:
        label = (
            _("CryptoPay invoice") if payment.provider == Payment.Provider.CRYPTOPAY else _("Telegram charge")
        )
        lines.append(f"{label}: <code>{user_text(payment.external_id, limit=128)}</code>")
    if payment.order:
        items = ", ".join(f"{line.get('name', '?')} × {line.get('quantity', 1)}" for line in payment.order)
        lines.append(_("Order: %(items)s") % {"items": user_text(items, limit=300)})
    lines += status_notes(payment)
    return "\n".join(lines)


def times(payment: Payment) -> list[str]:
    lines = [_("Created: %(time)s") % {"time": date_time(payment.created)}]
    if payment.paid_at:
        lines.append(_("Paid: %(time)s") % {"time": date_time(payment.paid_at)})
    if payment.refunded_at:
        lines.append(_("Refunded: %(time)s") % {"time": date_time(payment.refunded_at)})
    if payment.status == Payment.Status.PENDING:
        lines.append(_("Expires: %(time)s") % {"time": date_time(payment.expires_at)})
    return lines


def status_notes(payment: Payment) -> list[str]:
    lines = []
    if payment.needs_review and payment.status != Payment.Status.REFUNDED:
        lines += ["", _("⚠️ <b>Needs review:</b> %(note)s") % {"note": user_text(payment.note, limit=255)}]
    elif payment.note:
        lines.append(_("Note: %(note)s") % {"note": user_text(payment.note, limit=255)})
    if payment.status == Payment.Status.REFUNDING:
        lines += ["", _("⏳ Telegram has not confirmed the refund yet. Refund it again to finish.")]
    return lines


def ask_reason(found: PaymentCard, *, manual: bool) -> str:
    if manual:
        question = _(
            "📝 Why was payment #%(id)s refunded outside the shop? Send the reason (1 to 200 characters)."
        )
    else:
        question = _("📝 Why is payment #%(id)s refunded? Send the reason (1 to 200 characters).")
    return question % {"id": found.payment.pk} + "\n\n" + _("It is kept in the ledger and the audit log.")


def confirm_refund(found: PaymentCard, reason: str, *, manual: bool, effects: RefundEffects) -> str:
    payment = found.payment
    values = {
        "id": payment.pk,
        "charged": charged(payment),
        "customer": user_text(payment.customer, limit=40),
        "amount": format_money(found.credited),
        "balance": format_money(payment.customer.balance),
        "reason": user_text(reason),
    }
    if manual:
        text = _(
            "📝 <b>Record a manual refund of payment #%(id)s?</b>\n\n"
            "You returned %(charged)s to %(customer)s outside the shop. "
            "%(amount)s is taken from their balance (now %(balance)s).\n\nReason: %(reason)s"
        )
    else:
        text = _(
            "↩️ <b>Refund payment #%(id)s?</b>\n\n"
            "Telegram returns %(charged)s to %(customer)s, and %(amount)s is taken from their balance "
            "(now %(balance)s).\n\nReason: %(reason)s"
        )
    return "\n\n".join([text % values, *refund_warnings(effects)])


def refund_warnings(effects: RefundEffects) -> list[str]:
    """What the refund does not take back, said before the admin confirms it."""
    warnings = []
    if effects.delivered_count:
        items = "\n".join(
            "#%s · %s" % (purchase.order_number, user_text(purchase.product_name, limit=60))
            for purchase in effects.delivered
        )
        more = effects.delivered_count - len(effects.delivered)
        if more:
            items += "\n" + _("…and %(count)s more") % {"count": more}
        warnings.append(
            _(
                "⚠️ <b>This order was delivered.</b> The refund does not take back what the customer "
                "received (%(count)s items):"
            )
            % {"count": effects.delivered_count}
            + "\n"
            + items
        )
    reward = effects.reward
    if reward is not None and reward.reversed_at is None:
        values = {
            "amount": format_money(reward.amount),
            "referrer": user_text(reward.referrer, limit=40),
            "balance": format_money(reward.referrer.balance),
        }
        if reward.referrer.balance >= reward.amount:
            text = _(
                "↩️ The referral reward of %(amount)s paid for this top-up is taken back from %(referrer)s "
                "(balance %(balance)s)."
            )
        else:
            text = _(
                "⚠️ The referral reward of %(amount)s paid for this top-up is taken back from %(referrer)s as "
                "far as their balance (%(balance)s) allows; the rest is recorded as owed."
            )
        warnings.append(text % values)
    return warnings


def recheck_outcome(credit: Credit) -> str:
    payment = credit.payment
    if credit.credited:
        return _("✅ CryptoPay says it was paid: %(amount)s credited.") % {
            "amount": format_money(payment.amount)
        }
    if credit.needs_review:
        return _("⚠️ CryptoPay's invoice does not match this payment: it needs review.")
    if payment.status == Payment.Status.PENDING:
        return _("⏳ CryptoPay says it is not paid yet.")
    return _("Nothing to credit: the payment is %(status)s.") % {"status": STATUSES.get(payment.status, "")}


def stars_report(run: StarReconciliation) -> str:
    """A Stars reconciliation's report: the counts, then each flagged charge."""
    text = _(
        "⭐ <b>Stars reconciliation</b>\n\n"
        "Telegram's transactions: %(transactions)s\n"
        "Matched: %(matched)s\n"
        "Credited now: %(credited)s\n"
        "Refunds outside the bot recorded: %(refunds)s\n"
        "Flagged for review: %(flagged)s"
    ) % {
        "transactions": run.transactions,
        "matched": run.matched,
        "credited": run.credited,
        "refunds": run.refunds,
        "flagged": len(run.flagged),
    }
    lines = [
        "• "
        + (f"#{item['payment']} " if item.get("payment") else "")
        + f"<code>{user_text(str(item.get('charge', '')), limit=40)}</code>: "
        + user_text(str(item.get("problem", "")), limit=120)
        for item in run.flagged[:STARS_FLAGGED_SHOWN]
    ]
    more = len(run.flagged) - STARS_FLAGGED_SHOWN
    if more > 0:
        lines.append(_("…and %(count)s more in the list needing review.") % {"count": more})
    return "\n".join([text, *lines]) if lines else text
