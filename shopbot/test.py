"""The shared test cast and helpers, used by every app's tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test import TestCase

from accounts.models import Customer
from accounts.roles import ADMIN_ROLE, ensure_builtin_roles
from catalog.models import Category, Product, PromoCode, StockUnit
from payments.models import LedgerEntry
from payments.services import change_balance

OWNER_ID = 9000


def make_customer(telegram_id: int, *, username: str = "", balance: str = "0", **fields: object) -> Customer:
    """Create a customer; a balance is given through the ledger, as in production."""
    customer = Customer.objects.create(telegram_id=telegram_id, username=username, **fields)
    if Decimal(balance) > 0:
        give_money(customer, balance)
    return customer


def give_money(customer: Customer, amount: str) -> None:
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        change_balance(
            customer=locked, amount=Decimal(amount), kind=LedgerEntry.Kind.ADMIN_CREDIT, reason="test"
        )
    customer.refresh_from_db()


def make_product(
    category: Category, name: str, price: str, *, units: list[str] = (), **fields: object
) -> Product:
    product = Product.objects.create(category=category, name=name, price=Decimal(price), **fields)
    StockUnit.objects.bulk_create(StockUnit(product=product, value=value) for value in units)
    return product


def make_promo(
    code: str, kind: str = PromoCode.Kind.PERCENT, value: str = "10", **fields: object
) -> PromoCode:
    """Create a promo code as an admin would have saved it (upper-case)."""
    return PromoCode.objects.create(code=code.upper(), kind=kind, value=Decimal(value), **fields)


def row_counts(*models: type) -> dict[str, int]:
    """Return the number of rows of each model, to show that a refusal wrote nothing."""
    return {model.__name__: model.objects.count() for model in models}


def make_staff(
    username: str, *, superuser: bool = False, roles: Iterable[str] = (), permissions: Iterable[str] = ()
) -> Any:
    """Create a web admin login: a superuser, or staff with roles (groups) and "app.codename" permissions."""
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username=username, password="secret-pass-123")
    user = User.objects.create_user(username=username, password="secret-pass-123", is_staff=True)
    user.groups.set(Group.objects.filter(name__in=list(roles)))
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def ledger_matches_balance(customer: Customer) -> bool:
    """Return whether the customer's ledger sums to their balance (the money invariant)."""
    customer.refresh_from_db()
    total = sum((entry.amount for entry in customer.ledger.all()), Decimal("0"))
    return total == customer.balance


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def race(threads: int, target: Callable[[], object]) -> list[object]:
    """Run ``target`` in threads released together, each on its own connection.

    Returns each thread's result or the exception it raised. Each thread
    closes its connection, or PostgreSQL refuses to drop the test database.
    """
    barrier = threading.Barrier(threads)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def in_another_thread(work: Callable[[], object]) -> None:
    """Run ``work`` on its own connection and let it commit before returning (a write "meanwhile")."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()


class ShopCast:
    """Build the cast of characters every test can rely on."""

    @classmethod
    def build_cast(cls) -> None:
        ensure_builtin_roles()
        # Olga owns the shop (OWNER_ID): she may do everything, always.
        cls.owner = make_customer(OWNER_ID, username="olga", first_name="Olga")
        # Adam is an admin with the built-in Admin role (everything but roles).
        cls.admin = make_customer(
            2001, username="adam", first_name="Adam", role=Group.objects.get(name=ADMIN_ROLE)
        )
        # Alice is a regular customer with money on her balance.
        cls.alice = make_customer(1001, username="alice", first_name="Alice", balance="50.00")
        # Bob has an empty balance: his purchases must be refused.
        cls.bob = make_customer(1002, username="bob", first_name="Bob")
        # Games is the demo category: a stock-based key with two units, and an unlimited gift.
        cls.games = Category.objects.create(name="Games", position=1)
        cls.key = make_product(
            cls.games, "Game key", "9.99", units=["AAA-111", "BBB-222"], description="A key"
        )
        cls.gift = make_product(
            cls.games, "Gift link", "5.00", is_unlimited=True, unlimited_value="https://example.com/gift"
        )


class ShopTestCase(ShopCast, TestCase):
    """A TestCase with the cast built once per class."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.build_cast()


class MoneyTestCase(ShopTestCase):
    """A ShopTestCase that checks ``sum(ledger) == balance`` for every customer after each test."""

    def tearDown(self) -> None:
        drifted = [customer for customer in Customer.objects.all() if not ledger_matches_balance(customer)]
        self.assertEqual(drifted, [], "these balances no longer match their ledgers")
        super().tearDown()
