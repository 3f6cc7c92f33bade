"""Paid broadcasts: the owner may send a broadcast at up to 1000 messages/s, paid in Stars.

Telegram's ``allow_paid_broadcast`` lifts the bulk limit of about 30
messages per second for a fee of 0.1 Star per message, taken from the bot's
Stars balance. It spends the shop's money, so only the owner chooses it, per
broadcast, on the confirmation screen that shows the estimated cost; and only
where the operator said the bot is eligible (``PAID_BROADCASTS``).
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from accounts.actors import Actor, is_owner_actor
from accounts.services import record_audit, requires
from shopbot.errors import PermissionDenied
from telegrambot.models import Broadcast
from telegrambot.services.broadcasts import lock_draft, recipients

STARS_PER_MESSAGE = Decimal("0.1")  # Telegram's fee for a message sent with allow_paid_broadcast


def estimated_stars(count: int) -> int:
    """Return the Stars a paid broadcast to ``count`` recipients costs at most (rounded up)."""
    return math.ceil(count * STARS_PER_MESSAGE)


def may_choose_paid(actor: Actor) -> bool:
    """Return whether ``actor`` is offered the paid speed: the owner, on an eligible bot."""
    return settings.PAID_BROADCASTS and is_owner_actor(actor)


@requires("broadcast")
def set_paid(*, actor: Actor, broadcast_id: int, paid: bool) -> tuple[Broadcast, int]:
    """Choose the paid speed for the owner's draft, or go back to the free one; return it and the count.

    Anyone else (or any draft while ``PAID_BROADCASTS`` is off) is refused, and the refusal audited.
    """
    if not may_choose_paid(actor):
        record_audit(
            actor=actor,
            action="permission_denied",
            target="set_paid_broadcast",
            details={"permission": "owner", "broadcast": broadcast_id},
        )
        raise PermissionDenied()
    with transaction.atomic():
        broadcast = lock_draft(actor=actor, broadcast_id=broadcast_id)
        broadcast.paid = bool(paid)
        broadcast.save(update_fields=["paid"])
        count = recipients(broadcast).count()
    record_audit(
        actor=actor,
        action="set_paid_broadcast",
        target=f"#{broadcast.pk}",
        details={"paid": broadcast.paid, "recipients": count, "stars": estimated_stars(count)},
    )
    return broadcast, count
