"""The sales funnel the bot reports: shop opened, product viewed, purchased.

The bot calls ``record(step=...)`` (through its adapter, it is synchronous)
once per event:

- ``shop_opened``: a customer opened the catalog (``/start`` or the Shop button);
- ``product_viewed``: a customer opened a product card;
- ``purchased``: a purchase was delivered (call it after the sale committed).

An event costs one cache increment, not a database write: browsing screens
stay at one or two queries. ``flush()`` moves the counts into the daily
counters in the database, so the dashboard of the web process sees what every
bot worker recorded; runbot flushes every minute, and reading the totals
flushes first.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.core.cache import cache
from django.db import DatabaseError
from django.utils.timezone import localdate

from monitoring.counters import increment_counter, total_counts

SHOP_OPENED = "shop_opened"
PRODUCT_VIEWED = "product_viewed"
PURCHASED = "purchased"
STEPS = (SHOP_OPENED, PRODUCT_VIEWED, PURCHASED)
# Counts wait in the cache at most this long; a day's key outlives its flushes.
PENDING_SECONDS = 3 * 24 * 60 * 60

logger = logging.getLogger("shopbot.monitoring")


def pending_key(day: date, step: str) -> str:
    return f"funnel:{day.isoformat()}:{step}"


def record(*, step: str) -> None:
    """Count one event of the funnel ``step`` today.

    An unknown step is a programming error and raises ``ValueError``; a cache
    failure is logged and swallowed, because statistics must never break what
    the customer is doing.
    """
    if step not in STEPS:
        raise ValueError(f"Unknown funnel step {step!r}; expected one of {', '.join(STEPS)}")
    key = pending_key(localdate(), step)
    try:
        # add() creates the counter once; incr() is atomic in Redis and in the local cache.
        cache.add(key, 0, PENDING_SECONDS)
        cache.incr(key)
    except Exception:  # a cache outage must not reach the customer
        logger.warning("Could not record the funnel step %s", step, exc_info=True)


def flush(*, today: date | None = None) -> int:
    """Move today's and yesterday's pending counts into the database; return how many moved.

    Takes from each cache counter exactly what it read (an atomic decrement), so
    events recorded meanwhile wait for the next flush instead of being lost.
    """
    today = today or localdate()
    moved = 0
    for day in (today - timedelta(days=1), today):
        for step in STEPS:
            key = pending_key(day, step)
            try:
                count = cache.get(key) or 0
                if count <= 0:
                    continue
                cache.decr(key, count)
            except Exception:  # retried on the next flush
                logger.warning("Could not read the pending funnel step %s", step, exc_info=True)
                continue
            try:
                increment_counter(name=step, day=day, by=count)
            except DatabaseError:
                cache.incr(key, count)  # put them back for the next flush
                logger.warning("Could not save the funnel step %s", step, exc_info=True)
                continue
            moved += count
    return moved


def funnel_totals(*, start: date, end: date) -> dict[str, int]:
    """Return how many times each step happened from ``start`` to ``end``, in funnel order."""
    flush()
    return total_counts(names=list(STEPS), start=start, end=end)
