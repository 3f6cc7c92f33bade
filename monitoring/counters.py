"""Daily counters in the database, shared by every process of the shop."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.timezone import localdate

from monitoring.models import DailyCounter


def increment_counter(*, name: str, day: date | None = None, by: int = 1) -> None:
    """Add ``by`` to today's (or ``day``'s) counter ``name``, creating it when needed.

    Safe under concurrency: the first writer of a day creates the row, and a
    writer that loses that race adds to the row the winner created.
    """
    day = day or localdate()
    with transaction.atomic():
        if DailyCounter.objects.filter(day=day, name=name).update(count=F("count") + by):
            return
        try:
            with transaction.atomic():
                DailyCounter.objects.create(day=day, name=name, count=by)
        except IntegrityError:
            DailyCounter.objects.filter(day=day, name=name).update(count=F("count") + by)


def list_daily_counts(*, names: list[str], start: date, end: date) -> dict[tuple[date, str], int]:
    """Return the counts of ``names`` per (day, name) from ``start`` to ``end``, both included."""
    rows = DailyCounter.objects.filter(name__in=names, day__gte=start, day__lte=end).values_list(
        "day", "name", "count"
    )
    return {(day, name): count for day, name, count in rows}


def total_counts(*, names: list[str], start: date, end: date) -> dict[str, int]:
    """Return the sum of each counter from ``start`` to ``end``; a counter never written is 0."""
    rows = (
        DailyCounter.objects.filter(name__in=names, day__gte=start, day__lte=end)
        .values("name")
        .annotate(total=Sum("count"))
    )
    totals = {row["name"]: row["total"] for row in rows}
    return {name: totals.get(name, 0) for name in names}
