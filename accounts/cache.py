"""A customer's row as the bot's gate reads it on every update, kept in the shared cache.

The gate needs the customer (blocked? language? role?) before any handler
runs. The row is kept under ``customer:<telegram_id>`` for a minute (the
precision of ``last_seen``, which the gate writes once a minute anyway), and
forgotten by every change of the row: a save or delete of any kind (the web
admin, a service, a balance change) through the model's signals, and the
services' few ``update()`` calls explicitly. A change leaves a marker for a few
seconds instead of the row, and a row read meanwhile is not kept: it may have
been read before the change committed (by another worker, or the web process).

Only reads that need no lock use it (the gate's admission); services that
change a customer lock the row in the database as before.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from accounts.models import Customer
from shopbot import warmcache

CUSTOMER_SECONDS = 60
CHANGED = "changed"  # the marker a change leaves
CHANGED_SECONDS = 10  # longer than a transaction that changes a customer lasts


def customer_key(telegram_id: int) -> str:
    return f"customer:{telegram_id}"


def remember_customer(customer: Customer) -> None:
    """Keep ``customer`` as just read from the database (or written)."""
    key = customer_key(customer.telegram_id)
    if cache.get(key) == CHANGED:
        return  # changed a moment ago: this row may be from before the change
    values = {field.attname: getattr(customer, field.attname) for field in Customer._meta.concrete_fields}
    cache.set(key, values, CUSTOMER_SECONDS)


def cached_customer(telegram_id: int) -> Customer | None:
    """Return the customer as kept in the cache, or None."""
    values: dict[str, Any] | str | None = warmcache.get(customer_key(telegram_id))
    if not isinstance(values, dict):
        return None
    customer = Customer(**values)
    customer._state.adding = False
    customer._state.db = "default"
    return customer


def forget_customer(telegram_id: int) -> None:
    """Forget a customer's cached row; keep none read in the next few seconds."""
    cache.set(customer_key(telegram_id), CHANGED, CHANGED_SECONDS)


def on_customer_change(sender: type, instance: Customer, **kwargs: object) -> None:
    forget_customer(instance.telegram_id)


# The gate tells a blocked customer once per block (``set_blocked`` forgets the mark).
BLOCK_NOTICE_SECONDS = 90 * 24 * 60 * 60


def block_notice_key(telegram_id: int) -> str:
    return f"blocked-notice:{telegram_id}"


def forget_block_notice(telegram_id: int) -> None:
    cache.delete(block_notice_key(telegram_id))
