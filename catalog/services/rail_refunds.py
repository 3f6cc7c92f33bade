"""Refunds of a claim to where the money came from, and orders Telegram refunded without the bot.

A claim on an order paid in Telegram Stars is refunded with
``refundStarPayment``: the whole charge, so a cart order is refunded as a
whole. The provider call is made by the face, on the event loop, between two
services here (the three steps of ``payments.services.refunds``):

1. ``begin_claim_stars_refund`` (one transaction): hold the payment's refund
   (customer rows, then the payment), then lock the claim and refuse one
   already decided. While the payment is ``refunding`` no other decision on
   the claim is taken (``lock_claim`` refuses it).
2. ``refund_stars`` in ``telegrambot/providers.py`` (or the web admin's edge).
3. ``settle_claim_stars_refund``: Telegram refused, or could not be asked:
   the claim stays undecided (the payment's hold is given back or kept, as
   for any Stars refund). Telegram accepted: one transaction marks the
   payment refunded, then locks the claim and decides it, with every purchase
   of the order refunded and its units defective. Two staff settling at once
   are serialized by the customer rows: one decides, the other hears
   ``ClaimAlreadyDecided`` and changes nothing.

Every refund of an order that went through, whatever the path (a claim's
refund here, the payments screens of the bot and the web admin, Telegram's
``refunded_payment``), reaches ``refund_order`` once, from payments, through
``OrderFulfiller.refunded`` in the refund's transaction: the order's
purchases are marked refunded, their units defective, and their undecided
claims decided as refunded. ``record_refunded_payment`` is Telegram's
``refunded_payment`` message (``payments.services.record_outside_refund``).

Lock order: customer rows (ascending id), then the payment, then claims,
then purchases, then stock rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import require_permission, requires
from catalog.models import Claim, Purchase, StockUnit
from catalog.services.claims import UNDECIDED, decide, lock_claim, mark_defective, paid_purchase
from catalog.services.common import clean_id
from catalog.services.second_decisions import check_second_decision, decide_twice
from payments.models import Payment
from payments.money import format_money
from payments.services import (
    OutsideRefund,
    RefundAnswer,
    StarsRefund,
    begin_stars_refund,
    record_outside_refund,
    returned_text,
    settle_stars_refund,
    settle_stars_refund_once,
)
from shopbot.errors import ClaimNotFound, ClaimRefused

REFUND_PERMISSION = "refund_payments"


@dataclass(frozen=True)
class ClaimStarsRefund:
    """A claim's Stars refund whose amount is held: what to ask Telegram, and which claim it decides."""

    claim_id: int
    refund: StarsRefund


def stars_payment_of(purchase: Purchase) -> Payment | None:
    """Return the Stars payment a purchase (or the purchase it replaced) was paid with directly, or None."""
    paid = paid_purchase(purchase)
    if paid.payment_id is None:
        return None
    payment = Payment.objects.filter(pk=paid.payment_id).first()
    if payment is None or payment.provider != Payment.Provider.STARS:
        return None
    return payment


@requires("manage_claims")
def begin_claim_stars_refund(*, actor: Actor, claim_id: object) -> ClaimStarsRefund:
    """Step 1: hold the refund of the Stars order a claim is about; return what to ask Telegram.

    Needs ``manage_claims`` and ``refund_payments`` (both checked, and audited
    when refused, before the transaction). Refused for a claim already
    decided, and for an order not paid in Stars (refund to the balance or
    record a manual refund instead).
    """
    require_permission(actor=actor, codename=REFUND_PERMISSION, action="begin_claim_stars_refund")
    return decide_twice(
        hold_claim_refund, actor=actor, claim_id=clean_id(claim_id, ClaimNotFound), decision="stars"
    )


@transaction.atomic
def hold_claim_refund(*, actor: Actor, claim_id: int) -> ClaimStarsRefund:
    claim = Claim.objects.select_related("purchase").filter(pk=claim_id).first()
    if claim is None:
        raise ClaimNotFound()
    payment = stars_payment_of(claim.purchase)
    if payment is None:
        raise ClaimRefused(
            reason=_(
                "This order was not paid with Telegram Stars: refund it to the balance or record a manual refund."
            )
        )
    reason = _("Claim #%(claim)s") % {"claim": claim.pk}
    refund = begin_stars_refund(actor=actor, payment_id=payment.pk, reason=reason)
    locked = lock_claim(claim.pk, refunding_ok=True)  # after the payment: the lock order
    check_second_decision(locked, actor=actor, decision="stars")
    return ClaimStarsRefund(claim_id=claim.pk, refund=refund)


@requires("manage_claims")
def settle_claim_stars_refund(*, actor: Actor, refund: ClaimStarsRefund, answer: RefundAnswer) -> Claim:
    """Step 3: decide the claim refunded once Telegram returned the Stars; return the decided claim.

    Telegram refused: ``RefundRefused`` (the hold given back), the claim
    stays undecided. Telegram could not be asked: ``RefundPending`` (the hold
    kept; refunding again resumes it). A second settle of the same refund
    raises ``ClaimAlreadyDecided`` and changes nothing.
    """
    require_permission(actor=actor, codename=REFUND_PERMISSION, action="settle_claim_stars_refund")
    if not answer.done:
        settle_stars_refund(actor=actor, refund=refund.refund, answer=answer)  # raises
    return decide_stars_refund(actor=actor, refund=refund)


@transaction.atomic
def decide_stars_refund(*, actor: Actor, refund: ClaimStarsRefund) -> Claim:
    settled = settle_stars_refund_once(actor=actor, refund=refund.refund, answer=RefundAnswer(done=True))
    claim = Claim.objects.get(pk=refund.claim_id)
    if settled.changed and not claim.is_undecided:
        return claim  # this refund decided it, with the whole order (``OrderFulfiller.refunded``)
    claim = lock_claim(refund.claim_id, refunding_ok=True)  # refunded already: "already decided"
    refund_order(payment=settled.payment, actor=actor, note=returned_text(settled.payment), first=claim)
    claim.refresh_from_db()
    return claim


def order_refunded(*, payment: Payment, actor: Actor | None) -> None:
    """A refunded order: its purchases refunded, units defective, claims decided (``OrderFulfiller.refunded``)."""
    note = _("Refunded by Telegram") if actor is None else returned_text(payment)
    refund_order(payment=payment, actor=actor, note=note)


def refund_order(
    *, payment: Payment, actor: Actor | None, note: str, first: Claim | None = None
) -> list[Claim]:
    """Mark every purchase of a refunded order (and their replacements) refunded, their units defective.

    The undecided claims on them are decided as refunded (``first``, locked
    by the caller, among them). The caller holds the payment's locks.
    Returns the claims decided.
    """
    purchases = order_purchases(payment)
    claims = list(
        Claim.objects.select_for_update(of=("self",))
        .select_related("purchase", "customer")
        .filter(purchase__in=purchases, status__in=UNDECIDED)
        .order_by("id")
    )
    if first is not None and first.pk not in {claim.pk for claim in claims}:
        claims.insert(0, first)
    at = now()
    for purchase in Purchase.objects.select_for_update().filter(pk__in=[p.pk for p in purchases]):
        if purchase.refunded_at is None:
            purchase.refunded_at = at
            purchase.refunded_amount = purchase.price
            purchase.save(update_fields=["refunded_at", "refunded_amount"])
    claim_of = {claim.purchase_id: claim for claim in claims}
    for purchase in purchases:
        if purchase.unit_id is not None:
            StockUnit.objects.filter(pk=purchase.unit_id, defective_at__isnull=True).update(
                defective_at=at, defect_claim=claim_of.get(purchase.pk)
            )
    for claim in claims:
        decide(claim, actor=actor, status=Claim.Status.REFUNDED, note=note, refund_to=Claim.RefundTo.STARS)
    return claims


def order_purchases(payment: Payment) -> list[Purchase]:
    """Return the purchases a direct order delivered, with every replacement of them."""
    found = list(Purchase.objects.filter(payment=payment).order_by("id"))
    frontier = [purchase.pk for purchase in found]
    while frontier:
        replacements = list(Purchase.objects.filter(replaces_id__in=frontier).order_by("id"))
        found += replacements
        frontier = [purchase.pk for purchase in replacements]
    return found


@requires("manage_claims")
def record_manual_claim_refund(*, actor: Actor, claim_id: object) -> Claim:
    """Decide a claim refunded with the money returned outside the shop (a card or crypto transfer).

    Needs ``manage_claims`` and ``refund_payments``. No balance changes: the
    purchase is marked refunded with what was paid (after promo discounts,
    less what was refunded before), the unit defective, and the amount noted.
    Refused for a Stars order (refund those through Telegram).
    """
    require_permission(actor=actor, codename=REFUND_PERMISSION, action="record_manual_claim_refund")
    return decide_twice(write_manual_claim_refund, actor=actor, claim_id=claim_id, decision="manual")


@transaction.atomic
def write_manual_claim_refund(*, actor: Actor, claim_id: object) -> Claim:
    claim = lock_claim(claim_id)
    check_second_decision(claim, actor=actor, decision="manual")
    if stars_payment_of(claim.purchase) is not None:
        raise ClaimRefused(
            reason=_("This order was paid with Telegram Stars: refund the Stars through Telegram.")
        )
    purchase = Purchase.objects.select_for_update().get(pk=claim.purchase_id)
    paid = Purchase.objects.select_for_update().get(pk=paid_purchase(purchase).pk)
    amount = paid.price - paid.refunded_amount
    at = now()
    paid.refunded_amount += amount
    for refunded in {purchase.pk: purchase, paid.pk: paid}.values():
        refunded.refunded_at = at
        refunded.save(update_fields=["refunded_at", "refunded_amount"])
    mark_defective(purchase, claim)
    note = _("Refunded outside the shop: %(amount)s") % {"amount": format_money(amount)}
    decide(claim, actor=actor, status=Claim.Status.REFUNDED, note=note, refund_to=Claim.RefundTo.MANUAL)
    return claim


@transaction.atomic
def record_refunded_payment(*, telegram_id: int, charge_id: str) -> OutsideRefund | None:
    """Record Telegram's ``refunded_payment``: the payment refunded, and its order's purchases with it; once.

    Idempotent on the charge id: a replayed message returns ``changed=False``
    and changes nothing. See ``payments.services.record_outside_refund`` for
    the money; an order's purchases are refunded in the same transaction
    (``OrderFulfiller.refunded``), their units marked defective and their
    claims decided.
    """
    return record_outside_refund(telegram_id=telegram_id, charge_id=charge_id)
