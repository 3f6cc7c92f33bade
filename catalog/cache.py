"""The catalog as customers see it, kept in the shared cache.

What is cached, and until when:

- category pages, product pages and product cards (without their stock):
  five minutes, and dropped at once by any change to a category, a product
  or a review. Every such entry is kept with the catalog's version it was
  built under, and a change bumps the version, so one cache call forgets all
  of them in every worker; an entry and the version are read together, in
  one round trip;
- a product's stock (how many unsold units): one minute, and dropped by
  every sale and every change to its stock;
- how many units a customer's cart holds (the menu's badge): five minutes,
  and dropped by every change to the customer's cart lines.

Each change forgets the entries at once (so this worker reads what it just
wrote) and again when the transaction commits (so an entry another worker
built from the old rows in between does not survive). Purchases, balances,
stock decisions and payments never read from here: only screens do.

Reads go through ``shopbot.warmcache``, so the bot can answer a warm screen on
its event loop (``telegrambot.adapter.read``); whatever builds an entry or
writes one says so first (``needs_orm``), and such a read moves to the ORM thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

from shopbot import warmcache

CATALOG_SECONDS = 5 * 60
STOCK_SECONDS = 60
CART_COUNT_SECONDS = 5 * 60
VERSION_KEY = "catalog:version"

T = TypeVar("T")


def catalog_version() -> int:
    version = warmcache.get(VERSION_KEY)
    if version is None:
        warmcache.needs_orm()
        # A new start value, so entries of a version from before a cache restart are never reused.
        cache.add(VERSION_KEY, time.time_ns() // 1000, None)
        version = cache.get(VERSION_KEY) or 0
    return int(version)


def cached(name: str, *parts: object, build: Callable[[], T]) -> T:
    """Return the catalog entry ``name`` for ``parts``, building and keeping it when missing."""
    return cached_with(name, *parts, build=build)[0]


def cached_with(
    name: str, *parts: object, build: Callable[[], T], also: Iterable[str] = ()
) -> tuple[T, dict[str, Any]]:
    """Return the entry like ``cached``, and the values of the keys ``also`` found in the cache.

    The version, the entry and the other keys are read in one round trip: an
    entry is kept with the version it was built under, and one built under an
    older version is built again.
    """
    key = ":".join(["catalog", name, *map(str, parts)])
    extra = list(also)
    found = warmcache.get_many([VERSION_KEY, key, *extra])
    version = found.get(VERSION_KEY)
    if version is None:
        version = catalog_version()
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        value = entry[1]
    else:
        warmcache.needs_orm()
        value = build()
        cache.set(key, (version, value), CATALOG_SECONDS)
    return value, {name: found[name] for name in extra if name in found}


def forget_catalog() -> None:
    """Forget every cached page and card, now and when the transaction commits."""
    bump_version()
    transaction.on_commit(bump_version)


def bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: nothing is cached under one either
        pass


# --- stock ---------------------------------------------------------------------------------
def stock_key(product_id: int) -> str:
    return f"catalog:stock:{product_id}"


def get_stock_counts(
    product_ids: Iterable[int],
    count: Callable[[list[int]], dict[int, int]],
    *,
    known: dict[int, int] | None = None,
    found: dict[str, Any] | None = None,
) -> dict[int, int]:
    """Return the number of unsold units per product, counting only those not cached.

    ``known`` are counts just read from the database (with the page or card
    they belong to): they are kept as they are, and cost no cache read.
    ``found`` is what the cache held for these products' stock keys, read
    already (``cached_with``); a key missing from it is counted.
    """
    ids = list(product_ids)
    if known and all(product_id in known for product_id in ids):
        warmcache.needs_orm()  # known counts come with a page or card just built: not warm
        cache.set_many({stock_key(product_id): known[product_id] for product_id in ids}, STOCK_SECONDS)
        return {product_id: known[product_id] for product_id in ids}
    if found is None:
        found = warmcache.get_many([stock_key(product_id) for product_id in ids]) if ids else {}
    counts = {
        product_id: found[stock_key(product_id)] for product_id in ids if stock_key(product_id) in found
    }
    missing = [product_id for product_id in ids if product_id not in counts]
    if missing:
        warmcache.needs_orm()
        fresh = count(missing)
        fresh = {product_id: fresh.get(product_id, 0) for product_id in missing}
        cache.set_many({stock_key(product_id): number for product_id, number in fresh.items()}, STOCK_SECONDS)
        counts.update(fresh)
    return counts


def forget_stock(product_ids: Iterable[int], *, again_on_commit: bool = True) -> None:
    """Forget the cached stock of products whose units were sold, added or deleted.

    A sale forgets only at once (``again_on_commit=False``): a sale's work
    after commit is its metrics, and a count another worker cached in the
    moment before the commit is one unit high for at most ``STOCK_SECONDS``.
    """
    keys = [stock_key(product_id) for product_id in set(product_ids)]
    if not keys:
        return
    cache.delete_many(keys)
    if again_on_commit:
        transaction.on_commit(lambda: cache.delete_many(keys))


# --- cart badge ----------------------------------------------------------------------------------
def cart_count_key(customer_id: int) -> str:
    return f"catalog:cart-count:{customer_id}"


def cached_cart_count(customer_id: int, count: Callable[[], int]) -> int:
    """Return the units in the customer's cart, counting them (``count``) only when not cached."""
    key = cart_count_key(customer_id)
    number = warmcache.get(key)
    if number is None:
        warmcache.needs_orm()
        number = count()
        cache.set(key, number, CART_COUNT_SECONDS)
    return int(number)


def forget_cart_count(customer_id: int) -> None:
    """Forget a customer's cart count, now and when the transaction commits."""
    key = cart_count_key(customer_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


# --- receivers (connected in CatalogConfig.ready) -------------------------------------------------
def on_catalog_change(sender: type, **kwargs: object) -> None:
    forget_catalog()


def on_cart_change(sender: type, instance: Any, **kwargs: object) -> None:
    forget_cart_count(instance.customer_id)


def on_stock_change(sender: type, instance: Any, **kwargs: object) -> None:
    forget_stock([instance.product_id])
