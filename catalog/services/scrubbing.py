"""What catalog removes when a customer is anonymised (``accounts.services.anonymise``).

Registered in ``CatalogConfig.ready()`` as a scrubber: runs in the
anonymising transaction, under the customer's row lock. Purchases (with
their delivered values, prices and order numbers) are kept for accounting;
the texts the customer wrote, and the staff replies quoting them, go.
"""

from __future__ import annotations

from django.utils.timezone import now

from accounts.models import Customer
from catalog.models import CartLine, Claim, Review, Ticket, TicketMessage, TicketNotice, WaitlistEntry

SCRUBBED = "anonymised"


def scrub_customer(*, customer: Customer) -> dict[str, int]:
    """Remove the customer's tickets' texts, claims' texts, reviews' texts, cart and waitlist; return counts."""
    tickets = Ticket.objects.filter(customer=customer)
    messages = TicketMessage.objects.filter(ticket__in=tickets)
    # Unsent relays would carry the texts removed below.
    TicketNotice.objects.filter(message__in=messages, sent_at__isnull=True).delete()
    removed_messages = messages.update(text="", attachment_id="", attachment_kind="")
    tickets.filter(status=Ticket.Status.OPEN).update(
        status=Ticket.Status.CLOSED, closed_at=now(), closed_by_label=SCRUBBED
    )
    claims = Claim.objects.filter(customer=customer).update(text="", attachment_id="", attachment_kind="")
    reviews = Review.objects.filter(customer=customer).update(text="")
    CartLine.objects.filter(customer=customer).delete()
    WaitlistEntry.objects.filter(customer=customer).delete()
    return {"ticket_messages": removed_messages, "claims": claims, "reviews": reviews}
