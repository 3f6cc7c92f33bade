"""The Redis Stream that carries Telegram's updates from the web process to the webhook workers.

Its key names live here, beside the figures ``/health`` and the dashboard show,
because monitoring reads the stream without importing the bot.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

STREAM = "telegram:stream"
GROUP = "runbot"


def uses_redis() -> bool:
    return bool(settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache")


def redis() -> Any:
    """Return the raw Redis client of the default cache; webhook mode needs Redis."""
    from django_redis import get_redis_connection  # only importable usefully with the Redis cache

    return get_redis_connection("default")


def stream_key() -> str:
    return str(cache.make_key(STREAM))


def stream_status(*, now: float | None = None) -> dict[str, Any] | None:
    """Return the stream's length, pending count and oldest pending age; None without Redis or a stream."""
    if not uses_redis():
        return None
    from redis.exceptions import ResponseError

    try:
        client = redis()
        length = int(client.xlen(stream_key()))
        try:
            pending = client.xpending(stream_key(), GROUP)
        except ResponseError:  # no worker has created the group yet
            pending = None
    except Exception:  # noqa: BLE001 - the cache check reports Redis being away
        return None
    if pending is None:
        return {"length": length, "pending": 0, "oldest_pending_seconds": None}
    oldest = pending["min"]
    age = None
    if oldest:
        queued_ms = int((oldest.decode() if isinstance(oldest, bytes) else oldest).split("-")[0])
        age = max(0, int((now or time.time()) - queued_ms / 1000))
    return {"length": length, "pending": int(pending["pending"]), "oldest_pending_seconds": age}
