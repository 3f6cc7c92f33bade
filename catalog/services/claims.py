"""Warranty claims: a buyer reports a problem with a purchase, staff decide it once.

Lock order (shared with the sale in ``catalog.services.purchases``): the
customer row, then the claim, then the purchase, then stock rows (SKIP
LOCKED). Every decision locks the claim row and refuses one already decided,
so two staff deciding at once get one decision and one ``ClaimAlreadyDecided``.
Filling the claims waiting for stock (``fill_waiting_claims``) runs inside
the restock's transaction, holding the product row: its new units go to the
oldest waiting claims before any sale can see them.

Nothing here sends a message: the face that made the decision tells the
customer after commit and marks the claim told (``mark_claim_told``); a claim
decided with ``customer_told_at`` empty is still owed its message.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.actors import Actor, actor_customer, actor_label
from accounts.models import Customer
from accounts.services import record_audit, requires
from catalog.cache import forget_stock
from catalog.models import Claim, Product, Purchase, StockUnit

# Re-exported: claims have been opened from here since before the rules had their own module.
from catalog.services.claim_rules import PERIOD_SECONDS as PERIOD_SECONDS
from catalog.services.claim_rules import RATE as RATE
from catalog.services.claim_rules import UNDECIDED as UNDECIDED
from catalog.services.claim_rules import Attachment as Attachment
from catalog.services.claim_rules import claim_window, clean_attachment, why_not_claimable
from catalog.services.common import clean_id, clean_text, lock_buyer, take_units
from catalog.services.listing import forget_lists_if_hiding
from catalog.services.second_decisions import check_second_decision, decide_twice
from payments.models import LedgerEntry, Payment
from payments.money import ZERO
from payments.services import change_balance, collect_owed
from shopbot.errors import (
    ClaimAlreadyDecided,
    ClaimLimit,
    ClaimNoStock,
    ClaimNotFound,
    ClaimRefused,
    InvalidInput,
    NotEnoughStock,
    OutOfStock,
    PurchaseNotFound,
)

TEXT_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 500


def open_claim(
    *, telegram_id: int, purchase_id: object, reason: object, text: object = "", attachment: object = None
) -> Claim:
    """Open a claim on one of the customer's purchases within its warranty; return it (its pk is the number).

    Refuses another customer's purchase as not found, and audits the attempt
    (after the rollback, so the entry stays); refuses a refunded, replaced,
    already claimed or out-of-warranty purchase, and more than
    ``RATE_LIMIT_CLAIM`` claims per customer.
    """
    try:
        return write_claim(
            telegram_id=telegram_id, purchase_id=purchase_id, reason=reason, text=text, attachment=attachment
        )
    except ForeignPurchase as forged:
        record_audit(
            actor=forged.customer,
            action="open_claim_refused",
            target=str(purchase_id)[:40],
            details={"why": "not the customer's purchase"},
        )
        raise PurchaseNotFound() from None


class ForeignPurchase(Exception):
    def __init__(self, customer: Customer) -> None:
        super().__init__()
        self.customer = customer


@transaction.atomic
def write_claim(
    *, telegram_id: int, purchase_id: object, reason: object, text: object, attachment: object
) -> Claim:
    customer = lock_buyer(telegram_id=telegram_id)
    if reason not in Claim.Reason.values:
        raise InvalidInput(reason=_("Choose one of the reasons offered."))
    text = clean_text(text, what=_("The description"), max_length=TEXT_MAX_LENGTH)
    attachment = clean_attachment(attachment)
    purchase = Purchase.objects.select_for_update().filter(pk=clean_id(purchase_id, PurchaseNotFound)).first()
    if purchase is None:
        raise PurchaseNotFound()
    if purchase.buyer_id != customer.pk:
        raise ForeignPurchase(customer)
    refusal = why_not_claimable(purchase)
    if refusal:
        raise ClaimRefused(reason=refusal)
    window = claim_window()
    if window is not None:
        count, period = window
        if Claim.objects.filter(customer=customer, created__gte=now() - period).count() >= count:
            raise ClaimLimit()
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                purchase=purchase,
                customer=customer,
                reason=reason,
                text=text,
                attachment_kind=attachment.kind if attachment else "",
                attachment_id=attachment.file_id if attachment else "",
            )
    except IntegrityError:  # claim_one_open_per_purchase: the purchase row lock makes this rare
        raise ClaimRefused(reason=_("A problem with this purchase is already reported.")) from None
    from catalog.services.staff_events import notify_new_claim
    from catalog.services.tickets import open_claim_ticket  # tickets build on claims' attachment rules

    open_claim_ticket(claim)
    notify_new_claim(claim)
    record_audit(
        actor=customer, action="open_claim", target=purchase, details={"claim": claim.pk, "reason": reason}
    )
    return claim


def paid_purchase(purchase: Purchase) -> Purchase:
    """Return the purchase that was paid for: a replacement (price 0) leads to the one it replaced."""
    while purchase.replaces_id is not None:
        purchase = Purchase.objects.get(pk=purchase.replaces_id)
    return purchase


def refund_in_progress(claim: Claim) -> bool:
    """Return whether the order's Stars payment is being refunded through Telegram right now."""
    payment_id = paid_purchase(claim.purchase).payment_id
    return (
        payment_id is not None
        and Payment.objects.filter(pk=payment_id, status=Payment.Status.REFUNDING).exists()
    )


def lock_claim(claim_id: object, *, refunding_ok: bool = False) -> Claim:
    """Lock the buyer's row, then the undecided claim; refuse a decided or missing claim.

    Also refuses a claim whose Stars order is being refunded through Telegram
    (``rail_refunds``), unless that refund is the caller (``refunding_ok``).
    """
    claim_id = clean_id(claim_id, ClaimNotFound)
    customer_id = Claim.objects.filter(pk=claim_id).values_list("customer_id", flat=True).first()
    if customer_id is None:
        raise ClaimNotFound()
    Customer.objects.select_for_update().filter(pk=customer_id).first()
    claim = (
        Claim.objects.select_for_update(of=("self",)).select_related("customer", "purchase").get(pk=claim_id)
    )
    if not claim.is_undecided:
        raise ClaimAlreadyDecided()
    if not refunding_ok and refund_in_progress(claim):
        raise ClaimRefused(
            reason=_("A refund of this order through Telegram is in progress; finish it first.")
        )
    return claim


def decide(claim: Claim, *, actor: Actor | None, status: str, note: str = "", refund_to: str = "") -> None:
    claim.status = status
    claim.refund_to = refund_to
    claim.decided_by = actor_customer(actor)
    claim.decided_by_label = actor_label(actor)[:100]
    claim.decision_note = note
    claim.decided_at = now()
    claim.customer_told_at = None  # a claim told it was waiting is owed the decision too
    claim.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_by_label",
            "decision_note",
            "decided_at",
            "customer_told_at",
            "refund_to",
        ]
    )
    record_audit(
        actor=actor,
        action=f"claim_{status}",
        target=claim.purchase,
        details={"claim": claim.pk, "note": note[:200]},
    )


def mark_defective(purchase: Purchase, claim: Claim) -> None:
    """Mark the unit a purchase delivered as defective: it stays sold, so it is never sold again."""
    if purchase.unit_id is not None:
        StockUnit.objects.filter(pk=purchase.unit_id).update(defective_at=now(), defect_claim=claim)


def replace_unit(claim: Claim, *, actor: Actor | None, product: Product) -> Purchase:
    """Deliver the next unsold unit for ``claim`` as a replacement purchase; raise ``ClaimNoStock``.

    Takes the stock row with SKIP LOCKED (``take_units``); the caller holds
    the claim row lock.
    """
    if product.is_manual or product.is_dynamic:  # nothing from stock: staff deliver again or refund
        raise ClaimNoStock(product=product.name)
    try:
        [delivery] = take_units(product=product, quantity=1)
    except (OutOfStock, NotEnoughStock):
        raise ClaimNoStock(product=product.name) from None
    original = claim.purchase
    at = now()
    if delivery.unit is not None:
        StockUnit.objects.filter(pk=delivery.unit.pk).update(sold_at=at)
        forget_stock([product.pk], again_on_commit=False)
        forget_lists_if_hiding([product.pk])
    replacement = Purchase.objects.create(
        buyer_id=original.buyer_id,
        product=product,
        product_name=original.product_name,
        category_name=original.category_name,
        list_price=original.list_price,
        price=ZERO,  # no money moves: the original purchase was paid
        value=delivery.value,
        unit=delivery.unit,
        warranty_until=original.warranty_until,
        replaces=original,
        created=at,
    )
    mark_defective(original, claim)
    decide(claim, actor=actor, status=Claim.Status.REPLACED)
    return replacement


def claimed_product(claim: Claim) -> Product:
    product = Product.objects.filter(pk=claim.purchase.product_id).first()
    if product is None:
        raise ClaimNoStock(product=claim.purchase.product_name)
    return product


@requires("manage_claims")
def replace_claim(*, actor: Actor, claim_id: object) -> Purchase:
    """Replace a claimed purchase with the next unsold unit; return the replacement purchase.

    The old unit is marked defective with the claim as reason; no money moves.
    With no stock, refuses with ``ClaimNoStock`` ("refund or wait"). A
    customer over the claim-rate rule needs a second staff member
    (``catalog.services.second_decisions``).
    """
    return decide_twice(write_replacement, actor=actor, claim_id=claim_id, decision="replace")


@transaction.atomic
def write_replacement(*, actor: Actor, claim_id: object) -> Purchase:
    claim = lock_claim(claim_id)
    check_second_decision(claim, actor=actor, decision="replace")
    return replace_unit(claim, actor=actor, product=claimed_product(claim))


@requires("manage_claims")
@transaction.atomic
def wait_for_stock(*, actor: Actor, claim_id: object) -> Claim:
    """Put a claim in the queue for stock: the next units added to its product replace it first."""
    claim = lock_claim(claim_id)
    if claim.status == Claim.Status.WAITING:
        raise ClaimAlreadyDecided()
    claim.status = Claim.Status.WAITING
    claim.save(update_fields=["status"])
    record_audit(
        actor=actor, action="claim_wait_for_stock", target=claim.purchase, details={"claim": claim.pk}
    )
    return claim


def fill_waiting_claims(*, product: Product, actor: Actor | None) -> list[Claim]:
    """Replace the product's claims waiting for stock, oldest first, while units last.

    Runs inside the restock's transaction, which holds the product row lock,
    before the new units are committed: no sale can take them first. A claim
    that staff are deciding at this moment (its row locked) is skipped.
    """
    waiting = list(
        Claim.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("purchase", "customer")
        .filter(status=Claim.Status.WAITING, purchase__product=product)
        .order_by("created", "id")
    )
    filled = []
    for claim in waiting:
        try:
            replace_unit(claim, actor=actor, product=product)
        except ClaimNoStock:
            break
        filled.append(claim)
    return filled


@requires("manage_claims")
def refund_claim(*, actor: Actor, claim_id: object, unit: str = "defective") -> LedgerEntry | None:
    """Pay a claimed purchase's price back to the balance (a REFUND ledger row); mark it refunded.

    The refund never exceeds what was paid for the purchase (after promo
    discounts) less what was refunded before; a replacement refunds the
    purchase it replaced. ``unit`` is "defective" (default) or "restock" (the
    unit is sold again). Returns the ledger row, or None when nothing was paid.
    A customer over the claim-rate rule needs a second staff member.
    """
    if unit not in ("defective", "restock"):
        raise InvalidInput(reason=_("Choose whether the unit is defective or goes back to stock."))
    decision = "refund" if unit == "defective" else "restock"
    return decide_twice(write_refund, actor=actor, claim_id=claim_id, decision=decision, unit=unit)


@transaction.atomic
def write_refund(*, actor: Actor, claim_id: object, unit: str) -> LedgerEntry | None:
    claim = lock_claim(claim_id)
    check_second_decision(claim, actor=actor, decision="refund" if unit == "defective" else "restock")
    purchase = Purchase.objects.select_for_update().get(pk=claim.purchase_id)
    paid = purchase
    while paid.replaces_id is not None:
        paid = Purchase.objects.select_for_update().get(pk=paid.replaces_id)
    amount = paid.price - paid.refunded_amount
    entry = None
    at = now()
    if amount > ZERO:
        entry = change_balance(
            customer=claim.customer,
            amount=amount,
            kind=LedgerEntry.Kind.REFUND,
            reason=paid.product_name,
            reference=paid.order_number,
            actor=actor_customer(actor),
        )
        collect_owed(customer=claim.customer, credited=amount)
    paid.refunded_amount += amount
    for refunded in {purchase.pk: purchase, paid.pk: paid}.values():
        refunded.refunded_at = at
        refunded.save(update_fields=["refunded_at", "refunded_amount"])
    if unit == "restock" and purchase.unit_id is not None:
        StockUnit.objects.filter(pk=purchase.unit_id).update(sold_at=None)
        forget_stock([purchase.product_id])
        forget_lists_if_hiding([purchase.product_id])
    else:
        mark_defective(purchase, claim)
    decide(
        claim, actor=actor, status=Claim.Status.REFUNDED, note=str(amount), refund_to=Claim.RefundTo.BALANCE
    )
    return entry


@requires("manage_claims")
@transaction.atomic
def reject_claim(*, actor: Actor, claim_id: object, reason: object) -> Claim:
    """Reject a claim with a reason the customer is shown."""
    note = clean_text(reason, what=_("The reason"), max_length=NOTE_MAX_LENGTH)
    if not note:
        raise InvalidInput(reason=_("Write the reason the customer will see."))
    claim = lock_claim(claim_id)
    decide(claim, actor=actor, status=Claim.Status.REJECTED, note=note)
    return claim


def mark_claim_told(*, claim_id: int) -> None:
    """Record that the customer was told the decision on their claim (after Telegram accepted it)."""
    Claim.objects.filter(pk=claim_id, customer_told_at__isnull=True).update(customer_told_at=now())
