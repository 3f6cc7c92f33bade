"""Staff notifications: who chose which events, the outbox they are written to, and claiming it.

Each staff member chooses in the admin menu which ``StaffEvent``s they get,
among those their permissions allow (``EVENT_PERMISSIONS``); until they
choose, they get every event they may act on. ``notify_staff`` writes one
``StaffNotice`` per recipient inside the transaction of what happened, so a
notice exists exactly when the event does and nothing is sent inside a
transaction: the bot's ``staff_notices`` job claims the notices after commit
(``claim_staff_notices``), sends each with a button to the screen that
handles it, or one digest to a staff member who got more than
``DIGEST_OVER`` in the last minute, and marks what Telegram accepted
(``mark_staff_notices_sent``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.actors import Actor, actor_customer
from accounts.models import Customer, StaffEvent, StaffNotice
from accounts.selectors.staff_notices import allowed_events, chosen_events, staff_for
from accounts.services import record_audit
from shopbot.errors import InvalidInput, PermissionDenied
from shopbot.outbox import hold_unsent

CLAIM_BATCH = 500
CLAIM_SECONDS = 120
DIGEST_OVER = 20  # more than this many in DIGEST_WINDOW: one digest message
DIGEST_WINDOW = timedelta(minutes=1)


def notify_staff(*, event: str, params: dict[str, Any]) -> list[int]:
    """Owe ``event`` to every staff member who gets it; return the notices' ids.

    Call it inside the transaction of what happened: the notices commit with it.
    """
    rows = StaffNotice.objects.bulk_create(
        StaffNotice(telegram_id=telegram_id, event=event, params=params) for telegram_id in staff_for(event)
    )
    return [row.pk for row in rows]


@transaction.atomic
def set_staff_notification(*, actor: Actor, event: object, on: bool) -> list[str]:
    """Turn one event on or off for the acting staff member; return the events they now get.

    Refuses an unknown event and one the actor's permissions do not allow
    (a forged press), audited.
    """
    customer = actor_customer(actor)
    if customer is None:
        raise PermissionDenied()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if event not in StaffEvent.values:
        raise InvalidInput(reason=_("Unknown notification."))
    allowed = allowed_events(customer)
    if event not in allowed:
        raise PermissionDenied()
    chosen = set(chosen_events(customer))
    chosen = chosen | {event} if on else chosen - {event}
    customer.staff_notifications = [item for item in StaffEvent.values if item in chosen]
    customer.save(update_fields=["staff_notifications"])
    record_audit(
        actor=actor, action="staff_notification", target=customer, details={"event": event, "on": on}
    )
    return customer.staff_notifications


@dataclass
class StaffInbox:
    """One staff member's claimed notices, and whether they come as one digest."""

    telegram_id: int
    language: str
    notices: list[StaffNotice] = field(default_factory=list)
    digest: bool = False


@transaction.atomic
def claim_staff_notices(*, notice_ids: list[int] | None = None, limit: int = CLAIM_BATCH) -> list[StaffInbox]:
    """Hold unsent notices for ``CLAIM_SECONDS`` and return them by recipient, oldest first.

    With ``notice_ids``, only those (a face sends what it just caused at
    once). Rows another claimer holds or locks are skipped. A recipient who was owed
    more than ``DIGEST_OVER`` notices in the last minute gets them as a digest.
    """
    notices = StaffNotice.objects.all()
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    rows = hold_unsent(notices, seconds=CLAIM_SECONDS, limit=limit)
    if not rows:
        return []
    ids = {row.telegram_id for row in rows}
    recent = dict(
        StaffNotice.objects.filter(telegram_id__in=ids, created__gte=now() - DIGEST_WINDOW)
        .values_list("telegram_id")
        .annotate(count=Count("id"))
    )
    languages = dict(Customer.objects.filter(telegram_id__in=ids).values_list("telegram_id", "language"))
    inboxes: dict[int, StaffInbox] = {}
    for row in rows:
        inbox = inboxes.setdefault(
            row.telegram_id,
            StaffInbox(telegram_id=row.telegram_id, language=languages.get(row.telegram_id, "en")),
        )
        inbox.notices.append(row)
    for inbox in inboxes.values():
        inbox.digest = max(recent.get(inbox.telegram_id, 0), len(inbox.notices)) > DIGEST_OVER
    return list(inboxes.values())


def mark_staff_notices_sent(*, notice_ids: list[int]) -> None:
    """Record that Telegram accepted these notices (or the digest that carried them)."""
    StaffNotice.objects.filter(pk__in=notice_ids, sent_at__isnull=True).update(sent_at=now())
