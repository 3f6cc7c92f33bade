"""The sales funnel the bot reports: shop opened, product viewed, purchased.

The bot calls ``record(step=...)`` once per event:

- ``shop_opened``: a customer opened the catalog (``/start`` or the Shop button);
- ``product_viewed``: a customer opened a product card;
- ``purchased``: a purchase was delivered (call it after the sale committed).

An event is counted in this process's memory: no database write, no cache
round trip, so ``record`` may be called straight from the event loop. ``push()``
adds the counts waiting in memory to the shared cache (runbot pushes every few
seconds and when it stops); ``flush()`` pushes, then moves the counts of the
cache into the daily counters in the database, so the dashboard of the web
process sees what every bot worker recorded. runbot flushes every minute, and
reading the totals flushes first. A worker killed outright loses at most the
last ``PUSH_SECONDS`` of its counts; a graceful stop loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
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
PUSH_SECONDS = 5  # how often runbot adds its counts to the shared cache

logger = logging.getLogger("shopbot.monitoring")
_counted: Counter[tuple[date, str]] = Counter()  # this process's counts, not yet in the cache
_counted_lock = threading.Lock()


def pending_key(day: date, step: str) -> str:
    return f"funnel:{day.isoformat()}:{step}"


def record(*, step: str) -> None:
    """Count one event of the funnel ``step`` today, in memory.

    An unknown step is a programming error and raises ``ValueError``.
    """
    if step not in STEPS:
        raise ValueError(f"Unknown funnel step {step!r}; expected one of {', '.join(STEPS)}")
    day = localdate()
    with _counted_lock:
        _counted[day, step] += 1


def push() -> int:
    """Add this process's counts to the shared cache; return how many were added.

    Counts the cache does not take (an outage) stay in memory for the next push,
    because statistics must never break what the customer is doing.
    """
    with _counted_lock:
        counts = dict(_counted)
        _counted.clear()
    added = 0
    for (day, step), count in counts.items():
        key = pending_key(day, step)
        try:
            # add() creates the counter once; incr() is atomic in Redis and in the local cache.
            cache.add(key, 0, PENDING_SECONDS)
            cache.incr(key, count)
        except Exception:  # kept for the next push
            logger.warning("Could not record the funnel step %s", step, exc_info=True)
            with _counted_lock:
                _counted[day, step] += count
            continue
        added += count
    return added


def discard_unpushed() -> None:
    """Forget the counts waiting in memory (tests start from none)."""
    with _counted_lock:
        _counted.clear()


def flush(*, today: date | None = None) -> int:
    """Move today's and yesterday's pending counts into the database; return how many moved.

    Takes from each cache counter exactly what it read (an atomic decrement), so
    events recorded meanwhile wait for the next flush instead of being lost.
    """
    push()
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
