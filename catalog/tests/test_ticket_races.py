"""Support tickets written at the same moment, on PostgreSQL: threads on their own connections."""

import queue
from functools import partial

import pytest

from catalog.models import Ticket, TicketMessage, TicketNotice
from catalog.services import tickets as services
from shopbot.errors import TicketClosed
from shopbot.test import OWNER_ID, is_postgresql, make_customer, make_staff, race

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 4  # each a fresh ticket: either side may win a round


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


@pytest.fixture
def cast():
    owner = make_customer(OWNER_ID)
    web = make_staff("desk", permissions=["accounts.manage_support"])
    customer = make_customer(7300)
    return owner, web, customer


def open_ticket(customer) -> Ticket:
    return services.open_ticket(telegram_id=customer.telegram_id, text="help").ticket


def race_both(*calls) -> list[object]:
    """Run each call in its own thread, released together."""
    work = queue.Queue()
    for call in calls:
        work.put(call)
    return race(len(calls), lambda: work.get()())


def owed_to(customer, ticket: Ticket) -> int:
    return TicketNotice.objects.filter(message__ticket=ticket, telegram_id=customer.telegram_id).count()


def test_two_staff_replying_at_once_both_reach_the_customer(cast):
    owner, web, customer = cast
    ticket = open_ticket(customer)
    results = race_both(
        partial(services.reply_to_ticket, actor=owner, ticket_id=ticket.pk, text="from the bot"),
        partial(services.reply_to_ticket, actor=web, ticket_id=ticket.pk, text="from the web"),
    )

    assert all(isinstance(result, TicketMessage) for result in results), results
    texts = sorted(
        TicketMessage.objects.filter(ticket=ticket, from_staff=True).values_list("text", flat=True)
    )
    assert texts == ["from the bot", "from the web"]
    assert owed_to(customer, ticket) == 2


def test_two_staff_closing_at_once_close_it_once_and_tell_the_customer_once(cast):
    owner, web, customer = cast
    ticket = open_ticket(customer)
    results = race_both(
        partial(services.close_ticket, actor=owner, ticket_id=ticket.pk),
        partial(services.close_ticket, actor=web, ticket_id=ticket.pk),
    )

    assert [type(result) for result in results].count(TicketClosed) == 1, results
    [closing] = TicketMessage.objects.filter(ticket=ticket, closes=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_by_label) == ("closed", closing.author_label)
    assert owed_to(customer, ticket) == 1


def test_a_reply_racing_a_close_lands_before_the_close_or_is_refused(cast):
    owner, web, customer = cast
    for _round in range(ROUNDS):
        ticket = open_ticket(customer)
        results = race_both(
            partial(services.close_ticket, actor=owner, ticket_id=ticket.pk),
            partial(services.reply_to_ticket, actor=web, ticket_id=ticket.pk, text="late?"),
        )

        staff = list(TicketMessage.objects.filter(ticket=ticket, from_staff=True).order_by("id"))
        assert staff[-1].closes, staff  # nothing is written after the close
        assert [message.closes for message in staff].count(True) == 1
        refused = [result for result in results if isinstance(result, TicketClosed)]
        assert len(staff) + len(refused) == 2, results
        assert owed_to(customer, ticket) == len(staff)


def test_a_customer_message_racing_a_close_is_never_lost(cast):
    owner, _web, customer = cast
    for n in range(ROUNDS):
        ticket = open_ticket(customer)
        text = f"one more thing {n}"
        results = race_both(
            partial(services.close_ticket, actor=owner, ticket_id=ticket.pk),
            partial(
                services.add_customer_message,
                telegram_id=customer.telegram_id,
                ticket_id=ticket.pk,
                text=text,
            ),
        )

        assert not any(isinstance(result, Exception) for result in results), results
        [written] = TicketMessage.objects.filter(text=text)
        ticket.refresh_from_db()
        assert ticket.status == "closed"
        assert TicketMessage.objects.filter(ticket=ticket, closes=True).count() == 1
        if written.ticket_id == ticket.pk:  # it came first: in the ticket, before the close
            assert written.pk < TicketMessage.objects.get(ticket=ticket, closes=True).pk
        else:  # the close came first: it opened a new ticket
            assert Ticket.objects.get(pk=written.ticket_id).status == "open"
        assert TicketNotice.objects.filter(message=written, telegram_id=OWNER_ID).count() == 1
        Ticket.objects.filter(customer=customer, status="open").update(status="closed")
