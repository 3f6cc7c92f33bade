"""Broadcasts: the draft an admin writes, and the per-recipient progress the sending job keeps.

Exactly once, and where it cannot be. A recipient's ``BroadcastDelivery``
row is claimed (PENDING -> SENDING) and committed before the message goes
to Telegram, and settled (SENT, FAILED, BLOCKED) after Telegram answers. A
restart therefore never sends to a settled or still-pending recipient twice
and never skips one. The only gap is a worker dying between the claim and
the settlement: Telegram may or may not have delivered, and the Bot API has
no idempotency key to ask. Those rows become UNCONFIRMED and are not sent
again (at most once): a duplicate advert costs more goodwill than one missed
message, and the gap is one small batch, only after a hard crash (a graceful
stop finishes its batch first; see ``telegrambot.jobs.broadcast``).

One worker sends a broadcast at a time: it holds a lease on the broadcast
row, renewed with every batch. A worker that takes over an expired lease
(or one released by a graceful stop) settles the orphaned claims first.

Lock order: the broadcast row, then its delivery rows, then customer rows
(``mark_bot_blocked``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actors import Actor, actor_customer
from accounts.models import Customer
from accounts.services import mark_bot_blocked, record_audit, require_permission, requires
from catalog.models import Purchase
from shopbot.errors import InvalidInput, PermissionDenied, ShopError
from telegrambot.html import HtmlError, render, utf16_length
from telegrambot.models import Broadcast, BroadcastDelivery

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTON_TEXT = 64
LEASE = timedelta(seconds=60)
INSERT_CHUNK = 1000
AUDIENCES = {
    "all": Broadcast.Audience.EVERYONE,
    "buyers": Broadcast.Audience.BUYERS,
    "new": Broadcast.Audience.NEVER_BOUGHT,
}
BUTTON = re.compile(r"^(?P<text>.+?)\s*\|\s*(?P<url>\S+)$", re.DOTALL)
https_url = URLValidator(schemes=["https"])
Status = BroadcastDelivery.Status


class BroadcastNotFound(ShopError):
    message = gettext_lazy("This broadcast was not found.")


class BroadcastNotDraft(ShopError):
    message = gettext_lazy("This broadcast is no longer a draft: it was sent or cancelled.")


class StepExpired(ShopError):
    """A button of a step that is no longer being answered (pressed twice, or forged)."""

    message = gettext_lazy("This step is no longer open. Start a new broadcast.")


@dataclass(frozen=True)
class Recipient:
    delivery_id: int
    telegram_id: int
    language: str = ""  # the customer's, for texts the shop writes per recipient


@dataclass(frozen=True)
class Lease:
    """What ``acquire`` decided: the broadcast to send, or how long another worker still holds it."""

    broadcast: Broadcast | None
    retry_in: float | None = None


# --- the draft ----------------------------------------------------------------------
def check_html(text: str, *, limit: int) -> str:
    """Return ``text`` if Telegram accepts it as HTML within ``limit`` characters, else refuse."""
    try:
        visible = render(text).strip()
    except HtmlError as error:
        raise InvalidInput(
            reason=_("Telegram would refuse this HTML: %(error)s") % {"error": error}
        ) from None
    if not visible:
        raise InvalidInput(reason=_("The message is empty."))
    if utf16_length(visible) > limit:
        raise InvalidInput(
            reason=_("The message is %(length)s characters long; at most %(limit)s fit.")
            % {"length": utf16_length(visible), "limit": limit}
        )
    return text


def lock_draft(*, actor: Actor, broadcast_id: int) -> Broadcast:
    """Return the actor's own draft, locked; refuse anyone else's and one already sent."""
    broadcast = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
    if broadcast is None or broadcast.author_id != getattr(actor_customer(actor), "pk", None):
        raise BroadcastNotFound()
    if broadcast.status != Broadcast.Status.DRAFT:
        raise BroadcastNotDraft()
    return broadcast


@requires("broadcast")
def check_allowed(*, actor: Actor) -> None:
    """Refuse (and audit) unless ``actor`` may broadcast: checked at every step of a draft."""


@requires("broadcast")
@transaction.atomic
def create_draft(*, actor: Actor, text: str) -> Broadcast:
    """Start a broadcast with its text, checked as Telegram's HTML."""
    return Broadcast.objects.create(author=actor_customer(actor), text=check_html(text or "", limit=MAX_TEXT))


@requires("broadcast")
@transaction.atomic
def set_photo(*, actor: Actor, broadcast_id: int, file_id: str) -> Broadcast:
    """Attach a photo (a Telegram file id); the text becomes its caption, so it must fit one."""
    broadcast = lock_draft(actor=actor, broadcast_id=broadcast_id)
    check_html(broadcast.text, limit=MAX_CAPTION)
    broadcast.photo = file_id[:255]
    broadcast.save(update_fields=["photo"])
    return broadcast


@requires("broadcast")
@transaction.atomic
def set_button(*, actor: Actor, broadcast_id: int, text: str) -> Broadcast:
    """Add a link button written as ``Label | https://address``."""
    broadcast = lock_draft(actor=actor, broadcast_id=broadcast_id)
    match = BUTTON.match((text or "").strip())
    label = match["text"].strip() if match else ""
    if match is None or not 1 <= len(label) <= MAX_BUTTON_TEXT:
        raise InvalidInput(
            reason=_("Send the button as: text | https://address, the text up to %(max)s characters.")
            % {"max": MAX_BUTTON_TEXT}
        )
    try:
        https_url(match["url"])
    except ValidationError:
        raise InvalidInput(reason=_("The button needs a full https:// address.")) from None
    broadcast.button_text, broadcast.button_url = label, match["url"][:500]
    broadcast.save(update_fields=["button_text", "button_url"])
    return broadcast


@requires("broadcast")
@transaction.atomic
def set_audience(*, actor: Actor, broadcast_id: int, audience: str) -> tuple[Broadcast, int]:
    """Choose who receives the broadcast ("all", "buyers", "new" or a language); return it and the count."""
    broadcast = lock_draft(actor=actor, broadcast_id=broadcast_id)
    if audience in AUDIENCES:
        broadcast.audience, broadcast.language = AUDIENCES[audience], ""
    elif audience in Customer.Language.values:
        broadcast.audience, broadcast.language = Broadcast.Audience.LANGUAGE, audience
    else:
        raise InvalidInput(reason=_("Choose one of the audiences offered."))
    broadcast.save(update_fields=["audience", "language"])
    return broadcast, recipients(broadcast).count()


def recipients(broadcast: Broadcast) -> QuerySet[Customer]:
    """Return the customers a broadcast goes to: its audience, minus those blocked either way."""
    customers = Customer.objects.filter(is_blocked=False, has_blocked_bot=False)
    bought = Exists(Purchase.objects.filter(buyer=OuterRef("pk")))
    if broadcast.audience == Broadcast.Audience.BUYERS:
        return customers.filter(bought)
    if broadcast.audience == Broadcast.Audience.NEVER_BOUGHT:
        return customers.filter(~bought)
    if broadcast.audience == Broadcast.Audience.LANGUAGE:
        return customers.filter(language=broadcast.language)
    if broadcast.audience == Broadcast.Audience.WAITLIST:  # frozen when queued
        return customers.filter(broadcast_deliveries__broadcast=broadcast)
    return customers


@requires("broadcast")
def get_broadcast(*, actor: Actor, broadcast_id: int) -> Broadcast:
    broadcast = Broadcast.objects.filter(pk=broadcast_id).first()
    if broadcast is None:
        raise BroadcastNotFound()
    return broadcast


@requires("broadcast")
def list_recent(*, actor: Actor, limit: int = 5) -> list[Broadcast]:
    """Return the latest broadcasts that were sent or are being sent."""
    return list(Broadcast.objects.exclude(status=Broadcast.Status.DRAFT).order_by("-created", "-id")[:limit])


# --- confirming and cancelling ------------------------------------------------------
@requires("broadcast")
@transaction.atomic
def start_broadcast(*, actor: Actor, broadcast_id: int, chat_id: int, message_id: int) -> Broadcast:
    """Freeze the audience into delivery rows and hand the broadcast to the sending job. Audited.

    ``chat_id`` and ``message_id`` name the author's message that shows the progress.
    """
    broadcast = lock_draft(actor=actor, broadcast_id=broadcast_id)
    ids = recipients(broadcast).order_by("id").values_list("id", flat=True)
    total, chunk = 0, []
    for customer_id in ids.iterator(chunk_size=INSERT_CHUNK):
        chunk.append(BroadcastDelivery(broadcast=broadcast, customer_id=customer_id))
        if len(chunk) == INSERT_CHUNK:
            total += len(BroadcastDelivery.objects.bulk_create(chunk))
            chunk = []
    total += len(BroadcastDelivery.objects.bulk_create(chunk))
    broadcast.status, broadcast.total, broadcast.started = Broadcast.Status.SENDING, total, now()
    broadcast.progress_chat_id, broadcast.progress_message_id = chat_id, message_id
    broadcast.save()
    record_audit(
        actor=actor,
        action="start_broadcast",
        target=f"#{broadcast.pk}",
        details={
            "audience": broadcast.audience,
            "language": broadcast.language,
            "total": total,
            "paid": broadcast.paid,
        },
    )
    return broadcast


@requires("broadcast")
@transaction.atomic
def cancel_broadcast(*, actor: Actor, broadcast_id: int) -> Broadcast:
    """Stop a broadcast being sent; the job sends nothing more and reports. Audited."""
    broadcast = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
    if broadcast is None:
        raise BroadcastNotFound()
    if broadcast.status == Broadcast.Status.SENDING:
        broadcast.status = Broadcast.Status.CANCELLED
        broadcast.save(update_fields=["status"])
        record_audit(
            actor=actor,
            action="cancel_broadcast",
            target=f"#{broadcast.pk}",
            details={"sent": broadcast.sent},
        )
    return broadcast


# --- the sending job ------------------------------------------------------------------
def list_unfinished() -> list[int]:
    """Return the broadcasts a worker should be sending: those left SENDING by a stop or a crash."""
    return list(
        Broadcast.objects.filter(status=Broadcast.Status.SENDING).order_by("id").values_list("id", flat=True)
    )


def acquire(*, broadcast_id: int, worker: str) -> Lease:
    """Take the lease of a broadcast for ``worker``, after re-checking its author's permission.

    The shop's own back-in-stock notices have no author to check. A broadcast whose author lost the ``broadcast`` permission (or was
    deleted) is cancelled instead, and the refusal is audited. Claims left
    SENDING by a previous holder become UNCONFIRMED (see the module docstring).
    """
    if not Broadcast.objects.filter(pk=broadcast_id, audience=Broadcast.Audience.WAITLIST).exists():
        check_author(broadcast_id)
    with transaction.atomic():
        broadcast = (
            Broadcast.objects.select_for_update(of=("self",))
            .select_related("product")
            .filter(pk=broadcast_id)
            .first()
        )
        if broadcast is None or broadcast.status == Broadcast.Status.DRAFT or broadcast.finished is not None:
            return Lease(None)
        moment = now()
        held = broadcast.lease_owner and broadcast.lease_owner != worker
        if held and broadcast.lease_expires and broadcast.lease_expires > moment:
            return Lease(None, retry_in=(broadcast.lease_expires - moment).total_seconds())
        if broadcast.lease_owner != worker:
            orphaned = broadcast.deliveries.filter(status=Status.SENDING).update(
                status=Status.UNCONFIRMED, updated=moment
            )
            broadcast.unconfirmed += orphaned
        broadcast.lease_owner, broadcast.lease_expires = worker, moment + LEASE
        broadcast.save()
    return Lease(broadcast)


def check_author(broadcast_id: int) -> None:
    """Cancel (and audit) a broadcast whose author may no longer broadcast, or is gone."""
    author = Customer.objects.filter(broadcasts__pk=broadcast_id).first()
    try:
        if author is None:
            raise PermissionDenied()
        require_permission(actor=author, codename="broadcast", action="resume_broadcast")
    except PermissionDenied:
        Broadcast.objects.filter(pk=broadcast_id, status=Broadcast.Status.SENDING).update(
            status=Broadcast.Status.CANCELLED
        )


@transaction.atomic
def claim_batch(*, broadcast_id: int, worker: str, size: int) -> list[Recipient]:
    """Claim the next ``size`` pending recipients for ``worker`` and renew its lease.

    Returns nothing once the broadcast is cancelled or finished, or when
    another worker took the lease over. The claims commit before any send.
    """
    broadcast = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
    if broadcast is None or broadcast.status != Broadcast.Status.SENDING or broadcast.lease_owner != worker:
        return []
    rows = list(
        broadcast.deliveries.filter(status=Status.PENDING)
        .order_by("id")
        .values_list("id", "customer__telegram_id", "customer__language")[:size]
    )
    BroadcastDelivery.objects.filter(pk__in=[row[0] for row in rows]).update(
        status=Status.SENDING, updated=now()
    )
    Broadcast.objects.filter(pk=broadcast_id).update(lease_expires=now() + LEASE)
    return [Recipient(*row) for row in rows]


@transaction.atomic
def record_outcomes(*, broadcast_id: int, outcomes: dict[int, str], blocked_ids: list[int] = ()) -> Broadcast:
    """Settle claimed recipients (``PENDING`` puts one back, after a flood wait) and count them.

    ``blocked_ids`` are the Telegram ids that blocked the bot: they are
    marked, so later broadcasts skip them.
    """
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast_id)
    by_status: dict[str, list[int]] = {}
    for delivery_id, status in outcomes.items():
        by_status.setdefault(status, []).append(delivery_id)
    for status, delivery_ids in by_status.items():
        broadcast.deliveries.filter(pk__in=delivery_ids, status=Status.SENDING).update(
            status=status, updated=now()
        )
    counters = {"sent": Status.SENT, "failed": Status.FAILED, "blocked": Status.BLOCKED}
    changes = {
        field: F(field) + len(by_status[status])
        for field, status in counters.items()
        if by_status.get(status)
    }
    if changes:
        Broadcast.objects.filter(pk=broadcast_id).update(**changes)
    for telegram_id in blocked_ids:
        mark_bot_blocked(telegram_id=telegram_id)
    broadcast.refresh_from_db()
    return broadcast


@transaction.atomic
def finish(*, broadcast_id: int, worker: str) -> Broadcast | None:
    """Close the broadcast once nobody is pending or claimed, and release the lease; return it for the report.

    Returns None when ``worker`` no longer holds the broadcast (another worker reports).
    """
    broadcast = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
    if broadcast is None or broadcast.lease_owner != worker:
        return None
    open_rows = broadcast.deliveries.filter(status__in=[Status.PENDING, Status.SENDING]).exists()
    if broadcast.status == Broadcast.Status.SENDING and open_rows:
        return None
    if broadcast.status == Broadcast.Status.SENDING:
        broadcast.status = Broadcast.Status.FINISHED
    broadcast.finished = broadcast.finished or now()
    broadcast.lease_owner, broadcast.lease_expires = "", None
    broadcast.save()
    return broadcast


def release(*, broadcast_id: int, worker: str) -> None:
    """Give the lease up (a graceful stop), so the next start resumes at once."""
    Broadcast.objects.filter(pk=broadcast_id, lease_owner=worker).update(lease_owner="", lease_expires=None)
