"""What counts as the database or the cache being away, rather than a bug.

``runbot`` rides out such outages: the update that hit one gets a short
"temporarily unavailable" answer from the error handler, nothing is half
written (every service is one transaction), and the next update reconnects
by itself (the adapter's ``close_old_connections`` drops a broken connection,
``CONN_HEALTH_CHECKS`` tests a reused one, redis-py reconnects per command).
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGE_ERRORS = (
    OperationalError,
    InterfaceError,
    ConnectionInterrupted,
    RedisConnectionError,
    RedisTimeoutError,
)


def is_outage(error: BaseException | None) -> bool:
    """Return whether ``error`` (or what caused it) says the database or the cache cannot be reached."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False
