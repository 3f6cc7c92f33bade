"""Reads on warranty claims: what a customer may claim, and the staff's claim screens.

The staff reads check the actor's ``manage_claims`` permission first (audited
when refused), like ``catalog.selectors.staff``; the delivered values are
shown only to staff with ``view_delivered_values``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.timezone import now

from accounts.actors import Actor, permissions_of_actor
from accounts.models import Customer
from accounts.selectors import Page, paginate
from accounts.services import record_audit, require_permission
from catalog.models import Claim, Purchase, StockUnit
from catalog.services.claims import UNDECIDED, why_not_claimable
from catalog.services.common import clean_id
from catalog.services.rail_refunds import stars_payment_of
from catalog.services.second_decisions import ClaimRate, get_claim_rate
from payments.money import ZERO
from shopbot.errors import ClaimNotFound, PurchaseNotFound


@dataclass(frozen=True)
class Claimability:
    """Whether the customer may report a problem with a purchase, and why not."""

    purchase: Purchase
    refusal: str  # "" when a claim may be opened
    replacement: Purchase | None


def get_claimability(*, telegram_id: int, purchase_id: object) -> Claimability:
    """Return one of the customer's purchases with whether it can be claimed now."""
    purchase = (
        Purchase.objects.filter(pk=clean_id(purchase_id, PurchaseNotFound), buyer__telegram_id=telegram_id)
        .select_related("buyer")
        .first()
    )
    if purchase is None:
        refuse_foreign(telegram_id=telegram_id, purchase_id=purchase_id)
        raise PurchaseNotFound()
    replacement = Purchase.objects.filter(replaces=purchase).first()
    return Claimability(
        purchase=purchase, refusal=why_not_claimable(purchase, at=now()), replacement=replacement
    )


@dataclass(frozen=True)
class ClaimState:
    """A purchase's newest claim (if any) and why it cannot be claimed now ("" when it can)."""

    claim: Claim | None
    refusal: str


def get_claim_states(purchases: Sequence[Purchase]) -> dict[int, ClaimState]:
    """Return the claim state of each of a page of purchases, by purchase id: two queries for any page."""
    ids = [purchase.pk for purchase in purchases]
    if not ids:
        return {}
    newest: dict[int, Claim] = {}
    for claim in Claim.objects.filter(purchase_id__in=ids).order_by("created", "id"):
        newest[claim.purchase_id] = claim
    replaced = set(Purchase.objects.filter(replaces_id__in=ids).values_list("replaces_id", flat=True))
    at = now()
    states = {}
    for purchase in purchases:
        claim = newest.get(purchase.pk)
        refusal = why_not_claimable(
            purchase,
            at=at,
            replaced=purchase.pk in replaced,
            claimed=claim is not None and claim.status in UNDECIDED,
        )
        states[purchase.pk] = ClaimState(claim=claim, refusal=refusal)
    return states


def refuse_foreign(*, telegram_id: int, purchase_id: object) -> None:
    """Audit a customer naming another customer's purchase (forged callback data)."""
    if Purchase.objects.filter(pk=clean_id(purchase_id, PurchaseNotFound)).exists():
        record_audit(
            actor=Customer.objects.filter(telegram_id=telegram_id).first(),
            action="open_claim_refused",
            target=str(purchase_id)[:40],
            details={"why": "not the customer's purchase"},
        )


def count_defective(*, product_id: int) -> int:
    """Return how many of a product's sold units claims found defective (never sold again)."""
    return StockUnit.objects.filter(product_id=product_id, defective_at__isnull=False).count()


def count_open_claims() -> int:
    """Return how many claims wait for a decision (the admin menu's button shows it)."""
    return Claim.objects.filter(status__in=UNDECIDED).count()


def list_claims(
    *,
    actor: Actor,
    page: object = 1,
    status: str = "undecided",
    product_id: object = None,
    telegram_id: object = None,
) -> Page[Claim]:
    """Return a page of claims, oldest undecided first, or newest first for any other filter."""
    require_permission(actor=actor, codename="manage_claims", action="list_claims")
    claims = Claim.objects.select_related("purchase", "customer")
    if status == "undecided":
        claims = claims.filter(status__in=UNDECIDED).order_by("created", "id")
    elif status in Claim.Status.values:
        claims = claims.filter(status=status).order_by("-created", "-id")
    if product_id is not None:
        claims = claims.filter(purchase__product_id=clean_id(product_id))
    if telegram_id is not None:
        claims = claims.filter(customer__telegram_id=clean_id(telegram_id, ClaimNotFound))
    return paginate(claims, page=page)


@dataclass(frozen=True)
class CustomerRecord:
    """A claimant's history: what they bought, claimed and got back."""

    purchases: int
    claims: int
    refunds: int
    refunded: Decimal

    @property
    def claim_rate(self) -> int:
        """Claims per 100 purchases, rounded down."""
        return self.claims * 100 // self.purchases if self.purchases else 0


@dataclass(frozen=True)
class StarsOrder:
    """The Telegram Stars payment a claimed purchase was paid with: refunded only as a whole."""

    payment_id: int
    stars: Decimal
    currency: str
    status: str
    items: int  # purchases the payment delivered: a refund returns them all


def get_stars_order(*, claim: Claim) -> StarsOrder | None:
    """Return the Stars order a claim's purchase belongs to, or None for a purchase paid from the balance."""
    payment = stars_payment_of(claim.purchase)
    if payment is None:
        return None
    return StarsOrder(
        payment_id=payment.pk,
        stars=payment.provider_amount,
        currency=payment.provider_currency,
        status=payment.status,
        items=Purchase.objects.filter(payment=payment).count(),
    )


@dataclass(frozen=True)
class ClaimCard:
    """What staff see of one claim before deciding it."""

    claim: Claim
    value: str | None  # the delivered value, None when the actor may not see it
    replacement_value: str | None
    replacement: Purchase | None
    customer: CustomerRecord
    product_sold: int
    product_defective: int
    stars_order: StarsOrder | None = None
    rate: ClaimRate | None = None  # the claim-rate rule; over it, a replace or refund needs two staff

    @property
    def defect_rate(self) -> int:
        """Defective units per 100 sold of the product, rounded down."""
        return self.product_defective * 100 // self.product_sold if self.product_sold else 0


def get_claim_card(*, actor: Actor, claim_id: object) -> ClaimCard:
    """Return a claim with the purchase, the customer's record and the product's defect rate."""
    require_permission(actor=actor, codename="manage_claims", action="view_claim")
    claim = (
        Claim.objects.select_related("purchase", "customer", "decided_by")
        .filter(pk=clean_id(claim_id, ClaimNotFound))
        .first()
    )
    if claim is None:
        raise ClaimNotFound()
    shows_values = "view_delivered_values" in permissions_of_actor(actor)
    replacement = Purchase.objects.filter(replaces=claim.purchase).first()
    bought = Purchase.objects.filter(buyer=claim.customer, replaces__isnull=True).aggregate(
        count=Count("id"),
        refunds=Count("id", filter=Q(refunded_at__isnull=False)),
        refunded=Sum("refunded_amount"),
    )
    product_id = claim.purchase.product_id
    units = StockUnit.objects.filter(product_id=product_id, sold_at__isnull=False).aggregate(
        sold=Count("id"), defective=Count("id", filter=Q(defective_at__isnull=False))
    )
    return ClaimCard(
        claim=claim,
        value=claim.purchase.value if shows_values else None,
        replacement_value=replacement.value if shows_values and replacement is not None else None,
        replacement=replacement,
        customer=CustomerRecord(
            purchases=bought["count"],
            claims=Claim.objects.filter(customer=claim.customer).count(),
            refunds=bought["refunds"],
            refunded=bought["refunded"] or ZERO,
        ),
        product_sold=units["sold"] if product_id else 0,
        product_defective=units["defective"] if product_id else 0,
        stars_order=get_stars_order(claim=claim),
        rate=get_claim_rate(claim.customer_id),
    )


@dataclass(frozen=True)
class ClaimOutcome:
    """A decided claim whose customer is still owed the message, with what to tell them."""

    claim: Claim
    replacement: Purchase | None
    language: str


def list_untold_claims(*, claim_ids: list[int] | None = None, limit: int = 50) -> list[ClaimOutcome]:
    """Return decided claims (or waiting ones) whose customer has not been told yet, oldest first."""
    claims = Claim.objects.select_related("customer", "purchase").filter(
        customer_told_at__isnull=True, decided_at__isnull=False
    ) | Claim.objects.select_related("customer", "purchase").filter(
        customer_told_at__isnull=True, status=Claim.Status.WAITING
    )
    if claim_ids is not None:
        claims = claims.filter(pk__in=claim_ids)
    found = list(claims.order_by("id")[:limit])
    replacements = {
        purchase.replaces_id: purchase
        for purchase in Purchase.objects.filter(replaces_id__in=[claim.purchase_id for claim in found])
    }
    return [
        ClaimOutcome(
            claim=claim, replacement=replacements.get(claim.purchase_id), language=claim.customer.language
        )
        for claim in found
    ]
