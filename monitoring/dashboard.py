"""What the staff dashboard shows, gathered from the selectors and drawn as SVG."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.safestring import mark_safe

from catalog.selectors import list_low_stock
from catalog.selectors.statistics import last_days
from monitoring import charts, errors, funnel, selectors
from monitoring.health import bot_status
from monitoring.stream import stream_status


def build_dashboard(*, days: int = 30, today: date | None = None) -> dict[str, Any]:
    """Return the dashboard's figures and charts for the last ``days`` days."""
    period = last_days(days=days, today=today)
    sales = selectors.list_sales_per_day(period=period)
    units = charts.fill_days(
        values={day: units for day, (units, _) in sales.items()}, start=period.start, days=period.days, zero=0
    )
    revenue = charts.fill_days(
        values={day: revenue for day, (_, revenue) in sales.items()},
        start=period.start,
        days=period.days,
        zero=selectors.ZERO,
    )
    customers = charts.fill_days(
        values=selectors.list_new_customers_per_day(period=period),
        start=period.start,
        days=period.days,
        zero=0,
    )
    errors_per_day = charts.fill_days(
        values=selectors.list_errors_per_day(period=period), start=period.start, days=period.days, zero=0
    )
    steps = funnel.funnel_totals(start=period.start, end=period.end)
    payments = selectors.list_payments_by_method(period=period)
    return {
        "period": period,
        "currency": settings.PAY_CURRENCY,
        "totals": {
            "units": sum(value for _, value in units),
            "revenue": sum((value for _, value in revenue), Decimal("0.00")),
            "customers": sum(value for _, value in customers),
            "errors": sum(value for _, value in errors_per_day),
        },
        "sales_chart": svg(charts.day_bars(values=units, label="Units sold per day")),
        "revenue_chart": svg(
            charts.day_bars(values=revenue, label=f"Revenue per day, {settings.PAY_CURRENCY}")
        ),
        "customers_chart": svg(charts.day_bars(values=customers, label="New customers per day")),
        "errors_chart": svg(
            charts.day_bars(values=errors_per_day, label="Bot errors per day", color="#ba2121")
        ),
        "funnel_chart": svg(charts.horizontal_bars(rows=funnel_rows(steps), label="Funnel, events")),
        "funnel": steps,
        "conversion": conversion(steps),
        "payments": payments,
        "payments_chart": svg(charts.horizontal_bars(rows=paid_by_method(payments), label="Paid, by method")),
        "pending": selectors.get_pending_payments(),
        "low_stock": list_low_stock(),
        "latest_errors": errors.list_latest_errors(),
        "bot": bot_status(),
        "stream": stream_status(),
    }


def funnel_rows(steps: dict[str, int]) -> list[tuple[str, int]]:
    return [(step.replace("_", " ").capitalize(), count) for step, count in steps.items()]


def conversion(steps: dict[str, int]) -> str:
    """Return the share of shop openings that ended in a purchase, as a percentage text."""
    opened = steps[funnel.SHOP_OPENED]
    if not opened:
        return "–"
    return f"{100 * steps[funnel.PURCHASED] / opened:.1f} %"


def paid_by_method(payments: list[dict[str, Any]]) -> list[tuple[str, Decimal]]:
    totals: dict[str, Decimal] = {}
    for row in payments:
        if row["is_paid"]:
            totals[row["provider"]] = totals.get(row["provider"], Decimal("0.00")) + row["amount"]
    return sorted(totals.items(), key=lambda item: -item[1])


def svg(markup: str) -> str:
    # charts.py escapes every label it draws, so its markup is safe to embed.
    return mark_safe(markup)
