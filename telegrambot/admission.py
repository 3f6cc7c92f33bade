"""What the gate asks about every update, answered in one trip to Django's ORM thread.

The rate limit, the customer (registered or refreshed) and maintenance mode
used to be three calls through the adapter; each call is a hop between the
event loop and the ORM thread that costs about as much CPU as a cache read.
The gate still applies the answers in its own order (see ``handlers/gate.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts import roles
from accounts.models import Customer
from accounts.services import register_customer
from telegrambot.ratelimit import Refusal, check_update
from telegrambot.services import maintenance


@dataclass(frozen=True)
class Admission:
    """A refusal by the global rate limit, or the customer and whether the shop is closed to them."""

    refusal: Refusal | None = None
    customer: Customer | None = None
    closed: bool = False  # maintenance mode is on and the customer is not an admin


def admit_sender(
    *,
    telegram_id: int,
    username: str | None,
    first_name: str | None,
    last_name: str | None,
    language_code: str | None,
    start_payload: str | None,
) -> Admission:
    """Count the update against the global limit, then register the sender and read maintenance mode."""
    refusal = check_update(telegram_id=telegram_id)
    if refusal is not None:
        return Admission(refusal=refusal)
    customer, _created = register_customer(
        telegram_id=telegram_id,
        username=username,
        first_name=first_name,
        last_name=last_name,
        language_code=language_code,
        start_payload=start_payload,
    )
    closed = maintenance.is_maintenance_on() and not roles.is_admin(customer)
    return Admission(customer=customer, closed=closed)


def admit_customer(*, telegram_id: int) -> Admission:
    """The gate's reads for a customer already registered (a Mini App call): the limit, the row, maintenance.

    Each call counts as one update against the same global limit as the chat.
    ``customer`` is None when nobody with this id ever opened the shop.
    """
    refusal = check_update(telegram_id=telegram_id)
    if refusal is not None:
        return Admission(refusal=refusal)
    customer = Customer.objects.filter(telegram_id=telegram_id).first()
    if customer is None:
        return Admission()
    closed = maintenance.is_maintenance_on() and not roles.is_admin(customer)
    return Admission(customer=customer, closed=closed)
