"""The one bridge from PTB's event loop to the synchronous service layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection

P = ParamSpec("P")
R = TypeVar("R")


def _run(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    # No request/response cycle closes connections in a long-running bot, so a
    # connection idle past the server's timeout would fail on first use.
    # Skipped inside a transaction, i.e. in tests (as in healthchecks' sendalerts).
    if not connection.in_atomic_block:
        close_old_connections()
    return func(*args, **kwargs)


async def call(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a service or selector in Django's ORM thread and return its result."""
    return await sync_to_async(_run)(func, *args, **kwargs)
