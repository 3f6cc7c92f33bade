"""The catalog cache: what the customers' screens cost once warm, and that every change shows at once.

Counts, never timings. The cache is emptied before each test (conftest.py).
"""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

from django.core.cache import cache

from catalog import selectors
from catalog.cache import forget_stock
from catalog.models import Review
from catalog.services import add_stock, add_to_cart, purchase_product, save_product, set_category_active
from shopbot.test import ShopTestCase, make_product


def record_call(calls: list[str], name: str, method):
    """Wrap a cache method to note its name; calls it makes itself (locmem's get_many) are not noted."""

    def call(*args, **kwargs):
        outermost = not getattr(record_call, "inside", False)
        if outermost:
            calls.append(name)
        record_call.inside = True
        try:
            return method(*args, **kwargs)
        finally:
            record_call.inside = not outermost

    return call


class WarmCatalogTests(ShopTestCase):
    def test_it_reads_a_warm_category_page_without_queries(self):
        selectors.list_categories(page=1)
        with self.assertNumQueries(0):
            page = selectors.list_categories(page=1)
        self.assertEqual([category.name for category in page.items], ["Games"])

    def test_it_reads_a_warm_product_page_without_queries(self):
        selectors.list_products(category_id=self.games.pk, page=1)
        with self.assertNumQueries(0):
            page = selectors.list_products(category_id=self.games.pk, page=1)
        self.assertEqual(
            [(product.name, product.in_stock) for product in page.items],
            [("Game key", True), ("Gift link", True)],
        )
        self.assertEqual(page.items[0].category, self.games)

    def test_it_reads_a_warm_card_without_queries(self):
        selectors.get_product_card(product_id=self.key.pk)
        with self.assertNumQueries(0):
            card = selectors.get_product_card(product_id=self.key.pk)
        self.assertEqual((card.product.name, card.category.name, card.stock), ("Game key", "Games", 2))

    def test_it_reads_a_warm_card_in_one_cache_round_trip(self):
        selectors.get_product_card(product_id=self.key.pk)
        calls = []
        for name in ("get", "get_many", "set", "set_many", "add", "incr"):
            patcher = mock.patch.object(
                cache, name, side_effect=record_call(calls, name, getattr(cache, name))
            )
            patcher.start()
            self.addCleanup(patcher.stop)

        card = selectors.get_product_card(product_id=self.key.pk)

        self.assertEqual(calls, ["get_many"])  # the catalog version, the card and its stock together
        self.assertEqual(card.stock, 2)

    def test_it_reads_a_warm_cart_in_one_query(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2)
        selectors.get_product_card(product_id=self.key.pk)
        with self.assertNumQueries(1):
            cart = selectors.get_cart(telegram_id=self.alice.telegram_id)
        self.assertIs(cart.can_checkout, True)

    def test_it_costs_one_query_for_stock_that_expired_alone(self):
        selectors.get_product_card(product_id=self.key.pk)
        forget_stock([self.key.pk], again_on_commit=False)
        with self.assertNumQueries(1):
            self.assertEqual(selectors.get_product_card(product_id=self.key.pk).stock, 2)


class ForgettingTests(ShopTestCase):
    """Each change is seen by the next read, whatever was cached before it."""

    def test_it_shows_the_stock_left_after_a_sale(self):
        self.assertEqual(selectors.get_product_card(product_id=self.key.pk).stock, 2)
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assertEqual(selectors.get_product_card(product_id=self.key.pk).stock, 1)
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assertFalse(selectors.list_products(category_id=self.games.pk).items[0].in_stock)

    def test_it_shows_the_units_left_in_the_cart_after_a_sale(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2)
        self.assertIs(selectors.get_cart(telegram_id=self.alice.telegram_id).can_checkout, True)

        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        cart = selectors.get_cart(telegram_id=self.alice.telegram_id)
        self.assertEqual(cart.items[0].problem, "Only 1 of Game key left.")

    def test_it_shows_added_stock(self):
        selectors.list_products(category_id=self.games.pk)
        self.assertEqual(selectors.get_product_card(product_id=self.key.pk).stock, 2)
        add_stock(actor=self.owner, product_id=self.key.pk, values=["CCC-333"])
        self.assertEqual(selectors.get_product_card(product_id=self.key.pk).stock, 3)

    def test_it_shows_an_edited_product(self):
        self.assertEqual(selectors.get_product_card(product_id=self.key.pk).product.price, Decimal("9.99"))
        selectors.list_products(category_id=self.games.pk)
        save_product(
            actor=self.owner,
            product_id=self.key.pk,
            category_id=self.games.pk,
            name="Game key",
            price="12.50",
            description="A key",
        )
        self.assertEqual(selectors.get_product_card(product_id=self.key.pk).product.price, Decimal("12.50"))
        self.assertEqual(selectors.list_products(category_id=self.games.pk).items[0].price, Decimal("12.50"))

    def test_it_hides_a_hidden_category_at_once(self):
        self.assertEqual(len(selectors.list_categories().items), 1)
        set_category_active(actor=self.owner, category_id=self.games.pk, active=False)
        self.assertEqual(selectors.list_categories().items, [])

    def test_it_shows_a_new_product_and_a_new_review(self):
        selectors.list_products(category_id=self.games.pk)
        selectors.get_product_card(product_id=self.key.pk)
        make_product(self.games, "Another key", "1.00", units=["X"])
        Review.objects.create(product=self.key, customer=self.alice, rating=4)
        names = [product.name for product in selectors.list_products(category_id=self.games.pk).items]
        self.assertIn("Another key", names)
        self.assertEqual(selectors.get_product_card(product_id=self.key.pk).review_count, 1)
