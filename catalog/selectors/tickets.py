"""Reads of support tickets: the customer's own, the staff list and card (``manage_support``).

A ticket named by another customer is refused as not found, and audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Customer
from accounts.services import record_audit, require_permission
from catalog.models import Purchase, Ticket, TicketMessage
from catalog.services.common import clean_id
from payments.models import Payment
from shopbot.errors import TicketNotFound

LIST_SIZE = 10
CONVERSATION_SIZE = 20  # the last messages a card shows; the web admin shows all
RECENT_ORDERS = 5


@dataclass(frozen=True)
class StarsOrder:
    """A Stars order as a ticket names it: the payment, its order numbers and its charge id."""

    payment: Payment
    order_numbers: list[str]


@dataclass(frozen=True)
class TicketCard:
    ticket: Ticket
    messages: list[TicketMessage]
    order: StarsOrder | None


def stars_order(payment: Payment | None) -> StarsOrder | None:
    if payment is None:
        return None
    numbers = list(
        Purchase.objects.filter(payment=payment).order_by("id").values_list("order_number", flat=True)
    )
    return StarsOrder(payment=payment, order_numbers=numbers)


def list_recent_stars_orders(*, telegram_id: int) -> list[StarsOrder]:
    """Return the customer's own latest paid Stars orders, for /paysupport to offer."""
    payments = Payment.objects.filter(
        customer__telegram_id=telegram_id,
        provider=Payment.Provider.STARS,
        purpose=Payment.Purpose.ORDER,
        status__in=[Payment.Status.PAID, Payment.Status.REFUNDING, Payment.Status.REFUNDED],
    ).order_by("-created", "-id")[:RECENT_ORDERS]
    return [stars_order(payment) for payment in payments]


def count_open_tickets() -> int:
    """Return how many tickets are open (the admin menu's Support button shows it)."""
    return Ticket.objects.filter(status=Ticket.Status.OPEN).count()


def card_of(ticket: Ticket, *, size: int | None) -> TicketCard:
    messages = TicketMessage.objects.filter(ticket=ticket).order_by("-created", "-id")
    recent = list(messages[:size] if size else messages)
    return TicketCard(ticket=ticket, messages=recent[::-1], order=stars_order(ticket.payment))


def list_open_tickets(*, actor: object) -> list[Ticket]:
    """Return the open tickets, the longest waiting first (``manage_support``)."""
    require_permission(actor=actor, codename="manage_support", action="list_tickets")
    return list(
        Ticket.objects.filter(status=Ticket.Status.OPEN)
        .select_related("customer")
        .order_by("updated", "id")[:50]
    )


def get_ticket_card(*, actor: object, ticket_id: object, size: int | None = CONVERSATION_SIZE) -> TicketCard:
    """Return a ticket with its conversation and its Stars order (``manage_support``)."""
    require_permission(actor=actor, codename="manage_support", action="view_ticket")
    ticket = (
        Ticket.objects.select_related("customer", "payment", "claim__purchase")
        .filter(pk=clean_id(ticket_id, TicketNotFound))
        .first()
    )
    if ticket is None:
        raise TicketNotFound()
    return card_of(ticket, size=size)


def get_customer_ticket(*, telegram_id: int, ticket_id: object) -> TicketCard:
    """Return the customer's own ticket; another's is refused as not found and audited."""
    ticket = (
        Ticket.objects.select_related("customer", "payment")
        .filter(pk=clean_id(ticket_id, TicketNotFound))
        .first()
    )
    if ticket is None:
        raise TicketNotFound()
    if ticket.customer.telegram_id != telegram_id:
        record_audit(
            actor=Customer.objects.filter(telegram_id=telegram_id).first(),
            action="view_ticket_refused",
            target=ticket,
            details={"why": "not the customer's"},
        )
        raise TicketNotFound()
    return card_of(ticket, size=CONVERSATION_SIZE)


def list_customer_tickets(*, telegram_id: int) -> list[Ticket]:
    """Return the customer's latest tickets, open ones first."""
    return list(
        Ticket.objects.filter(customer__telegram_id=telegram_id).order_by("status", "-updated", "-id")[
            :LIST_SIZE
        ]
    )


def get_ticket_attachment(*, actor: object, message_id: object) -> TicketMessage:
    """Return a ticket message for its photo or document (``manage_support``)."""
    require_permission(actor=actor, codename="manage_support", action="view_ticket")
    message = TicketMessage.objects.filter(pk=clean_id(message_id, TicketNotFound)).first()
    if message is None:
        raise TicketNotFound()
    return message
