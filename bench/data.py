"""The benchmark's database: created and migrated once, then filled fast with COPY at each scale."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, models, transaction

from accounts.models import Customer
from catalog.models import Category, Product, StockUnit
from payments.models import LedgerEntry
from payments.services import change_balance

FIRST_ID = 1_000_001  # Telegram ids of the generated customers start here


@dataclass(frozen=True)
class Scale:
    """How much data a run has: 1× is a small shop."""

    factor: int

    @property
    def customers(self) -> int:
        return 1_000 * self.factor

    @property
    def categories(self) -> int:
        return 20 * self.factor

    @property
    def products_per_category(self) -> int:
        return 25

    @property
    def units_per_product(self) -> int:
        return 10

    @property
    def products(self) -> int:
        return self.categories * self.products_per_category

    def describe(self) -> str:
        return f"{self.factor}×: {self.customers:,} customers, {self.products:,} products, {self.products * self.units_per_product:,} units"


def ensure_database() -> None:
    """Create the database named in DATABASE_URL if it is missing, and migrate it."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("make bench needs PostgreSQL: run it through scripts/with-test-services")
    conninfo = psycopg.conninfo.make_conninfo(
        dbname="postgres",
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
    )
    with psycopg.connect(conninfo, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0, interactive=False)


def copy_rows(model: type[models.Model], objects: Iterable[models.Model]) -> None:
    """Insert ``objects`` with COPY (ids from the sequence): far faster than INSERT for 10⁵ rows."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row(
                [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
            )


def wipe() -> None:
    tables = [model._meta.db_table for model in (Customer, Category)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    cache.clear()


def seed(scale: Scale) -> float:
    """Replace the shop's customers and catalog with generated ones; return the seconds it took."""
    started = time.perf_counter()
    wipe()
    copy_rows(
        Customer,
        (
            Customer(
                telegram_id=FIRST_ID + n, first_name=f"Bench {n}", referral_code=f"b{n}", username=f"bench{n}"
            )
            for n in range(scale.customers)
        ),
    )
    copy_rows(Category, (Category(name=f"Category {n:05d}", position=n) for n in range(scale.categories)))
    category_ids = list(Category.objects.order_by("id").values_list("id", flat=True))
    copy_rows(
        Product,
        (
            Product(
                category_id=category_id,
                name=f"Product {category_id}-{n}",
                description="A licence key for one year. " * 4,
                price=Decimal(100 + n),
                position=n,
            )
            for category_id in category_ids
            for n in range(scale.products_per_category)
        ),
    )
    product_ids = list(Product.objects.order_by("id").values_list("id", flat=True))
    copy_rows(
        StockUnit,
        (
            StockUnit(product_id=product_id, value=f"KEY-{product_id}-{n}")
            for product_id in product_ids
            for n in range(scale.units_per_product)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def customer_ids(count: int, *, offset: int = 0) -> list[int]:
    """Telegram ids of ``count`` generated customers."""
    return [FIRST_ID + offset + n for n in range(count)]


def fund(telegram_ids: list[int], amount: Decimal) -> None:
    """Give customers money through the ledger, as an admin credit would."""
    for telegram_id in telegram_ids:
        with transaction.atomic():
            customer = Customer.objects.select_for_update().get(telegram_id=telegram_id)
            change_balance(
                customer=customer, amount=amount, kind=LedgerEntry.Kind.ADMIN_CREDIT, reason="bench"
            )
