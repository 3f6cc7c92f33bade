"""A sold-out product with pre-orders on says so in the Mini App's card data."""

from __future__ import annotations

from catalog.models import StockUnit
from catalog.services import set_product_preorders
from telegrambot.miniapp.tests.test_api import MiniAppTestCase


class PreOrderCardTests(MiniAppTestCase):
    def test_the_card_offers_a_pre_order_only_when_sold_out_with_pre_orders_on(self):
        app = self.app()
        self.assertIs(app.get(f"products/{self.key.pk}").json()["product"]["preorder"], False)
        set_product_preorders(actor=self.owner, product_id=self.key.pk, preorders=True)
        self.assertIs(app.get(f"products/{self.key.pk}").json()["product"]["preorder"], False)  # in stock

        StockUnit.objects.filter(product=self.key).delete()
        self.key.refresh_from_db()
        self.key.save()  # as the services do: the cached card is forgotten
        card = app.get(f"products/{self.key.pk}").json()["product"]

        self.assertEqual((card["in_stock"], card["preorder"]), (False, True))
        self.assertIs(app.get(f"products/{self.gift.pk}").json()["product"]["preorder"], False)
