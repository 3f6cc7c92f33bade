"""The claim-rate rule: a customer who claims often needs two staff members for a replace or refund.

A customer with more than ``CLAIM_RATE_CLAIMS`` claims on their last
``CLAIM_RATE_PURCHASES`` purchases (replacements count with the purchase
they replaced) is over the rule. Then a replace or refund of their claim
(to the balance, in Stars, or recorded as manual) is two decisions: the first
staff member's choice is recorded on the claim as pending
(``ClaimAwaitsSecondDecision`` tells them so), and only a different staff
member choosing the same decision carries it out. The same staff member
again is refused (``ClaimSecondDecisionRefused``, counted in
``shopbot_limit_refusals_total{limit="claim_second_decision"}``). A
rejection or waiting for stock moves nothing and needs no second decision.

Race-safe by the claim row lock: the check runs inside each decision's
transaction after ``lock_claim``, so two staff confirming at once decide once
(the other gets ``ClaimAlreadyDecided``), and the pending decision is written
under the same lock in a transaction of its own. Two first decisions at once
either both wait (the earlier pending one stands) or, when the later one sees
the earlier already pending, the later one is its confirmation: either way two
staff members decided, never one alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actors import Actor, actor_customer, actor_label
from accounts.models import Customer
from accounts.services import record_audit
from catalog.models import Claim, Purchase
from monitoring import metrics
from shopbot.errors import ClaimAwaitsSecondDecision, ClaimRefused, ClaimSecondDecisionRefused

R = TypeVar("R")
LIMIT = "claim_second_decision"
# The decisions that move money or stock, by the key stored in Claim.pending_decision.
DECISION_NAMES = {
    "replace": gettext_lazy("replace"),
    "refund": gettext_lazy("refund to the balance"),
    "restock": gettext_lazy("refund to the balance, unit back to stock"),
    "manual": gettext_lazy("manual refund"),
    "stars": gettext_lazy("refund in Stars"),
}


@dataclass(frozen=True)
class ClaimRate:
    """A customer's claims on their last purchases, and whether that is over the rule."""

    claims: int
    purchases: int
    over: bool


def get_claim_rate(customer: Customer | int) -> ClaimRate:
    """Return the claims on a customer's last ``CLAIM_RATE_PURCHASES`` purchases (two queries)."""
    limit, window = settings.CLAIM_RATE_CLAIMS, settings.CLAIM_RATE_PURCHASES
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    if not limit or not window:
        return ClaimRate(claims=0, purchases=0, over=False)
    recent = list(
        Purchase.objects.filter(buyer_id=customer_id, replaces__isnull=True)
        .order_by("-created", "-id")
        .values_list("id", flat=True)[:window]
    )
    claims = Claim.objects.filter(Q(purchase_id__in=recent) | Q(purchase__replaces_id__in=recent)).count()
    return ClaimRate(claims=claims, purchases=len(recent), over=claims > limit)


class SecondDecisionNeeded(Exception):
    """Raised inside a decision's transaction (so it rolls back) when the decision must wait for a second."""

    def __init__(self, rate: ClaimRate) -> None:
        super().__init__()
        self.rate = rate


def same_decider(claim: Claim, actor: Actor) -> bool:
    customer = actor_customer(actor)
    if customer is not None and claim.pending_by_id is not None:
        return customer.pk == claim.pending_by_id
    return claim.pending_by_label == actor_label(actor)[:100]


def check_second_decision(claim: Claim, *, actor: Actor, decision: str) -> None:
    """Let ``decision`` go on, or stop it; the caller holds the claim's row lock (``lock_claim``).

    Not over the rule: goes on. No pending decision, or the first decider
    choosing another one: ``SecondDecisionNeeded``. The first decider again:
    ``ClaimSecondDecisionRefused``. Another
    decision than the pending one: refused with what is pending. Otherwise
    the second decision goes on, audited with the first decider.
    """
    rate = get_claim_rate(claim.customer_id)
    if not rate.over:
        return
    if not claim.pending_decision:
        raise SecondDecisionNeeded(rate)
    if same_decider(claim, actor):
        if claim.pending_decision != decision:
            raise SecondDecisionNeeded(rate)  # the first decider changes their mind: still pending
        raise ClaimSecondDecisionRefused()
    if claim.pending_decision != decision:
        raise ClaimRefused(
            reason=_(
                "%(who)s chose “%(decision)s” for this claim: confirm that decision, or reject the claim."
            )
            % {"who": claim.pending_by_label, "decision": DECISION_NAMES.get(claim.pending_decision, "?")}
        )
    record_audit(
        actor=actor,
        action="claim_second_decision",
        target=claim.purchase,
        details={"claim": claim.pk, "decision": decision, "first": claim.pending_by_label},
    )


def decide_twice(
    write: Callable[..., R], *, actor: Actor, claim_id: object, decision: str, **options: object
) -> R:
    """Run a decision's transaction; when it must wait for a second staff member, record it as pending.

    Called outside any transaction (the decision's own rolled back before
    the pending decision is written).
    """
    try:
        return write(actor=actor, claim_id=claim_id, **options)
    except SecondDecisionNeeded as needed:
        record_pending_decision(actor=actor, claim_id=claim_id, decision=decision)
        raise ClaimAwaitsSecondDecision(claims=needed.rate.claims, purchases=needed.rate.purchases) from None
    except ClaimSecondDecisionRefused:
        metrics.LIMIT_REFUSALS.labels(limit=LIMIT).inc()
        raise


@transaction.atomic
def record_pending_decision(*, actor: Actor, claim_id: object, decision: str) -> Claim:
    """Write the first staff member's decision on the locked claim, unless another one got there first."""
    from catalog.services.claims import lock_claim  # claims' decisions call this module

    claim = lock_claim(claim_id)
    if claim.pending_decision and not same_decider(claim, actor):
        return claim  # two first decisions at once: the earlier one stands, this one may confirm it
    claim.pending_decision = decision
    claim.pending_by = actor_customer(actor)
    claim.pending_by_label = actor_label(actor)[:100]
    claim.pending_at = now()
    claim.save(update_fields=["pending_decision", "pending_by", "pending_by_label", "pending_at"])
    record_audit(
        actor=actor,
        action="claim_pending_second",
        target=claim.purchase,
        details={"claim": claim.pk, "decision": decision},
    )
    return claim
