"""A sale of a dynamic product on every rail opens one pending delivery; nothing is handed over yet."""

from __future__ import annotations

from decimal import Decimal

from django.test import override_settings

from catalog.dynamic_models import DynamicOrder
from catalog.models import Product, Purchase
from catalog.selectors import list_products
from catalog.services import add_to_cart, checkout_cart, purchase_product, quote_cart, quote_product
from catalog.services.delivery_files import set_delivery_kind
from catalog.services.dynamic import set_dynamic_endpoint
from catalog.services.orders import start_product_order
from catalog.tests.test_orders import pay
from shopbot.errors import OutOfStock
from shopbot.test import MoneyTestCase, make_product

SECRET = "s3cr3t-Key_0123456789"


def make_dynamic(category, owner, *, url: str = "https://keys.example.com/issue") -> Product:
    product = make_product(category, "Licence", "4.00")
    return set_dynamic_endpoint(actor=owner, product_id=product.pk, url=url, secret=SECRET)


class DynamicSaleTests(MoneyTestCase):
    def setUp(self) -> None:
        self.licence = make_dynamic(self.games, self.owner)

    def buy(self) -> Purchase:
        quote = quote_product(telegram_id=self.alice.telegram_id, product_id=self.licence.pk)
        return purchase_product(telegram_id=self.alice.telegram_id, intent_id=quote.intent_id)

    def test_a_balance_purchase_opens_one_pending_delivery_and_charges_once(self) -> None:
        purchase = self.buy()

        order = DynamicOrder.objects.get()
        self.assertEqual((order.purchase, order.status, order.attempts), (purchase, "pending", 0))
        self.assertEqual(purchase.value, "")
        self.assertIsNotNone(purchase.fulfil_by)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("46.00"))

    def test_a_mixed_cart_opens_a_delivery_per_dynamic_unit_only(self) -> None:
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.licence.pk, quantity=2)
        cart = quote_cart(telegram_id=self.alice.telegram_id)

        purchases = checkout_cart(telegram_id=self.alice.telegram_id, intent_id=cart.intent_id)

        self.assertEqual(len(purchases), 3)
        self.assertEqual(DynamicOrder.objects.count(), 2)
        self.assertEqual(
            set(DynamicOrder.objects.values_list("purchase__product_name", flat=True)), {"Licence"}
        )
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00") - Decimal("9.99") - Decimal("8.00"))

    @override_settings(STARS_PER_VALUE=Decimal("2"))
    def test_a_stars_order_opens_one_delivery_even_when_replayed(self) -> None:
        payment = start_product_order(telegram_id=self.alice.telegram_id, product_id=self.licence.pk)

        pay(payment)
        pay(payment)

        order = DynamicOrder.objects.select_related("purchase").get()
        self.assertEqual(order.purchase.payment, payment)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))

    def test_a_product_whose_endpoint_was_taken_away_is_sold_out(self) -> None:
        self.assertIs(
            dict((p.name, p.in_stock) for p in list_products(category_id=self.games.pk).items)["Licence"],
            True,
        )
        Product.objects.filter(pk=self.licence.pk).update(endpoint_secret="")

        with self.assertRaises(OutOfStock):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.licence.pk)
        self.assertFalse(DynamicOrder.objects.exists())

    def test_switching_the_kind_back_keeps_the_products_constraint(self) -> None:
        product = set_delivery_kind(
            actor=self.owner, product_id=self.licence.pk, kind=Product.DeliveryKind.DYNAMIC
        )
        self.assertTrue(product.is_unlimited)
        product = set_delivery_kind(
            actor=self.owner, product_id=self.licence.pk, kind=Product.DeliveryKind.STOCK
        )
        self.assertEqual((product.delivery, product.is_unlimited), ("stock", False))


class DynamicClaimTests(MoneyTestCase):
    def test_a_claim_on_a_delivered_key_is_not_replaced_with_an_empty_value(self) -> None:
        from catalog.services.claims import open_claim, replace_claim
        from catalog.services.dynamic_orders import record_delivery
        from shopbot.errors import ClaimNoStock

        licence = make_dynamic(self.games, self.owner)
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=licence.pk)
        self.assertTrue(record_delivery(order_number=purchase.order_number, value="KEY-1"))
        claim = open_claim(telegram_id=self.alice.telegram_id, purchase_id=purchase.pk, reason="not_working")

        with self.assertRaises(ClaimNoStock):
            replace_claim(actor=self.owner, claim_id=claim.pk)
        self.assertEqual(Purchase.objects.filter(replaces=purchase).count(), 0)
        self.assertFalse(record_delivery(order_number=purchase.order_number, value="KEY-2"))
        self.assertEqual(Purchase.objects.get(pk=purchase.pk).value, "KEY-1")
