"""A warm screen costs one round trip to the cache, the gate's, and never a stale value.

Counts, not timings: the gate's round trip fetches the customer's dialog
state with the admission (kept for the update) and the keys the last update
with the same button or command read next, and a read fetches the keys it
asked for last time with the same arguments in its first round trip.
What an update fetched is forgotten once it goes to the ORM thread, and
nothing is carried from one update to the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import override_settings

from catalog.cache import cart_count_key
from shopbot import warmcache
from telegrambot import adapter, callbacks
from telegrambot.tests.helpers import BotTestCase
from telegrambot.tests.test_warm_reads import LOCMEM

# Round trips of a warm screen: the gate's, which brings the screen's page (with its stock
# counts) or the menu's cart count too.
ROUND_TRIPS = {"/start": 1, "shop": 1, "category": 1, "product": 1}


@contextmanager
def counting_round_trips() -> Iterator[list[list[str]]]:
    """The keys of every round trip the event loop makes to the cache, in order."""
    trips: list[list[str]] = []
    real = warmcache.aget_many

    async def aget_many(keys: list[str]) -> dict[str, object]:
        trips.append(list(keys))
        return await real(keys)

    with mock.patch.object(warmcache, "aget_many", aget_many):
        yield trips


def two_step_read(first: str) -> object:
    """A read whose second key is named by its first one's value (as a versioned page is)."""
    second = warmcache.get(first)
    return second, warmcache.get(f"page:{second}")


class WarmRoundTripTests(BotTestCase):
    def setUp(self) -> None:
        super().setUp()
        adapter.forget_learned_keys()

    async def test_each_warm_screen_takes_only_the_gates_round_trip(self) -> None:
        shop, alice = await self.start_chat(self.alice.telegram_id)
        screens = {
            "/start": "/start",
            "shop": callbacks.SHOP.build(),
            "category": callbacks.CATEGORY.build(self.games.pk, 1),
            "product": callbacks.PRODUCT.build(self.key.pk, 1),
        }
        for name, action in screens.items():
            with self.subTest(screen=name):
                for _visit in range(3):  # the first builds the pages, the second learns their keys
                    with counting_round_trips() as trips:
                        if action.startswith("/"):
                            await alice.send(action)
                        else:
                            await alice.press_data(action)
                self.assertEqual(len(trips), ROUND_TRIPS[name], trips)
                self.assertIn(f"dialog:none:{self.alice.telegram_id}", trips[0])
                self.assertIn(
                    "catalog:cart-count" if name == "/start" else "catalog:version", " ".join(trips[0])
                )

    async def test_a_read_fetches_what_it_asked_for_last_time_in_one_round_trip(self) -> None:
        await sync_to_async(cache.set_many)({"version": "v7", "page:v7": "seven"})
        with counting_round_trips() as cold:
            self.assertEqual(await adapter.read(two_step_read, "version"), ("v7", "seven"))
        with counting_round_trips() as warm:
            self.assertEqual(await adapter.read(two_step_read, "version"), ("v7", "seven"))

        self.assertEqual(cold, [["version"], ["page:v7"]])
        self.assertEqual(len(warm), 1)
        self.assertCountEqual(warm[0], ["version", "page:v7"])

    async def test_a_learned_key_that_moved_is_fetched_anew(self) -> None:
        await sync_to_async(cache.set_many)({"version": "v7", "page:v7": "seven", "page:v8": "eight"})
        await adapter.read(two_step_read, "version")
        await sync_to_async(cache.set)("version", "v8")

        with counting_round_trips() as trips:
            self.assertEqual(await adapter.read(two_step_read, "version"), ("v8", "eight"))

        self.assertEqual(trips[1:], [["page:v8"]])

    async def test_an_update_keeps_what_it_fetched_until_it_goes_to_the_orm_thread(self) -> None:
        await sync_to_async(cache.set)("flag", "before")
        with warmcache.UpdateScope():
            self.assertEqual(await adapter.read(warmcache.get, "flag"), "before")
            await sync_to_async(cache.set)("flag", "meanwhile")  # not this update's doing
            with counting_round_trips() as kept:
                self.assertEqual(await adapter.read(warmcache.get, "flag"), "before")
            await adapter.call(cache.set, "flag", "after")  # the update's own write, on the ORM side
            with counting_round_trips() as fresh:
                self.assertEqual(await adapter.read(warmcache.get, "flag"), "after")

        self.assertEqual(kept, [])
        self.assertEqual(fresh, [["flag"]])

    async def test_nothing_is_carried_from_one_update_to_the_next(self) -> None:
        await sync_to_async(cache.set)("flag", "first")
        with warmcache.UpdateScope():
            self.assertEqual(await adapter.read(warmcache.get, "flag"), "first")
        await sync_to_async(cache.set)("flag", "second")

        with warmcache.UpdateScope():
            self.assertEqual(await adapter.read(warmcache.get, "flag"), "second")
        self.assertEqual(await adapter.read(warmcache.get, "flag"), "second")  # outside any update


@contextmanager
def counting_counts() -> Iterator[list[list[str]]]:
    """The keys read with every rate-limit count the event loop makes (one round trip each)."""
    counts: list[list[str]] = []
    real = warmcache.acount

    async def acount(key: str, timeout: int, *, also: list[str] | None = None) -> int:
        counts.append(list(also or []))
        return await real(key, timeout, also=also)

    with mock.patch.object(warmcache, "acount", acount):
        yield counts


class RateLimitedRoundTripTests(BotTestCase):
    @override_settings(RATE_LIMITS=True, RATE_LIMIT_GLOBAL="1000/m")
    async def test_the_gate_counts_the_update_and_reads_the_customer_in_one_round_trip(self) -> None:
        async def check() -> None:
            adapter.forget_learned_keys()
            shop, alice = await self.start_chat(self.alice.telegram_id)
            for _visit in range(2):
                with counting_counts() as counts, counting_round_trips() as trips:
                    await alice.send("/start")

            self.assertEqual(len(counts), 1)
            self.assertIn(f"customer:{self.alice.telegram_id}", counts[0])
            self.assertIn(cart_count_key(self.alice.pk), counts[0])  # the menu's, learned for /start
            self.assertEqual(trips, [])  # nothing else to fetch: the count brought it all
            self.assertIn("Hello", alice.screen.text)

        with self.subTest(cache="redis"):
            await check()
        with override_settings(CACHES=LOCMEM), self.subTest(cache="locmem"):
            try:
                await check()
            finally:
                await sync_to_async(cache.clear)()
