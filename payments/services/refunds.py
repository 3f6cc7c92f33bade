"""Refunds: Stars through Telegram, card and CryptoPay recorded by hand.

A Stars refund crosses the network, so it runs in three steps and the
database is never left claiming something Telegram did not do; the face (the
bot, the web admin) makes the middle one, outside any service:

1. ``begin_stars_refund`` (one transaction): lock the customer, then the
   payment; refuse a payment that is not a paid Stars payment, or whose
   credited amount the balance no longer covers; debit that amount and mark
   the payment ``refunding``. The customer cannot spend the money while
   Telegram is asked, and a second press resumes this refund instead of
   holding the amount again.
2. ``payments.telegram_api.refund_star_payment`` (async, no database).
3. ``settle_stars_refund`` records the answer: Telegram returned the stars
   (or says they were returned already): mark the payment ``refunded`` and
   owe the customer a notice. Telegram refused: give the amount back and
   restore the status. Telegram could not be asked (timeout, 5xx), or the
   process stopped before step 3: it stays ``refunding`` and the job lists it;
   refunding again resumes at step 2, and Telegram's ``CHARGE_ALREADY_REFUNDED``
   tells whether it went through.

The referral reward of a refunded top-up stays with the referrer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actors import Actor, actor_customer
from accounts.services import record_audit, requires
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.money import ZERO, format_money
from payments.services.crediting import count_payment, lock_payment_and_customers
from payments.services.ledger import change_balance, clean_reason
from payments.services.notices import owe_notice
from shopbot.errors import InsufficientFunds, RefundPending, RefundRefused

TELEGRAM_REFUSALS = {
    "CHARGE_NOT_FOUND": gettext_lazy("Telegram does not know this charge."),
    "CHARGE_ID_INVALID": gettext_lazy("Telegram does not know this charge."),
    "USER_ID_INVALID": gettext_lazy("Telegram does not know this customer."),
    "BALANCE_TOO_LOW": gettext_lazy("the bot does not hold enough Stars to return them."),
}


@dataclass(frozen=True)
class StarsRefund:
    """A Stars refund whose amount is held: what to ask ``refundStarPayment``, and why."""

    payment_id: int
    user_id: int
    charge_id: str
    reason: str


@dataclass(frozen=True)
class RefundAnswer:
    """What Telegram answered: ``done``; or a ``definitive`` refusal; or no decision (an outage)."""

    done: bool
    problem: str = ""
    definitive: bool = False


def credited_amount(payment: Payment) -> Decimal:
    """Return what this payment put on its customer's balance and still holds there."""
    total = LedgerEntry.objects.filter(payment=payment, customer_id=payment.customer_id).aggregate(
        Sum("amount")
    )
    return total["amount__sum"] or ZERO


def refundable(payment: Payment, *, provider_ok: bool) -> None:
    """Refuse a payment that cannot be refunded, with the reason in a plain sentence."""
    if not provider_ok:
        raise RefundRefused(
            reason=_("only Telegram Stars can be returned through Telegram; record a manual refund.")
        )
    if payment.status == Payment.Status.REFUNDED:
        raise RefundRefused(reason=_("it has already been refunded."))
    taken = payment.status == Payment.Status.PAID or payment.needs_review
    if not taken or not payment.external_id:
        raise RefundRefused(reason=_("it was never paid."))


def debit_for_refund(*, payment: Payment, customer, reason: str, actor: Actor) -> Decimal:
    amount = credited_amount(payment)
    if amount <= ZERO:
        return ZERO
    try:
        change_balance(
            customer=customer,
            amount=-amount,
            kind=LedgerEntry.Kind.REFUND,
            reason=reason,
            reference=str(payment.pk),
            payment=payment,
            actor=actor_customer(actor),
        )
    except InsufficientFunds:
        raise RefundRefused(
            reason=_("the balance (%(balance)s) is smaller than the %(amount)s this payment credited.")
            % {"balance": format_money(customer.balance), "amount": format_money(amount)}
        ) from None
    return amount


@transaction.atomic
def hold_stars_refund(*, actor: Actor, payment_id: int, reason: str) -> Payment:
    """Step 1: debit what a Stars payment credited and mark it refunding (see the module)."""
    payment, customer, _referrer = lock_payment_and_customers(payment_id=payment_id)
    if payment.status == Payment.Status.REFUNDING:
        return payment  # resume an unfinished refund; its amount is held already
    refundable(payment, provider_ok=payment.provider == Payment.Provider.STARS)
    held = debit_for_refund(payment=payment, customer=customer, reason=reason, actor=actor)
    payment.note = f"refunding {held}: {reason}"[:255]
    payment.status = Payment.Status.REFUNDING
    payment.save(update_fields=["status", "note", "updated"])
    return payment


@transaction.atomic
def finish_refund(*, actor: Actor, payment_id: int, reason: str) -> Payment:
    """Mark a refunding (or, for manual refunds, paid) payment refunded, audit it, owe the notice."""
    payment, customer, _referrer = lock_payment_and_customers(payment_id=payment_id)
    if payment.status == Payment.Status.REFUNDED:
        return payment
    payment.status = Payment.Status.REFUNDED
    payment.refunded_at = now()
    payment.note = reason[:255]
    payment.save(update_fields=["status", "refunded_at", "note", "updated"])
    count_payment(payment)
    returned = format(payment.provider_amount.normalize(), "f") + " " + payment.provider_currency
    owe_notice(
        payment=payment, telegram_id=customer.telegram_id, kind=PaymentNotice.Kind.REFUNDED, returned=returned
    )
    record_audit(
        actor=actor,
        action="refund_payment",
        target=f"payment #{payment.pk}",
        details={"provider": payment.provider, "amount": str(payment.amount), "reason": reason},
    )
    return payment


@transaction.atomic
def release_refund(*, actor: Actor, payment_id: int, problem: str) -> None:
    """Telegram refused: give back the held amount and restore the payment's status."""
    payment, customer, _referrer = lock_payment_and_customers(payment_id=payment_id)
    if payment.status != Payment.Status.REFUNDING:
        return
    refunds = LedgerEntry.objects.filter(
        payment=payment, customer=customer, kind=LedgerEntry.Kind.REFUND
    ).aggregate(Sum("amount"))
    held = -(refunds["amount__sum"] or ZERO)  # earlier holds were each given back in full
    if held > ZERO:
        change_balance(
            customer=customer,
            amount=held,
            kind=LedgerEntry.Kind.REFUND,
            reason=_("Refund refused by Telegram"),
            reference=str(payment.pk),
            payment=payment,
        )
    payment.status = Payment.Status.FAILED if payment.needs_review else Payment.Status.PAID
    payment.note = f"refund refused: {problem}"[:255]
    payment.save(update_fields=["status", "note", "updated"])
    record_audit(
        actor=actor, action="refund_refused", target=f"payment #{payment.pk}", details={"problem": problem}
    )


def plain_refusal(description: str) -> str:
    for code, sentence in TELEGRAM_REFUSALS.items():
        # python-telegram-bot capitalizes Telegram's description ("Charge_not_found").
        if code in description.upper():
            return str(sentence)
    return _("Telegram refused it (%(answer)s).") % {"answer": description[:100]}


@requires("refund_payments")
def begin_stars_refund(*, actor: Actor, payment_id: int, reason: str) -> StarsRefund:
    """Step 1 of a Stars refund: hold what the payment credited, and return what to ask Telegram.

    Refused for a payment that is not a paid Stars payment, one already
    refunded, and a top-up whose amount the balance no longer covers (see the
    module docstring). A payment already ``refunding`` is resumed as it is.
    """
    reason = clean_reason(reason)
    payment = hold_stars_refund(actor=actor, payment_id=payment_id, reason=reason)
    return StarsRefund(
        payment_id=payment.pk,
        user_id=payment.customer.telegram_id if payment.customer_id else 0,
        charge_id=payment.external_id or "",
        reason=reason,
    )


@requires("refund_payments")
def settle_stars_refund(*, actor: Actor, refund: StarsRefund, answer: RefundAnswer) -> Payment:
    """Step 3 of a Stars refund: record Telegram's answer and return the refunded payment.

    Raises ``RefundRefused`` (with the amount given back) when Telegram refused,
    and ``RefundPending`` (the amount still held) when it could not be asked.
    Idempotent: settling a refunded payment again changes nothing.
    """
    if answer.done:
        return finish_refund(actor=actor, payment_id=refund.payment_id, reason=refund.reason)
    if not answer.definitive:
        raise RefundPending()
    release_refund(actor=actor, payment_id=refund.payment_id, problem=answer.problem)
    raise RefundRefused(reason=plain_refusal(answer.problem))


@requires("refund_payments")
@transaction.atomic
def record_manual_refund(*, actor: Actor, payment_id: int, reason: str) -> Payment:
    """Record that a card or CryptoPay payment was returned outside the shop, and take back what it credited.

    Refused for Stars (refund those through Telegram), unpaid and already
    refunded payments, and when the balance no longer covers the credit.
    """
    reason = clean_reason(reason)
    payment, customer, _referrer = lock_payment_and_customers(payment_id=payment_id)
    manual_ok = payment.provider in (Payment.Provider.TELEGRAM, Payment.Provider.CRYPTOPAY)
    if payment.provider == Payment.Provider.STARS:
        raise RefundRefused(reason=_("Stars payments are refunded through Telegram."))
    refundable(payment, provider_ok=manual_ok)
    debit_for_refund(payment=payment, customer=customer, reason=reason, actor=actor)
    return finish_refund(actor=actor, payment_id=payment.pk, reason=reason)
