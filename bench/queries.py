"""Queries per update: every customer and admin screen, cold (empty cache) and warm.

The real Application runs in this process over the in-process fake Bot API
(the test suite's driver), so every query and cache call of an update is
counted, whichever thread makes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asgiref.sync import async_to_sync
from django.core.cache import cache

from bench import data
from bench.counting import Cost, count_costs
from catalog.models import Category, Product, Purchase
from telegrambot.testing.driver import ChatUser, Shop


@dataclass
class Measured:
    screen: str
    cold: Cost | None
    warm: Cost | None
    note: str = ""


@dataclass(frozen=True)
class Ids:
    category: int
    product: int
    purchase: int
    customer: int


def customer_screens(ids: Ids) -> list[tuple[str, str]]:
    """(screen, callback data or text) for what a customer sees."""
    return [
        ("start (/start)", "/start"),
        ("main menu", "menu"),
        ("shop (categories)", "shop"),
        ("category (products)", f"cat:{ids.category}:1"),
        ("product card", f"prod:{ids.product}:1"),
        ("reviews", f"revs:{ids.product}:1"),
        ("buy: confirmation", f"buy:{ids.product}"),
        ("add to cart", f"ca:{ids.product}"),
        ("cart", "cart"),
        ("profile", "prof"),
        ("purchase history", "purs:1"),
        ("one purchase", f"pur:{ids.purchase}:1"),
        ("balance operations", "ops:1"),
        ("referrals", "refs"),
        ("top up", "topup"),
        ("language", "lang"),
    ]


def staff_screens(ids: Ids) -> list[tuple[str, str]]:
    return [
        ("admin menu", "adm"),
        ("admin: categories", "admcs:1"),
        ("admin: category", f"admc:{ids.category}:1"),
        ("admin: product", f"admp:{ids.product}"),
        ("admin: stock", "admsk:1"),
        ("admin: stock of a category", f"admskc:{ids.category}:1"),
        ("admin: stock of a product", f"admskp:{ids.product}"),
        ("admin: units", f"admsku:{ids.product}:1"),
        ("admin: order lookup", "admo"),
        ("admin: a user", f"admuv:{ids.customer}"),
        ("admin: roles", "admr"),
        ("admin: promo codes", "admprl:1"),
        ("admin: broadcast", "admbrd"),
        ("admin: statistics", "admsts"),
        ("admin: audit log", "admaud"),
        ("admin: maintenance", "admmnt"),
    ]


async def act(user: ChatUser, action: str) -> bool:
    """Send ``action`` (text when it starts with "/", else a press); return whether it went well."""
    errors = len(user.shop.errors)
    if action.startswith("/"):
        await user.send(action, strict=False)
    else:
        await user.press_data(action, strict=False)
    return len(user.shop.errors) == errors


async def measure(
    user: ChatUser, screen: str, action: str, before: Callable[[], Awaitable[Any]] | None = None
) -> Measured:
    costs: list[Cost | None] = []
    note = ""
    # Cold, then once more for the reads on the event loop to learn their keys, then warm.
    for phase in ("cold", "learning", "warm"):
        if before is not None:
            await before()
        if phase == "cold":
            cache.clear()
        with count_costs() as cost:
            ok = await act(user, action)
        if phase != "learning":
            costs.append(cost if ok else None)
        if not ok:
            note = repr(user.shop.errors[-1])[:80]
    return Measured(screen, costs[0], costs[1], note)


def prepare() -> tuple[Ids, int]:
    customer_id = data.customer_ids(1, offset=10)[0]
    data.fund([customer_id], Decimal("100000"))
    category = Category.objects.filter(is_active=True).order_by("position", "name", "id").first()
    product = (
        Product.objects.filter(category=category, is_active=True).order_by("position", "name", "id").first()
    )
    assert category is not None and product is not None, "seed the catalog first"
    if not Purchase.objects.filter(buyer__telegram_id=customer_id).exists():
        from catalog.services import purchase_product

        purchase_product(telegram_id=customer_id, product_id=product.pk)
    purchase = Purchase.objects.filter(buyer__telegram_id=customer_id).order_by("id").first()
    assert purchase is not None
    return Ids(category.pk, product.pk, purchase.pk, customer_id), customer_id


async def scenario(ids: Ids, customer_id: int, owner_id: int) -> list[Measured]:
    shop = Shop()
    await shop.start()
    results = []
    try:
        alice = await shop.user(customer_id)
        await alice.send("/start")
        for screen, action in customer_screens(ids):
            results.append(await measure(alice, screen, action))

        async def to_confirmation() -> None:
            await alice.press_data(f"buy:{ids.product}", strict=False)

        await to_confirmation()
        confirm = next((item for item in alice.keyboard_data() if item.startswith("buyok:")), None)
        if confirm is not None:
            results.append(
                await measure(alice, "purchase (pay from balance)", confirm, before=to_confirmation)
            )
        owner = await shop.user(owner_id)
        await owner.send("/start")
        for screen, action in staff_screens(ids):
            results.append(await measure(owner, screen, action))
    finally:
        await shop.stop()
    return results


def run_queries(owner_id: int) -> list[Measured]:
    """Prepare the data and run every screen; call from a thread with no event loop."""
    ids, customer_id = prepare()
    return async_to_sync(scenario)(ids, customer_id, owner_id)
