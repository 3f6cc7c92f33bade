"""Reads behind the staff dashboard: bounded aggregates, grouped by day in TIME_ZONE.

Each selector runs one or two aggregate queries whatever the size of the
tables; nothing iterates over purchases, customers or payments in Python.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncDate
from django.utils.timezone import get_default_timezone

from accounts.models import Customer
from catalog.models import Purchase
from catalog.selectors.statistics import Period
from monitoring import errors
from monitoring.counters import list_daily_counts
from payments.models import Payment
from payments.money import quantize

ZERO = Decimal("0.00")


def by_local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=get_default_timezone())


def list_sales_per_day(*, period: Period) -> dict[date, tuple[int, Decimal]]:
    """Return units sold and revenue per day of ``period``; days without sales are absent."""
    rows = (
        Purchase.objects.filter(created__gte=period.since, created__lt=period.until)
        .annotate(day=by_local_day("created"))
        .values("day")
        .annotate(units=Count("id"), revenue=Sum("price"))
    )
    return {row["day"]: (row["units"], quantize(row["revenue"] or ZERO)) for row in rows}


def list_new_customers_per_day(*, period: Period) -> dict[date, int]:
    """Return how many customers first came to the shop on each day of ``period``."""
    rows = (
        Customer.objects.filter(created__gte=period.since, created__lt=period.until)
        .annotate(day=by_local_day("created"))
        .values("day")
        .annotate(count=Count("id"))
    )
    return {row["day"]: row["count"] for row in rows}


def list_payments_by_method(*, period: Period) -> list[dict[str, Any]]:
    """Return payments created in ``period`` grouped by provider and status, with counts and sums."""
    providers = dict(Payment.Provider.choices)
    statuses = dict(Payment.Status.choices)
    rows = (
        Payment.objects.filter(created__gte=period.since, created__lt=period.until)
        .values("provider", "status")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("provider", "status")
    )
    return [
        {
            "provider": providers.get(row["provider"], row["provider"]),
            "status": statuses.get(row["status"], row["status"]),
            "is_paid": row["status"] == Payment.Status.PAID,
            "count": row["count"],
            "amount": quantize(row["amount"] or ZERO),
        }
        for row in rows
    ]


def get_pending_payments(*, limit: int = 10) -> dict[str, Any]:
    """Return the number, sum and oldest of pending payments, and the ``limit`` oldest ones."""
    pending = Payment.objects.filter(status=Payment.Status.PENDING)
    summary = pending.aggregate(count=Count("id"), amount=Sum("amount"), oldest=Min("created"))
    oldest = list(pending.select_related("customer").order_by("created", "id")[:limit])
    return {**summary, "amount": quantize(summary["amount"] or ZERO), "oldest_payments": oldest}


def list_errors_per_day(*, period: Period) -> dict[date, int]:
    """Return how many unexpected bot errors were recorded on each day of ``period``."""
    counts = list_daily_counts(names=[errors.COUNTER], start=period.start, end=period.end)
    return {day: count for (day, _), count in counts.items()}
