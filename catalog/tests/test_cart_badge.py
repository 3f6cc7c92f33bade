"""The menu's cart badge is cached; every way a cart line changes or goes forgets it."""

from django.core.cache import cache

from catalog import selectors
from catalog.cache import cart_count_key
from catalog.models import CartLine
from catalog.services import add_to_cart, checkout_cart, clear_cart, remove_from_cart, set_cart_quantity
from catalog.services.orders import start_cart_order
from catalog.services.scrubbing import scrub_customer
from catalog.tests.test_orders import STARS_ON, pay
from shopbot.test import ShopTestCase, make_product


class CartBadgeTests(ShopTestCase):
    def badge(self) -> int:
        return selectors.count_cart_items(customer_id=self.alice.pk)

    def assert_badge(self, expected: int) -> None:
        self.assertEqual(self.badge(), expected)
        self.assertEqual(cache.get(cart_count_key(self.alice.pk)), expected)  # kept for the next read

    def fill(self) -> None:
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, quantity=3)
        self.assert_badge(3)

    def test_adding_changing_and_removing_lines_forget_the_count(self):
        self.fill()
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assert_badge(4)
        set_cart_quantity(telegram_id=self.alice.telegram_id, product_id=self.gift.pk, quantity=1)
        self.assert_badge(2)
        remove_from_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assert_badge(1)

    def test_emptying_the_cart_forgets_the_count(self):
        self.fill()
        clear_cart(telegram_id=self.alice.telegram_id)
        self.assert_badge(0)

    def test_buying_the_cart_forgets_the_count(self):
        self.fill()
        checkout_cart(telegram_id=self.alice.telegram_id)
        self.assert_badge(0)

    @STARS_ON
    def test_a_paid_cart_order_forgets_the_count(self):
        self.fill()
        pay(start_cart_order(telegram_id=self.alice.telegram_id))
        self.assert_badge(0)

    def test_a_deleted_product_leaves_the_count(self):
        extra = make_product(self.games, "Extra", "1.00", is_unlimited=True, unlimited_value="x")
        self.fill()
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=extra.pk, quantity=2)
        self.assert_badge(5)
        extra.delete()
        self.assert_badge(3)

    def test_anonymising_forgets_the_count(self):
        self.fill()
        scrub_customer(customer=self.alice)
        self.assert_badge(0)

    def test_a_change_in_the_web_admin_forgets_the_count(self):
        self.fill()
        line = CartLine.objects.get(customer=self.alice)
        line.quantity = 7
        line.save()
        self.assert_badge(7)

    def test_another_customers_cart_keeps_its_own_count(self):
        self.fill()
        add_to_cart(telegram_id=self.bob.telegram_id, product_id=self.gift.pk)
        self.assertEqual(selectors.count_cart_items(customer_id=self.bob.pk), 1)
        with self.assertNumQueries(0):
            self.assertEqual(self.badge(), 3)
