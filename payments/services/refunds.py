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

A refund that went through (``mark_refunded``, every path: Stars, manual,
and Telegram's own ``refunded_payment``) takes back the referral reward the
top-up paid, in the same transaction, as far as the referrer's balance allows;
the rest is recorded as owed (``payments.services.reversals``); and it hands
the payment to its purpose's fulfiller (``refunded``), which takes back what
was delivered: an order's purchases are marked refunded, their units defective.

``record_outside_refund`` records a Stars payment Telegram refunded without
the bot (its ``refunded_payment`` message): the money is back with the
customer already, so nothing is refused; what the balance cannot give back
is recorded as owed, and staff are told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actors import Actor, actor_customer
from accounts.models import Customer
from accounts.selectors.staff import list_holders
from accounts.services import record_audit, requires
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.money import ZERO, format_money
from payments.services.crediting import count_payment, lock_payment_and_customers
from payments.services.fulfilment import fulfiller_for
from payments.services.ledger import change_balance, clean_reason
from payments.services.notices import owe_notice
from payments.services.reversals import Reversal, reverse_referral_reward, take_back_credit
from shopbot.errors import InsufficientFunds, RefundPending, RefundRefused

log = logging.getLogger("shopbot.payments")

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


@dataclass(frozen=True)
class Settled:
    """A refund that went through: ``changed`` is False when the payment was refunded already (a second settle)."""

    payment: Payment
    changed: bool


@transaction.atomic
def finish_refund(*, actor: Actor, payment_id: int, reason: str) -> Settled:
    """Mark a refunding (or, for manual refunds, paid) payment refunded, audit it, owe the notice."""
    payment, customer, _referrer = lock_payment_and_customers(payment_id=payment_id)
    if payment.status == Payment.Status.REFUNDED:
        return Settled(payment=payment, changed=False)
    mark_refunded(payment=payment, customer=customer, actor=actor, reason=reason, action="refund_payment")
    return Settled(payment=payment, changed=True)


def mark_refunded(
    *, payment: Payment, customer: Customer, actor: Actor | None, reason: str, action: str
) -> Reversal | None:
    """Mark a locked payment refunded, take back its referral reward, owe the customer's notice, audit it."""
    payment.status = Payment.Status.REFUNDED
    payment.refunded_at = now()
    payment.note = reason[:255]
    payment.save(update_fields=["status", "refunded_at", "note", "refund_owed", "updated"])
    count_payment(payment)
    reversal = reverse_referral_reward(payment=payment, actor=actor)
    # What the payment delivered goes back too (an order's purchases), under the same locks.
    fulfiller_for(payment.purpose).refunded(payment=payment, actor=actor)
    owe_notice(
        payment=payment,
        telegram_id=customer.telegram_id,
        kind=PaymentNotice.Kind.REFUNDED,
        returned=returned_text(payment),
    )
    details = {"provider": payment.provider, "amount": str(payment.amount), "reason": reason}
    if payment.refund_owed:
        details["owed"] = str(payment.refund_owed)
    if reversal is not None:
        details["referral_reversed"] = str(reversal.taken)
        details["referral_owed"] = str(reversal.owed)
    record_audit(actor=actor, action=action, target=f"payment #{payment.pk}", details=details)
    return reversal


def returned_text(payment: Payment) -> str:
    return format(payment.provider_amount.normalize(), "f") + " " + payment.provider_currency


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
    return settle_stars_refund_once(actor=actor, refund=refund, answer=answer).payment


@requires("refund_payments")
def settle_stars_refund_once(*, actor: Actor, refund: StarsRefund, answer: RefundAnswer) -> Settled:
    """``settle_stars_refund``, saying whether this call refunded the payment or found it refunded already."""
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
    return finish_refund(actor=actor, payment_id=payment.pk, reason=reason).payment


@dataclass(frozen=True)
class OutsideRefund:
    """A Stars payment Telegram refunded without the bot, as recorded: ``changed`` is False for a replay."""

    payment: Payment
    changed: bool
    owed: Decimal = ZERO  # what the customer's balance could not give back
    reversal: Reversal | None = None


@transaction.atomic
def record_outside_refund(*, telegram_id: int, charge_id: str) -> OutsideRefund | None:
    """Record that Telegram refunded a Stars payment outside the bot (``refunded_payment``); once per charge id.

    Marks the payment refunded, takes back what it credited as far as the
    balance holds (the rest is ``refund_owed``), reverses its referral reward,
    owes the customer's notice and one to each holder of ``refund_payments``,
    and audits it. A charge already recorded as refunded changes nothing; a
    refund of ours still ``refunding`` is finished (its amount is held
    already). Returns None for a charge this shop does not know, or one of
    another customer. Locks: customer rows, then the payment.
    """
    found = (
        Payment.objects.filter(provider=Payment.Provider.STARS, external_id=charge_id[:128])
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        log.warning("refunded_payment for an unknown Stars charge %r", charge_id[:128])
        return None
    payment, customer, _referrer = lock_payment_and_customers(payment_id=found)
    if customer.telegram_id != telegram_id:
        log.warning("refunded_payment of payment %s arrived from another user %s", payment.pk, telegram_id)
        return None
    if payment.status == Payment.Status.REFUNDED:
        return OutsideRefund(payment=payment, changed=False, owed=payment.refund_owed)
    if payment.status != Payment.Status.REFUNDING:
        take_back_credit(
            payment=payment,
            customer=customer,
            credited=credited_amount(payment),
            reason=_("Refunded by Telegram"),
        )
    reversal = mark_refunded(
        payment=payment,
        customer=customer,
        actor=None,
        reason="refunded by Telegram outside the bot",
        action="refund_payment_outside",
    )
    tell_staff_of_outside_refund(payment=payment, customer=customer, reversal=reversal)
    return OutsideRefund(payment=payment, changed=True, owed=payment.refund_owed, reversal=reversal)


def tell_staff_of_outside_refund(*, payment: Payment, customer: Customer, reversal: Reversal | None) -> None:
    """Owe everyone who refunds payments a notice of a refund they did not make."""
    for telegram_id in list_holders(codename="refund_payments"):
        owe_notice(
            payment=payment,
            telegram_id=telegram_id,
            kind=PaymentNotice.Kind.REFUNDED_OUTSIDE,
            customer=customer.telegram_id,
            purpose=payment.purpose,
            returned=returned_text(payment),
            owed=str(payment.refund_owed),
            referral_owed=str(reversal.owed if reversal is not None else ZERO),
        )
