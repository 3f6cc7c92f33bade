"""Pre-orders in the web admin: the product's switch through the service, and the read-only queue for stock staff."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import AuditEntry
from catalog.models import Product, StockUnit
from catalog.services import set_product_preorders
from catalog.services.preorders import place_preorder
from catalog.tests.test_admin import product_form
from shopbot.test import MoneyTestCase, make_customer, make_staff

QUEUE = "admin:catalog_preorder_changelist"


class PreOrderAdminTests(MoneyTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)
        cls.stock_staff = make_staff("stock", permissions=["accounts.manage_stock"])
        # May change products in Django's terms, but lacks the shop's manage_catalog and manage_stock.
        cls.viewer = make_staff("vic", permissions=["catalog.view_product", "catalog.change_product"])

    def test_it_switches_pre_orders_through_the_service(self) -> None:
        self.client.force_login(self.root)
        url = reverse("admin:catalog_product_change", args=[self.key.pk])

        self.client.post(url, product_form(self.key, preorders="on"))

        self.key.refresh_from_db()
        self.assertIs(self.key.preorders, True)
        self.assertTrue(AuditEntry.objects.filter(action="set_preorders").exists())

    def test_it_refuses_the_switch_without_manage_catalog(self) -> None:
        self.client.force_login(self.viewer)
        url = reverse("admin:catalog_product_change", args=[self.key.pk])

        page = self.client.post(url, product_form(self.key, preorders="on"), follow=True)

        self.assertContains(page, "not allowed")
        self.assertIs(Product.objects.get(pk=self.key.pk).preorders, False)

    def test_stock_staff_see_the_queue_oldest_first_and_cannot_change_it(self) -> None:
        StockUnit.objects.filter(product=self.key).delete()
        set_product_preorders(actor=self.owner, product_id=self.key.pk, preorders=True)
        carol = make_customer(1003, username="carol", balance="20.00")
        first = place_preorder(telegram_id=carol.telegram_id, product_id=self.key.pk)
        second = place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.client.force_login(self.stock_staff)

        page = self.client.get(reverse(QUEUE) + "?state=open")

        self.assertEqual(page.status_code, 200)
        text = page.content.decode()
        self.assertLess(text.index(first.reference), text.index(second.reference))
        change = self.client.post(reverse("admin:catalog_preorder_change", args=[first.pk]), {"price": "1"})
        self.assertIn(change.status_code, (200, 403))
        first.refresh_from_db()
        self.assertTrue(first.is_open)
        self.assertEqual(
            self.client.post(reverse("admin:catalog_preorder_delete", args=[first.pk])).status_code, 403
        )

    def test_staff_without_manage_stock_do_not_see_the_queue(self) -> None:
        self.client.force_login(self.viewer)
        self.assertEqual(self.client.get(reverse(QUEUE)).status_code, 403)
