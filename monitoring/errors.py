"""Unexpected bot errors for the dashboard: a daily count and the latest few.

The bot's error handler calls ``record_error(exception_class=type(error),
summary=...)`` for every error that is not a ``ShopError`` (it still logs the
error and increments ``HANDLER_ERRORS`` itself). The summary must not contain
what a user typed or was delivered: pass something like the handler's name
or the callback route, not ``str(error)`` of an arbitrary exception.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction

from monitoring.counters import increment_counter
from monitoring.models import RecentError

COUNTER = "bot_errors"
KEEP = 20

logger = logging.getLogger("shopbot.monitoring")


def record_error(*, exception_class: type[BaseException] | str, summary: str = "") -> None:
    """Count one unexpected error today and keep it among the latest ``KEEP``.

    The class name is cut to 100 characters and the summary to one line of
    200. A database failure (often the very cause of the error) is logged and
    swallowed.
    """
    name = exception_class if isinstance(exception_class, str) else exception_class.__qualname__
    try:
        with transaction.atomic():
            increment_counter(name=COUNTER)
            RecentError.objects.create(exception=name[:100], summary=one_line(summary, limit=200))
            stale = list(RecentError.objects.values_list("id", flat=True)[KEEP:])
            if stale:
                RecentError.objects.filter(id__in=stale).delete()
    except DatabaseError:
        logger.warning("Could not record the error %s", name, exc_info=True)


def list_latest_errors(*, limit: int = KEEP) -> list[RecentError]:
    """Return the latest recorded errors, newest first."""
    return list(RecentError.objects.all()[:limit])


def one_line(text: str, *, limit: int) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
