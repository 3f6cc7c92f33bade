"""What the gate asks about every update: on the event loop when the cache knows, else in one ORM trip.

The rate limit, the customer and maintenance mode. A returning customer
with nothing new (``accounts.services.is_up_to_date``) is admitted from the
cache alone, on the event loop: the update is counted there, and the
customer's row (``accounts.cache``), the ban, maintenance mode and the role's
permissions are read in a round trip or two (``telegrambot.adapter.read``).
Anything else (a new customer, new names, a minute since last seen, a ban to
answer, a cold cache) takes the one trip to the ORM thread it always took,
which registers or refreshes the customer and keeps the row in the cache.
The gate applies the answers in its own order (see ``handlers/gate.py``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from accounts import roles
from accounts.cache import cached_customer, customer_key, remember_customer
from accounts.models import Customer
from accounts.services import customer_names, is_up_to_date, register_customer
from shopbot import warmcache
from telegrambot.adapter import read_keys
from telegrambot.ratelimit import Refusal, ban_key, check_read, check_update, count_update_on_loop
from telegrambot.services import maintenance
from telegrambot.services.dialog import no_state_key

logger = logging.getLogger("shopbot.bot")


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
    usage: dict[str, Any] | None = None,
) -> Admission:
    """Count the update (unless ``usage`` did), register or refresh the sender, read maintenance mode."""
    refusal = check_update(telegram_id=telegram_id, usage=usage)
    if refusal is not None:
        return Admission(refusal=refusal)
    names = customer_names(username=username, first_name=first_name, last_name=last_name)
    customer = cached_customer(telegram_id)
    if customer is None or not is_up_to_date(customer, names):
        warmcache.needs_orm()
        customer, _created = register_customer(
            telegram_id=telegram_id,
            start_payload=start_payload,
            language_code=language_code,
            **names,
        )
        remember_customer(customer)
    closed = maintenance.is_maintenance_on() and not roles.is_admin(customer)
    return Admission(customer=customer, closed=closed)


async def aadmit_sender(
    *,
    telegram_id: int,
    username: str | None,
    first_name: str | None,
    last_name: str | None,
    language_code: str | None,
    start_payload: str | None,
) -> Admission:
    """Admit the sender: from the cache on the event loop, or on the ORM thread (``admit_sender``)."""
    # The customer's dialog state too: most handlers ask it next (kept for the update).
    # And what the last update with the same route read next (the page a button shows).
    keys = warmcache.route_keys(
        [ban_key(telegram_id), customer_key(telegram_id), maintenance.CACHE_KEY, no_state_key(telegram_id)]
    )
    usage = None
    if warmcache.backend() is not None:
        try:
            # Counted with the keys read in the same round trip (``read_keys`` finds them kept).
            usage = await count_update_on_loop(telegram_id=telegram_id, also=keys)
        except (RedisError, OSError) as error:
            # The ORM side counts instead, and reports an unreachable cache as it always has.
            logger.debug("Could not count update of %s on the event loop: %r", telegram_id, error)
    return await read_keys(
        keys,
        admit_sender,
        telegram_id=telegram_id,
        username=username,
        first_name=first_name,
        last_name=last_name,
        language_code=language_code,
        start_payload=start_payload,
        usage=usage,
    )


def admit_customer(*, telegram_id: int, read: bool = False) -> Admission:
    """The gate's reads for a customer already registered (a Mini App call): the limit, the row, maintenance.

    A write counts as one update against the same global limit as the chat; a
    ``read`` counts against ``RATE_LIMIT_APP_READ`` instead (``check_read``).
    ``customer`` is None when nobody with this id ever opened the shop.
    """
    refusal = check_read(telegram_id=telegram_id) if read else check_update(telegram_id=telegram_id)
    if refusal is not None:
        return Admission(refusal=refusal)
    customer = Customer.objects.filter(telegram_id=telegram_id).first()
    if customer is None:
        return Admission()
    closed = maintenance.is_maintenance_on() and not roles.is_admin(customer)
    return Admission(customer=customer, closed=closed)
