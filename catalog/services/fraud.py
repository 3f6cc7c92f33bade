"""Fraud rules on claims: a blocked customer's claims, and customers who claim too often.

Blocking (``accounts.services.set_blocked``) calls ``refuse_blocked_claims``
through ``accounts.hooks.block_hooks`` (registered in ``CatalogConfig.ready()``),
inside its transaction with the customer row locked: lock order customer, then
claims. The customer is not sent each decision: the bot's gate tells them of
the block once, and that is the only notice.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.timezone import now

from accounts.actors import Actor
from accounts.models import Customer
from catalog.models import Claim, Ticket
from catalog.services.claims import UNDECIDED, decide, refund_in_progress
from monitoring import metrics

BLOCKED_NOTE = "customer blocked"


def refuse_blocked_claims(*, customer: Customer, actor: Actor, reason: str) -> list[int]:
    """Reject the undecided claims of a customer being blocked and close their tickets; return the claim ids.

    A claim whose Stars order is being refunded through Telegram at this
    moment is left to that refund. The caller holds the customer's row lock.
    """
    claims = list(
        Claim.objects.select_for_update(of=("self",))
        .select_related("purchase", "customer")
        .filter(customer=customer, status__in=UNDECIDED)
        .order_by("id")
    )
    refused = []
    note = f"{BLOCKED_NOTE}: {reason}"[:500]
    for claim in claims:
        if refund_in_progress(claim):
            continue
        decide(claim, actor=actor, status=Claim.Status.REJECTED, note=note)
        refused.append(claim.pk)
    at = now()
    # Told by the block notice: no decision message is owed.
    Claim.objects.filter(pk__in=refused).update(customer_told_at=at)
    Ticket.objects.filter(claim_id__in=refused, status=Ticket.Status.OPEN).update(
        status=Ticket.Status.CLOSED, closed_at=at, closed_by_label=BLOCKED_NOTE
    )
    if refused:
        count = len(refused)
        transaction.on_commit(lambda: metrics.LIMIT_REFUSALS.labels(limit="blocked").inc(count))
    return refused
