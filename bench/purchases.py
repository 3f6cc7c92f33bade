"""Purchase contention: threads racing for one hot product, through the services and as raw SQL.

Both sides run the same transaction (lock the buyer, take the oldest unsold
unit with its product and category with SKIP LOCKED, mark it sold, debit the
balance, write the ledger row and the purchase) against the same database in the same
run, in alternating rounds, so the ratio says what the ORM and the service
layer's checks cost. Then 200 customers press Pay at once through runbot.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from decimal import Decimal

import psycopg
from django.conf import settings
from django.db import connection, connections

from bench import data
from bench.fake import Customer
from catalog.models import Category, Product, Purchase, StockUnit
from catalog.services import purchase_product

HOT_UNITS = 100_000
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def make_hot_product(units: int = HOT_UNITS) -> Product:
    """A product in its own category with ``units`` unsold units, added with COPY."""
    category, _ = Category.objects.get_or_create(name="Drop", defaults={"position": -1})
    product = Product.objects.create(
        category=category, name=f"Hot key {time.time_ns()}", price=Decimal("1.00")
    )
    data.copy_rows(
        StockUnit, (StockUnit(product=product, value=f"HOT-{product.pk}-{n}") for n in range(units))
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_stockunit")
    return product


def race(threads: int, seconds: float, buy: callable) -> int:  # type: ignore[valid-type]
    """Run ``buy(index)`` in a loop on ``threads`` threads for ``seconds``; return how many succeeded."""
    bought = [0] * threads
    deadline = time.perf_counter() + seconds
    start = threading.Barrier(threads)

    def worker(index: int) -> None:
        try:
            start.wait()
            while time.perf_counter() < deadline:
                buy(index)
                bought[index] += 1
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(index,)) for index in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(bought)


def conninfo() -> str:
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
    )


class RawBuyer:
    """The purchase transaction written by hand with psycopg: one connection per thread."""

    def __init__(self, threads: int) -> None:
        self.connections = [psycopg.connect(conninfo()) for _ in range(threads)]

    def buy(self, index: int, telegram_id: int, product_id: int) -> None:
        conn = self.connections[index]
        with conn.transaction():
            customer_id, balance, blocked = conn.execute(
                "SELECT id, balance, is_blocked FROM accounts_customer WHERE telegram_id = %s FOR UPDATE",
                [telegram_id],
            ).fetchone()
            unit_id, value, name, price, category = conn.execute(
                "SELECT u.id, u.value, p.name, p.price, c.name FROM catalog_stockunit u"
                " JOIN catalog_product p ON p.id = u.product_id JOIN catalog_category c ON c.id = p.category_id"
                " WHERE u.product_id = %s AND u.sold_at IS NULL AND p.is_active AND c.is_active"
                " ORDER BY u.created, u.id LIMIT 1 FOR UPDATE OF u SKIP LOCKED",
                [product_id],
            ).fetchone()
            if blocked or balance < price:
                raise RuntimeError("the raw buyer cannot pay")
            conn.execute("UPDATE catalog_stockunit SET sold_at = now() WHERE id = %s", [unit_id])
            conn.execute(
                "UPDATE accounts_customer SET balance = %s WHERE id = %s", [balance - price, customer_id]
            )
            order = "".join(secrets.choice(ALPHABET) for _ in range(12))
            conn.execute(
                "INSERT INTO payments_ledgerentry (customer_id, kind, amount, balance_after, reference, reason, created)"
                " VALUES (%s, 'purchase', %s, %s, %s, %s, now())",
                [customer_id, -price, balance - price, order, name],
            )
            conn.execute(
                "INSERT INTO catalog_purchase (buyer_id, product_id, product_name, category_name, list_price, price,"
                " value, order_number, refunded_amount, created) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0, now())",
                [customer_id, product_id, name, category, price, price, value, order],
            )

    def close(self) -> None:
        for conn in self.connections:
            conn.close()


def contention_rounds(*, threads: int, seconds: float, runs: int) -> tuple[list[float], list[float], int]:
    """Alternate service and raw rounds; return purchases per second of each, and units sold twice."""
    product = make_hot_product()
    buyers = data.customer_ids(threads, offset=100)
    data.fund(buyers, Decimal("1000000"))
    raw = RawBuyer(threads)
    service_rates, raw_rates = [], []
    try:
        for _ in range(runs):
            count = race(
                threads, seconds, lambda i: purchase_product(telegram_id=buyers[i], product_id=product.pk)
            )
            service_rates.append(count / seconds)
            count = race(threads, seconds, lambda i: raw.buy(i, buyers[i], product.pk))
            raw_rates.append(count / seconds)
            print(
                f"  round {len(raw_rates)}: service {service_rates[-1]:.0f}/s, raw SQL {raw_rates[-1]:.0f}/s"
            )
    finally:
        raw.close()
    sold = StockUnit.objects.filter(product=product, sold_at__isnull=False).count()
    purchases = Purchase.objects.filter(product=product).count()
    return service_rates, raw_rates, purchases - sold


async def press_pay_at_once(customers: list[Customer], product_id: int) -> tuple[list[float], float]:
    """Every customer opens the card and the confirmation, then all press Pay at once."""
    await asyncio.gather(*(customer.press(f"prod:{product_id}:1") for customer in customers))
    await asyncio.gather(*(customer.press(customer.choose("buy")) for customer in customers))
    started = time.perf_counter()
    latencies = await asyncio.gather(*(customer.press(customer.choose("buyok")) for customer in customers))
    return list(latencies), time.perf_counter() - started
