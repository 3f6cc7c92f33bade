"""Checks behind ``/health``: the database, the cache and the bot's heartbeat.

``/health`` answers 503 when the database or the cache is unreachable, and
when a bot is expected (``TOKEN`` is set and ``HEALTH_BOT_MAX_AGE`` is not 0)
but its last heartbeat is older than ``HEALTH_BOT_MAX_AGE`` seconds (default
180) or missing. Otherwise it answers 200, also when the bot is stale but not
expected, and says so in the body. In webhook mode the body also shows the
update stream: its length, how many updates the workers took and have not
finished, and how long the oldest of those has waited (not part of the verdict:
``monitoring/stream.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.timezone import now as timezone_now

from monitoring.heartbeat import last_heartbeat
from monitoring.stream import stream_status


def database_connection() -> BaseDatabaseWrapper:
    return connections["default"]


def check_database() -> bool:
    """Return whether the database answers a trivial query."""
    try:
        with database_connection().cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


def check_cache() -> bool:
    """Return whether the cache stores and returns a value."""
    try:
        cache.set("monitoring:health-probe", "ok", 10)
        return cache.get("monitoring:health-probe") == "ok"
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


def bot_status(*, now: datetime | None = None) -> dict[str, Any]:
    """Return when the bot last reached Telegram and whether that is too long ago."""
    now = now or timezone_now()
    max_age = settings.HEALTH_BOT_MAX_AGE
    beat = last_heartbeat()
    age = None if beat is None else max(0, int((now - beat).total_seconds()))
    stale = age is None or (max_age > 0 and age > max_age)
    return {
        "expected": bool(settings.TOKEN) and max_age > 0,
        "last_heartbeat": None if beat is None else beat.isoformat(),
        "age_seconds": age,
        "stale": stale,
    }


def health_report(*, now: datetime | None = None) -> tuple[bool, dict[str, Any]]:
    """Return whether the shop is healthy and the JSON body that explains it."""
    database, cache_ok = check_database(), check_cache()
    bot = bot_status(now=now)
    healthy = database and cache_ok and not (bot["expected"] and bot["stale"])
    body = {
        "status": "ok" if healthy else "error",
        "database": database,
        "cache": cache_ok,
        "bot": bot,
        "stream": stream_status() if cache_ok else None,
    }
    return healthy, body
