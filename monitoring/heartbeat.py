"""The bot's heartbeat: when it last reached Telegram, for ``/health`` and the dashboard.

``runbot`` calls ``record_heartbeat()`` after each successful contact with the
Bot API (a successful ``getUpdates`` or a periodic ``getMe``). The time goes to
the cache on every call and to the database at most every
``DATABASE_INTERVAL``, so the web process sees it whether the cache is Redis
(shared) or the embedded local-memory cache (one per process).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import DatabaseError
from django.utils.timezone import now as timezone_now

from monitoring.metrics import BOT_HEARTBEAT
from monitoring.models import Heartbeat

BOT = "bot"
DATABASE_INTERVAL = timedelta(seconds=30)

logger = logging.getLogger("shopbot.monitoring")


def cache_key(name: str) -> str:
    return f"monitoring:heartbeat:{name}"


def saved_key(name: str) -> str:
    return f"monitoring:heartbeat-saved:{name}"


def record_heartbeat(*, name: str = BOT, now: datetime | None = None) -> None:
    """Record that process ``name`` reached Telegram just now.

    Never raises: a cache or database failure is logged, and the other store
    is still written.
    """
    now = now or timezone_now()
    try:
        cache.set(cache_key(name), now, timeout=None)
    except Exception:
        logger.warning("Could not write the %s heartbeat to the cache", name, exc_info=True)
    if name == BOT:
        BOT_HEARTBEAT.set(now.timestamp())
    # One small write every 30 seconds, not one per getUpdates call.
    saved = read_cache(saved_key(name))
    if saved is not None and timedelta(0) <= now - saved < DATABASE_INTERVAL:
        return
    try:
        Heartbeat.objects.update_or_create(name=name, defaults={"updated": now})
    except DatabaseError:
        logger.warning("Could not write the %s heartbeat to the database", name, exc_info=True)
        return
    try:
        cache.set(saved_key(name), now, timeout=int(DATABASE_INTERVAL.total_seconds()) * 2)
    except Exception:  # noqa: BLE001 - any cache backend error
        logger.debug("Could not note the %s heartbeat's database write in the cache", name)


def last_heartbeat(*, name: str = BOT) -> datetime | None:
    """Return the latest heartbeat of ``name`` from the cache or the database, or None."""
    times = [read_cache(cache_key(name)), read_database(name)]
    known = [time for time in times if time is not None]
    return max(known) if known else None


def read_cache(key: str) -> datetime | None:
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - any cache backend error
        return None
    return value if isinstance(value, datetime) else None


def read_database(name: str) -> datetime | None:
    try:
        return Heartbeat.objects.filter(name=name).values_list("updated", flat=True).first()
    except DatabaseError:
        return None
