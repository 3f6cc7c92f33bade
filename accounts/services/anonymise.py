"""Anonymising a customer on their request: names and texts go, the accounting stays.

The customer row keeps its id, Telegram id, balance and language (the ledger
and the purchases point at it) and is shown as "deleted #id" from then on;
their names are removed and never written again (``register_customer``
keeps them empty). Every app removes its own texts through a scrubber
registered in ``accounts.hooks.scrubbers`` (catalog: tickets, claims,
reviews, cart, waitlist; payments: queued notices, invoice links; the bot:
what they were typing), in this transaction, under the customer's row lock.
The owner, staff (anyone holding a shop permission) and oneself cannot be
anonymised. A second call changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts import roles
from accounts.actors import Actor, actor_customer
from accounts.cache import forget_customer
from accounts.hooks import scrubbers
from accounts.models import AuditEntry, Customer
from accounts.services import get_customer_for_update, record_audit, requires
from shopbot.errors import CustomerNotFound, InvalidInput, OwnerProtected, PermissionDenied

PERMISSION = "anonymise_customers"


def refuse_protected(customer: Customer, *, actor: Actor) -> Customer:
    if customer.is_owner:
        raise OwnerProtected()
    if customer == actor_customer(actor):
        raise PermissionDenied()
    if roles.permissions_of(customer) or customer.user_id is not None:
        raise InvalidInput(reason=_("Staff cannot be anonymised: take their role and web login away first."))
    return customer


@requires(PERMISSION)
def check_anonymisable(*, actor: Actor, telegram_id: int) -> Customer:
    """Refuse, before staff confirm, what ``anonymise_customer`` would refuse (reads only)."""
    customer = Customer.objects.filter(telegram_id=telegram_id).first()
    if customer is None:
        raise CustomerNotFound()
    return refuse_protected(customer, actor=actor)


@requires(PERMISSION)
@transaction.atomic
def anonymise_customer(*, actor: Actor, telegram_id: int) -> Customer:
    """Remove a customer's names and every app's texts about them; keep the ledger and purchases."""
    customer = refuse_protected(get_customer_for_update(telegram_id=telegram_id), actor=actor)
    if customer.anonymised_at is not None:
        return customer  # idempotent: nothing is left to remove
    before = str(customer)
    customer.username = customer.first_name = customer.last_name = ""
    customer.anonymised_at = now()
    customer.save(update_fields=["username", "first_name", "last_name", "anonymised_at"])
    scrubbed = scrubbers.run(customer=customer)
    # Earlier entries named the customer by @username; the audit keeps the act, not the name.
    if before != str(customer.telegram_id):
        AuditEntry.objects.filter(target=before).update(target=str(customer))
    transaction.on_commit(lambda: forget_customer(telegram_id))
    record_audit(
        actor=actor,
        action="anonymise_customer",
        target=customer,
        details={"telegram_id": telegram_id, **{name: count for name, count in scrubbed.items()}},
    )
    return customer
