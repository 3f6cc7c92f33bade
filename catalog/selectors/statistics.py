"""Shop statistics for the admin menu: a handful of aggregate queries, cached for a minute.

Every number comes from an SQL aggregate (``COUNT``, ``SUM`` with filters,
``GROUP BY`` with a limit), never from a Python loop over a table, so the
screen costs the same whether the shop has ten customers or a million.

Periods are calendar days in the shop's time zone (``settings.TIME_ZONE``):
"today" starts at local midnight, "7 days" is today and the six days before
it, "30 days" today and the 29 before. ``Period`` is the one definition of
such days: the staff dashboard (``monitoring``) draws its charts over the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.timezone import get_default_timezone, localdate, now

from accounts.actors import Actor
from accounts.models import Customer
from accounts.services import requires
from catalog.models import Product, Purchase, StockUnit
from payments.models import Payment, ReferralReward
from payments.money import ZERO, money_field

CACHE_KEY = "shop-statistics"
CACHE_SECONDS = 60
TOP_PRODUCTS = 5
PERIOD_DAYS = {"today": 1, "week": 7, "month": 30}
PERIODS = (*PERIOD_DAYS, "total")


@dataclass(frozen=True)
class PeriodFigures:
    """A number for today, the last 7 days, the last 30 days and all time."""

    today: Decimal | int
    week: Decimal | int
    month: Decimal | int
    total: Decimal | int


@dataclass(frozen=True)
class Line:
    """One row of a ranking: a label, how many, how much."""

    label: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Statistics:
    users: PeriodFigures  # total, and new in each period
    buyers: int
    sales: PeriodFigures
    revenue: PeriodFigures
    top_products: list[Line]
    payments_by_method: list[Line]
    balances_outstanding: Decimal
    stock_left: int
    unlimited_products: int
    referral_rewards: Line
    computed_at: datetime


@dataclass(frozen=True)
class Period:
    """Calendar days in the shop's time zone (``TIME_ZONE``), both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=get_default_timezone())

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=get_default_timezone())


def last_days(*, days: int, today: date | None = None) -> Period:
    """Return the period of the last ``days`` days, today (the shop's, by default) included."""
    today = today or localdate(timezone=get_default_timezone())
    return Period(start=today - timedelta(days=days - 1), end=today)


def period_starts(at: datetime) -> dict[str, datetime]:
    """Return when today, the last 7 days and the last 30 days began, as of ``at``."""
    today = localdate(at, timezone=get_default_timezone())
    return {name: last_days(days=days, today=today).since for name, days in PERIOD_DAYS.items()}


def counted(field: str, starts: dict[str, datetime]) -> dict[str, Count]:
    """Return ``COUNT(field)`` over rows created in each period, and over all rows."""
    periods = {name: Count(field, filter=Q(created__gte=start)) for name, start in starts.items()}
    return {**periods, "total": Count(field)}


def summed(field: str, starts: dict[str, datetime]) -> dict[str, Coalesce]:
    """Return ``SUM(field)`` (zero for no rows) over each period, and over all rows."""
    periods = {name: Sum(field, filter=Q(created__gte=start)) for name, start in starts.items()}
    sums = {**periods, "total": Sum(field)}
    return {name: Coalesce(total, ZERO, output_field=money_field()) for name, total in sums.items()}


def prefixed(prefix: str, expressions: dict[str, object]) -> dict[str, object]:
    return {f"{prefix}_{name}": expression for name, expression in expressions.items()}


def figures(row: dict[str, object], prefix: str) -> PeriodFigures:
    return PeriodFigures(**{name: row[f"{prefix}_{name}"] for name in PERIODS})  # type: ignore[arg-type]


def compute_statistics(*, at: datetime | None = None) -> Statistics:
    """Return the shop's statistics at ``at`` (now by default). Eight aggregate queries."""
    at = at or now()
    starts = period_starts(at)
    users = Customer.objects.aggregate(**prefixed("users", counted("id", starts)))
    purchases = Purchase.objects.aggregate(
        **prefixed("sales", counted("id", starts)),
        **prefixed("revenue", summed("price", starts)),
        buyers=Count("buyer", distinct=True),
    )
    top = (
        Purchase.objects.values("product_name")
        .annotate(count=Count("id"), amount=Sum("price"))
        .order_by("-count", "-amount", "product_name")[:TOP_PRODUCTS]
    )
    methods = (
        Payment.objects.filter(status=Payment.Status.PAID)
        .values("provider")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "provider")
    )
    rewards = ReferralReward.objects.aggregate(
        count=Count("id"), amount=Coalesce(Sum("amount"), ZERO, output_field=money_field())
    )
    return Statistics(
        users=figures(users, "users"),
        buyers=purchases["buyers"],
        sales=figures(purchases, "sales"),
        revenue=figures(purchases, "revenue"),
        top_products=[Line(row["product_name"], row["count"], row["amount"]) for row in top],
        payments_by_method=[Line(row["provider"], row["count"], row["amount"]) for row in methods],
        balances_outstanding=Customer.objects.aggregate(
            total=Coalesce(Sum("balance"), ZERO, output_field=money_field())
        )["total"],
        stock_left=StockUnit.objects.filter(sold_at__isnull=True, product__is_unlimited=False).count(),
        unlimited_products=Product.objects.filter(is_unlimited=True, is_active=True).count(),
        referral_rewards=Line("", rewards["count"], rewards["amount"]),
        computed_at=at,
    )


@requires("view_statistics")
def get_statistics(*, actor: Actor) -> Statistics:
    """Return the shop's statistics, computed at most once a minute for everyone."""
    statistics = cache.get(CACHE_KEY)
    if statistics is None:
        statistics = compute_statistics()
        cache.set(CACHE_KEY, statistics, CACHE_SECONDS)
    return statistics
