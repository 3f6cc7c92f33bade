"""The one bridge from PTB's event loop to the synchronous service layer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection

P = ParamSpec("P")
R = TypeVar("R")
# The check below costs a query (CONN_HEALTH_CHECKS): once a second is enough for
# persistent connections, where once a call doubled the queries of a screen.
CHECK_EVERY = 1.0
_checked = threading.local()


def _run(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    # No request/response cycle closes connections in a long-running bot, so a
    # connection idle past the server's timeout would fail on first use.
    # Skipped inside a transaction, i.e. in tests (as in healthchecks' sendalerts);
    # at once after a database error.
    if not connection.in_atomic_block:
        started = time.monotonic()
        if connection.errors_occurred or started - getattr(_checked, "at", -CHECK_EVERY) >= CHECK_EVERY:
            close_old_connections()
            _checked.at = started
    return func(*args, **kwargs)


async def call(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a service or selector in Django's ORM thread and return its result."""
    return await sync_to_async(_run)(func, *args, **kwargs)
