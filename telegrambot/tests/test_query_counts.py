"""What a warm screen costs in SQL queries, pinned: a change that adds a query fails here.

Counts, never timings. "Warm" is the second time the same update arrives:
the catalog cache, the roles cache and the connection are in use, as they
are for a shop that is open. ``make bench`` prints the same counts for every
screen, cold and warm, with the cache round trips.
"""

from __future__ import annotations

from collections.abc import Awaitable

from asgiref.sync import sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from telegrambot import callbacks
from telegrambot.testing.driver import ChatUser
from telegrambot.tests.helpers import BotTestCase

# The gate admits a returning customer from the cache (0); the menu's cart count is cached (0); the
# shop, a category and a card are cached pages, read with the funnel step and any purchase
# draft from the cache (0). The cart reads its lines with their products (1); the units left
# are the cards' cached counts.
WARM_QUERIES = {
    "/start": 0,
    "menu": 0,
    "shop": 0,
    "category": 0,
    "product": 0,
    "cart": 1,
    "profile": 1,
}
# Gate (1: the sale before changed the balance, so the row is read again), then the sale:
# the customer locked by debiting the intent's total (one UPDATE … RETURNING), the intent
# claimed (locked and marked used in one UPDATE), the unit taken and marked sold with its
# product (one WITH … UPDATE, SKIP LOCKED), ledger row, purchase (5).
# No promo code draft to forget: the dialog's "no state" marker in the cache says so.
# The funnel counts in the cache, and a product without a low-stock threshold costs no check.
PURCHASE_QUERIES = 6
# The buyer (1), the product with whether it has stock (1), the purchase intent written (1): the
# gate admits from the cache, and the dialog's "no state" marker says there is no promo code draft.
CONFIRMATION_QUERIES = 3


class WarmScreenTests(BotTestCase):
    async def act(self, user: ChatUser, action: str) -> None:
        """Send a command or press a button; the same screen twice may be "not modified", which is fine."""
        errors = len(user.shop.errors)
        if action.startswith("/"):
            await user.send(action)
        else:
            with user.allowing_rejections():
                await user.press_data(action, strict=False)
        self.assertEqual(len(user.shop.errors), errors, user.shop.errors[errors:])

    async def count_queries(self, action: Awaitable[None]) -> list[str]:
        # Entered on the ORM's thread, where the adapter runs the services and selectors.
        queries = CaptureQueriesContext(connection)
        await sync_to_async(queries.__enter__)()
        try:
            await action
        finally:
            await sync_to_async(queries.__exit__)(None, None, None)
        captured = await sync_to_async(lambda: [query["sql"] for query in queries.captured_queries])()
        # The test's transaction turns each atomic block into savepoints; in the shop they are
        # BEGIN and COMMIT, which no query counter sees either.
        return [sql for sql in captured if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]

    async def assert_warm_queries(self, user: ChatUser, action: str, expected: int) -> None:
        await self.act(user, action)
        queries = await self.count_queries(self.act(user, action))
        self.assertEqual(len(queries), expected, "\n".join(queries))

    async def test_it_keeps_the_main_screens_within_their_queries(self) -> None:
        shop, alice = await self.start_chat(self.alice.telegram_id)
        await self.act(alice, callbacks.CART_ADD.build(self.key.pk))  # something in the cart
        screens = {
            "/start": "/start",
            "menu": callbacks.MENU.build(),
            "shop": callbacks.SHOP.build(),
            "category": callbacks.CATEGORY.build(self.games.pk, 1),
            "product": callbacks.PRODUCT.build(self.key.pk, 1),
            "cart": callbacks.CART.build(),
            "profile": callbacks.PROFILE.build(),
        }
        for name, action in screens.items():
            with self.subTest(screen=name):
                await self.assert_warm_queries(alice, action, WARM_QUERIES[name])

    async def test_it_keeps_the_confirmation_within_its_queries(self) -> None:
        shop, alice = await self.start_chat(self.alice.telegram_id)
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))

        await self.assert_warm_queries(alice, callbacks.BUY.build(self.key.pk), CONFIRMATION_QUERIES)

        self.assertIn("✅ Pay 9.99 RUB", alice.screen.labels)

    async def test_it_keeps_a_purchase_within_its_queries(self) -> None:
        shop, alice = await self.start_chat(self.alice.telegram_id)
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await alice.press("💰 Buy")
        await alice.press("✅ Pay 9.99 RUB")  # the first purchase warms the caches
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await alice.press("💰 Buy")

        queries = await self.count_queries(alice.press("✅ Pay 9.99 RUB"))

        self.assertEqual(len(queries), PURCHASE_QUERIES, "\n".join(queries))

        self.assertIn("Thank you for your purchase!", alice.screen.text)
