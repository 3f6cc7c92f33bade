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
