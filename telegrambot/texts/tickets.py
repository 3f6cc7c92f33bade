"""Texts of support tickets, for customers (handlers/tickets.py) and staff (handlers/admin_tickets.py)."""

from __future__ import annotations

import html

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Ticket, TicketMessage
from catalog.selectors.tickets import StarsOrder, TicketCard
from telegrambot.texts.common import MAX_MESSAGE, date_time, user_text

WRITE = gettext_lazy("✉️ Write to support")
MY_TICKETS = gettext_lazy("🗂 My tickets")
REPLY = gettext_lazy("↩️ Reply")
CLOSE = gettext_lazy("✅ Close")
REFUND = gettext_lazy("💸 Refund the Stars")
OPEN_TICKET = gettext_lazy("🗂 Open the ticket")
ATTACHMENT = gettext_lazy("📎 File of message #%(message)s")
ASK_TEXT = gettext_lazy(
    "✉️ Describe your question in one message (up to 4000 characters). "
    "You may send a photo or a document with a caption instead."
)
ASK_REPLY = gettext_lazy("↩️ Send your reply (up to 4000 characters), or a photo or document with a caption.")
EXPECTED_TEXT = gettext_lazy("Send your message as text, or a photo or document with a caption.")
NO_TICKETS = gettext_lazy("🗂 <b>My tickets</b>\n\nYou have not written to support yet.")
NONE_OPEN = gettext_lazy("💬 <b>Support</b>\n\nNo ticket is open.")
CLOSED = gettext_lazy("Closed")
CLOSED_HERE = gettext_lazy("Closed the ticket.")
KINDS = {
    Ticket.Kind.GENERAL: gettext_lazy("Question"),
    Ticket.Kind.PAYMENT: gettext_lazy("Payment dispute"),
    Ticket.Kind.CLAIM: gettext_lazy("Claim"),
}


def section_button(count: int) -> str:
    return _("💬 Support (%(count)s open)") % {"count": count}


def order_button(order: StarsOrder) -> str:
    number = order.order_numbers[0] if order.order_numbers else str(order.payment.pk)
    return _("⭐ Order #%(number)s, %(date)s") % {"number": number, "date": date_time(order.payment.created)}


def pay_support_orders() -> str:
    return _("Choose the Stars order your question is about, or write to support about something else.")


def written(message: TicketMessage) -> str:
    return _("✅ Your message is in ticket #%(ticket)s. Support will answer in this chat.") % {
        "ticket": message.ticket_id
    }


def order_line(order: StarsOrder | None) -> str:
    if order is None:
        return ""
    numbers = ", ".join("#" + number for number in order.order_numbers) or "—"
    return "\n" + _("Stars order %(numbers)s, charge id <code>%(charge)s</code>, %(status)s") % {
        "numbers": numbers,
        "charge": html.escape(order.payment.provider_charge_id or "—"),
        "status": order.payment.get_status_display(),
    }


def ticket_title(ticket: Ticket) -> str:
    status = "" if ticket.is_open else " · " + str(CLOSED)
    return _("Ticket #%(ticket)s · %(kind)s") % {"ticket": ticket.pk, "kind": KINDS[ticket.kind]} + status


def ticket_button(ticket: Ticket) -> str:
    return ticket_title(ticket)[:60]


def message_line(message: TicketMessage, *, staff_view: bool) -> str:
    if message.from_staff:
        who = (
            _("Support")
            if not staff_view
            else _("Staff %(who)s") % {"who": html.escape(message.author_label)}
        )
    else:
        who = _("Customer") if staff_view else _("You")
    file = " 📎" if message.attachment_id else ""
    return "<b>%s</b> · %s%s\n%s" % (
        who,
        date_time(message.created),
        file,
        str(CLOSED_HERE) if message.closes else user_text(message.text, limit=600),
    )


def conversation(card: TicketCard, *, staff_view: bool) -> str:
    """The ticket's head and its latest messages, cut to fit one message."""
    ticket = card.ticket
    head = "🗂 <b>%s</b>" % ticket_title(ticket)
    if staff_view:
        customer = ticket.customer
        head += "\n" + _("Customer: %(id)s %(name)s") % {
            "id": customer.telegram_id,
            "name": html.escape("@" + customer.username if customer.username else customer.first_name),
        }
        if ticket.claim_id is not None:
            head += "\n" + _("Claim #%(claim)s") % {"claim": ticket.claim_id}
    head += order_line(card.order)
    lines = [message_line(message, staff_view=staff_view) for message in card.messages]
    while lines and len(head) + sum(len(line) + 2 for line in lines) > MAX_MESSAGE - 100:
        lines.pop(0)  # the oldest go first; the web admin shows them all
    return "\n\n".join([head, *lines])


def closed_for_customer(message: TicketMessage) -> str:
    return _(
        "✅ Support closed ticket #%(ticket)s. If you need more help, write to support again: "
        "a new ticket will be opened."
    ) % {"ticket": message.ticket_id}


def relayed(message: TicketMessage, *, to_staff: bool) -> str:
    """The relayed message's text: the sender shown, the text escaped (split by the sender if long)."""
    if to_staff:
        ticket = message.ticket
        head = _("💬 Ticket #%(ticket)s from %(id)s:") % {
            "ticket": ticket.pk,
            "id": ticket.customer.telegram_id,
        }
        return head + "\n" + html.escape(message.text)
    return _("Support: %(text)s") % {"text": html.escape(message.text)}


def tickets_list(tickets: list[Ticket]) -> str:
    return str(NO_TICKETS) if not tickets else _("🗂 <b>My tickets</b>")


def open_list(tickets: list[Ticket]) -> str:
    if not tickets:
        return str(NONE_OPEN)
    return _("💬 <b>Support</b>\n\n%(count)s open tickets, the longest waiting first.") % {
        "count": len(tickets)
    }


def replied(ticket_id: int) -> str:
    return _("✅ Reply sent in ticket #%(ticket)s.") % {"ticket": ticket_id}


def closed(ticket_id: int) -> str:
    return _("✅ Ticket #%(ticket)s is closed.") % {"ticket": ticket_id}
