"""The web admin's "hide when sold out" switches: saved through the services, refused without manage_catalog."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import AuditEntry
from catalog.models import Category, Product, StockUnit
from catalog.tests.test_admin import product_form
from shopbot.test import ShopTestCase, make_staff


def category_form(category: Category, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {"name": category.name, "position": category.position, "is_active": "on"}
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


class HideWhenSoldOutAdminTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)
        # May see and change catalog rows in Django's terms, but lacks the shop's manage_catalog.
        cls.viewer = make_staff(
            "vic", permissions=["catalog.view_product", "catalog.change_product", "catalog.change_category"]
        )

    def test_it_switches_a_product_through_the_service(self) -> None:
        self.client.force_login(self.root)
        url = reverse("admin:catalog_product_change", args=[self.key.pk])

        self.client.post(url, product_form(self.key, hide_when_sold_out="on"))

        self.key.refresh_from_db()
        self.assertIs(self.key.hide_when_sold_out, True)
        self.assertTrue(AuditEntry.objects.filter(action="set_hide_when_sold_out").exists())

    def test_it_creates_a_product_that_hides(self) -> None:
        self.client.force_login(self.root)
        data = product_form(category=self.games.pk, name="Racing key", price="4.50", hide_when_sold_out="on")

        self.client.post(reverse("admin:catalog_product_add"), data)

        self.assertIs(Product.objects.get(name="Racing key").hide_when_sold_out, True)

    def test_it_switches_a_category_through_the_service(self) -> None:
        self.client.force_login(self.root)
        url = reverse("admin:catalog_category_change", args=[self.games.pk])

        self.client.post(url, category_form(self.games, hide_when_sold_out="on"))

        self.games.refresh_from_db()
        self.assertIs(self.games.hide_when_sold_out, True)
        self.assertTrue(AuditEntry.objects.filter(action="set_category_hide_when_sold_out").exists())

    def test_the_product_list_shows_the_sold_out_flag(self) -> None:
        self.client.force_login(self.root)
        Product.objects.filter(pk=self.key.pk).update(hide_when_sold_out=True)
        StockUnit.objects.filter(product=self.key).delete()

        page = self.client.get(reverse("admin:catalog_product_changelist") + "?hide_when_sold_out__exact=1")

        self.assertContains(page, "Game key")
        self.assertNotContains(page, "Gift link")

    def test_it_refuses_staff_without_manage_catalog(self) -> None:
        self.client.force_login(self.viewer)
        product_url = reverse("admin:catalog_product_change", args=[self.key.pk])
        category_url = reverse("admin:catalog_category_change", args=[self.games.pk])

        product = self.client.post(product_url, product_form(self.key, hide_when_sold_out="on"), follow=True)
        category = self.client.post(
            category_url, category_form(self.games, hide_when_sold_out="on"), follow=True
        )

        # The service refuses whoever lacks manage_catalog, whatever Django's permissions say.
        self.assertContains(product, "not allowed")
        self.assertContains(category, "not allowed")
        self.assertFalse(Product.objects.get(pk=self.key.pk).hide_when_sold_out)
        self.assertFalse(Category.objects.get(pk=self.games.pk).hide_when_sold_out)
