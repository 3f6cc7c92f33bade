"""Support tickets: customers write to support, staff reply and close; every claim is a ticket.

Lock order: the customer row, then the ticket. A message is written with
the notices it owes in one transaction (``TicketNotice``): a staff reply owes
the customer, a customer's message owes every staff member holding
``manage_support``. Nothing here sends a message: the bot claims the notices
after commit (``claim_ticket_notices``) and marks what Telegram accepted
(``mark_ticket_notices_sent``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.actors import Actor, actor_customer, actor_label
from accounts.models import Customer, StaffEvent
from accounts.services import record_audit, requires
from catalog.models import Claim, Ticket, TicketMessage, TicketNotice
from catalog.services.claims import PERIOD_SECONDS, RATE, Attachment, clean_attachment
from catalog.services.common import clean_id, clean_text, lock_buyer
from payments.models import Payment
from shopbot.errors import InvalidInput, PaymentNotFound, TicketClosed, TicketLimit, TicketNotFound
from shopbot.outbox import hold_unsent

TEXT_MAX_LENGTH = 4000
CLAIM_BATCH = 100
CLAIM_SECONDS = 120  # as the payment notices: one sweep's batch, or a dead worker's hold
# Stars orders a customer may name in a ticket: paid ones, including those refunded or being refunded.
DISPUTABLE = [Payment.Status.PAID, Payment.Status.REFUNDING, Payment.Status.REFUNDED]


@dataclass(frozen=True)
class TicketNoticeToSend:
    """One claimed ticket message for one recipient, with what the sender needs to word it."""

    id: int
    telegram_id: int
    language: str
    message: TicketMessage  # with its ticket loaded


def ticket_window() -> tuple[int, timedelta] | None:
    """Return how many messages a customer may write to support per how long, or None."""
    match = RATE.fullmatch(settings.RATE_LIMIT_TICKET or "")
    if not settings.RATE_LIMITS or match is None:
        return None
    count, multiple, unit = match.groups()
    return int(count), timedelta(seconds=int(multiple or 1) * PERIOD_SECONDS[unit])


def check_ticket_limit(customer: Customer) -> None:
    window = ticket_window()
    if window is None:
        return
    count, period = window
    recent = TicketMessage.objects.filter(author=customer, from_staff=False, created__gte=now() - period)
    if recent.count() >= count:
        raise TicketLimit()


def clean_message(text: object, attachment: object) -> tuple[str, Attachment | None]:
    text = clean_text(text, what=_("The message"), max_length=TEXT_MAX_LENGTH)
    attachment = clean_attachment(attachment)
    if not text and attachment is None:
        raise InvalidInput(reason=_("Write your message as text."))
    return text, attachment


def staff_recipients() -> list[int]:
    """The Telegram ids of everyone who handles tickets: the owner and the roles holding ``manage_support``."""
    holders = Customer.objects.filter(
        Q(telegram_id=settings.OWNER_ID)
        | Q(
            role__permissions__codename="manage_support",
            role__permissions__content_type__app_label="accounts",
            is_blocked=False,
        )
    )
    # A staff member who turned "ticket message" notifications off is not relayed customers' messages.
    return sorted(
        {
            telegram_id
            for telegram_id, chosen in holders.values_list("telegram_id", "staff_notifications")
            if chosen is None or StaffEvent.TICKET_MESSAGE in chosen
        }
    )


def write_message(
    ticket: Ticket,
    *,
    author: Customer | None,
    label: str,
    from_staff: bool,
    text: str,
    attachment: object,
    closes: bool = False,
) -> TicketMessage:
    at = now()
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=author,
        author_label=label[:100],
        from_staff=from_staff,
        closes=closes,
        text=text,
        attachment_kind=attachment.kind if attachment else "",
        attachment_id=attachment.file_id if attachment else "",
        created=at,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated=at)
    recipients = [ticket.customer.telegram_id] if from_staff else staff_recipients()
    TicketNotice.objects.bulk_create(
        [TicketNotice(message=message, telegram_id=telegram_id) for telegram_id in recipients if telegram_id],
        ignore_conflicts=True,
    )
    return message


def own_stars_order(customer: Customer, payment_id: object) -> Payment:
    """Return one of the customer's paid Stars orders; refuse another's (audited by the caller) as not found."""
    payment = Payment.objects.filter(pk=clean_id(payment_id, PaymentNotFound)).first()
    if payment is None or payment.provider != Payment.Provider.STARS or payment.status not in DISPUTABLE:
        raise PaymentNotFound()
    if payment.customer_id != customer.pk:
        raise ForeignTicket(customer)
    return payment


class ForeignTicket(Exception):
    """Another customer's ticket or payment was named: refused as not found, and audited."""

    def __init__(self, customer: Customer) -> None:
        super().__init__()
        self.customer = customer


def refuse_foreign(forged: ForeignTicket, *, target: object, action: str) -> None:
    """Audit a press naming another customer's ticket or order (after the rollback, so the entry stays)."""
    record_audit(
        actor=forged.customer, action=action, target=str(target)[:40], details={"why": "not the customer's"}
    )


def open_ticket(
    *, telegram_id: int, text: object, attachment: object = None, payment_id: object = None
) -> TicketMessage:
    """Write to support: a message in the customer's open ticket, or a new ticket; return the message.

    With ``payment_id`` the ticket is about that Stars order (the customer's
    own only; another's is refused as not found and audited). Refuses empty or
    too long text and more than ``RATE_LIMIT_TICKET`` messages.
    """
    try:
        return write_ticket(telegram_id=telegram_id, text=text, attachment=attachment, payment_id=payment_id)
    except ForeignTicket as forged:
        refuse_foreign(forged, target=payment_id, action="open_ticket_refused")
        raise PaymentNotFound() from None


@transaction.atomic
def write_ticket(*, telegram_id: int, text: object, attachment: object, payment_id: object) -> TicketMessage:
    customer = lock_buyer(telegram_id=telegram_id)
    text, attachment = clean_message(text, attachment)
    payment = own_stars_order(customer, payment_id) if payment_id is not None else None
    check_ticket_limit(customer)
    return write_in_open_ticket(
        customer, payment_id=payment.pk if payment else None, text=text, attachment=attachment
    )


def write_in_open_ticket(
    customer: Customer, *, payment_id: int | None, text: str, attachment: Attachment | None
) -> TicketMessage:
    """Write the customer's message in their open ticket about this (a Stars order, or anything), or a new one.

    The caller holds the customer's row, which serializes it with closes and replies.
    """
    open_tickets = Ticket.objects.select_for_update().filter(customer=customer, status=Ticket.Status.OPEN)
    if payment_id is None:
        ticket = open_tickets.filter(kind=Ticket.Kind.GENERAL).first()
    else:
        ticket = open_tickets.filter(kind=Ticket.Kind.PAYMENT, payment_id=payment_id).first()
    if ticket is None:
        kind = Ticket.Kind.GENERAL if payment_id is None else Ticket.Kind.PAYMENT
        ticket = Ticket.objects.create(customer=customer, kind=kind, payment_id=payment_id)
        record_audit(actor=customer, action="open_ticket", target=ticket, details={"kind": kind})
    return write_message(
        ticket,
        author=customer,
        label=str(customer.telegram_id),
        from_staff=False,
        text=text,
        attachment=attachment,
    )


def add_customer_message(
    *, telegram_id: int, ticket_id: object, text: object, attachment: object = None
) -> TicketMessage:
    """Add the customer's message to their ticket; another's is refused as not found and audited.

    A ticket staff closed meanwhile (while the customer typed) does not lose
    the message: it goes to the customer's open ticket about the same thing,
    or a new one, and the returned message names that ticket.
    """
    try:
        return write_customer_message(
            telegram_id=telegram_id, ticket_id=ticket_id, text=text, attachment=attachment
        )
    except ForeignTicket as forged:
        refuse_foreign(forged, target=ticket_id, action="ticket_message_refused")
        raise TicketNotFound() from None


@transaction.atomic
def write_customer_message(
    *, telegram_id: int, ticket_id: object, text: object, attachment: object
) -> TicketMessage:
    customer = lock_buyer(telegram_id=telegram_id)
    text, attachment = clean_message(text, attachment)
    ticket = Ticket.objects.select_for_update().filter(pk=clean_id(ticket_id, TicketNotFound)).first()
    if ticket is None:
        raise TicketNotFound()
    if ticket.customer_id != customer.pk:
        raise ForeignTicket(customer)
    check_ticket_limit(customer)
    if not ticket.is_open:
        # Closed while the customer was typing: what they wrote is not lost, it opens a new
        # ticket about the same Stars order (or a general one; a claim's conversation is over).
        payment_id = ticket.payment_id if ticket.kind == Ticket.Kind.PAYMENT else None
        return write_in_open_ticket(customer, payment_id=payment_id, text=text, attachment=attachment)
    ticket.customer = customer
    return write_message(
        ticket,
        author=customer,
        label=str(customer.telegram_id),
        from_staff=False,
        text=text,
        attachment=attachment,
    )


def lock_ticket(ticket_id: object) -> Ticket:
    ticket_id = clean_id(ticket_id, TicketNotFound)
    customer_id = Ticket.objects.filter(pk=ticket_id).values_list("customer_id", flat=True).first()
    if customer_id is None:
        raise TicketNotFound()
    Customer.objects.select_for_update().filter(pk=customer_id).first()
    return Ticket.objects.select_for_update(of=("self",)).select_related("customer").get(pk=ticket_id)


@requires("manage_support")
@transaction.atomic
def reply_to_ticket(
    *, actor: Actor, ticket_id: object, text: object, attachment: object = None
) -> TicketMessage:
    """Write a staff reply in an open ticket; the customer is owed it (``TicketNotice``)."""
    text, attachment = clean_message(text, attachment)
    ticket = lock_ticket(ticket_id)
    if not ticket.is_open:
        raise TicketClosed()
    message = write_message(
        ticket,
        author=actor_customer(actor),
        label=actor_label(actor),
        from_staff=True,
        text=text,
        attachment=attachment,
    )
    record_audit(actor=actor, action="ticket_reply", target=ticket, details={"message": message.pk})
    return message


@requires("manage_support")
@transaction.atomic
def close_ticket(*, actor: Actor, ticket_id: object) -> TicketMessage:
    """Close a ticket and return the closing message, which the customer is owed (one ``TicketNotice``).

    The customer's next message to support opens a new ticket. Closing a
    closed ticket raises ``TicketClosed`` and owes nothing.
    """
    ticket = lock_ticket(ticket_id)
    if not ticket.is_open:
        raise TicketClosed()
    ticket.status = Ticket.Status.CLOSED
    ticket.closed_at = now()
    ticket.closed_by_label = actor_label(actor)[:100]
    ticket.save(update_fields=["status", "closed_at", "closed_by_label"])
    message = write_message(
        ticket,
        author=actor_customer(actor),
        label=actor_label(actor),
        from_staff=True,
        text="",
        attachment=None,
        closes=True,
    )
    record_audit(actor=actor, action="close_ticket", target=ticket, details={"message": message.pk})
    return message


def open_claim_ticket(claim: Claim) -> Ticket:
    """Open the conversation of a new claim: its text and attachment are the first message.

    Called in the claim's transaction; owes no notice (staff see new claims in Claims).
    """
    ticket = Ticket.objects.create(
        customer=claim.customer, kind=Ticket.Kind.CLAIM, claim=claim, payment=claim.purchase.payment
    )
    TicketMessage.objects.create(
        ticket=ticket,
        author=claim.customer,
        author_label=str(claim.customer.telegram_id),
        text=claim.text or str(claim.get_reason_display()),
        attachment_kind=claim.attachment_kind,
        attachment_id=claim.attachment_id,
        created=claim.created,
    )
    return ticket


@transaction.atomic
def claim_ticket_notices(
    *, message_ids: list[int] | None = None, limit: int = CLAIM_BATCH
) -> list[TicketNoticeToSend]:
    """Hold unsent ticket notices for ``CLAIM_SECONDS`` and return them for the caller to deliver."""
    notices = TicketNotice.objects.select_related("message__ticket__customer", "message__ticket__payment")
    if message_ids is not None:
        notices = notices.filter(message_id__in=message_ids)
    rows = hold_unsent(notices, seconds=CLAIM_SECONDS, limit=limit)
    if not rows:
        return []
    languages = dict(
        Customer.objects.filter(telegram_id__in={row.telegram_id for row in rows}).values_list(
            "telegram_id", "language"
        )
    )
    return [
        TicketNoticeToSend(
            id=row.pk,
            telegram_id=row.telegram_id,
            language=languages.get(row.telegram_id, settings.BOT_LOCALE),
            message=row.message,
        )
        for row in rows
    ]


def mark_ticket_notices_sent(*, notice_ids: list[int]) -> None:
    """Record that these claimed notices reached Telegram (or never can: the bot is blocked)."""
    if notice_ids:
        TicketNotice.objects.filter(pk__in=notice_ids, sent_at__isnull=True).update(sent_at=now())
