"""The sales funnel the bot reports: shop opened, product viewed, purchased.

The bot calls ``record(step=...)`` (through its adapter, it is synchronous)
once per event:

- ``shop_opened``: a customer opened the catalog (``/start`` or the Shop button);
- ``product_viewed``: a customer opened a product card;
- ``purchased``: a purchase was delivered (call it after the sale committed).

Counts are kept per day in the database, so the dashboard of the web process
sees what every bot worker recorded.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import DatabaseError

from monitoring.counters import increment_counter, total_counts

SHOP_OPENED = "shop_opened"
PRODUCT_VIEWED = "product_viewed"
PURCHASED = "purchased"
STEPS = (SHOP_OPENED, PRODUCT_VIEWED, PURCHASED)

logger = logging.getLogger("shopbot.monitoring")


def record(*, step: str) -> None:
    """Count one event of the funnel ``step`` today.

    An unknown step is a programming error and raises ``ValueError``; a
    database failure is logged and swallowed, because statistics must never
    break what the customer is doing.
    """
    if step not in STEPS:
        raise ValueError(f"Unknown funnel step {step!r}; expected one of {', '.join(STEPS)}")
    try:
        increment_counter(name=step)
    except DatabaseError:
        logger.warning("Could not record the funnel step %s", step, exc_info=True)


def funnel_totals(*, start: date, end: date) -> dict[str, int]:
    """Return how many times each step happened from ``start`` to ``end``, in funnel order."""
    return total_counts(names=list(STEPS), start=start, end=end)
