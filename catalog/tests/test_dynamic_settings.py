"""A dynamic product's endpoint and secret: one service, hostile input refused, the secret never shown."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from accounts.models import AuditEntry
from catalog.models import Product
from catalog.selectors import get_product_card
from catalog.services.dynamic import mask_secret, set_dynamic_endpoint
from catalog.tests.test_admin import product_form
from shopbot.errors import InvalidInput, PermissionDenied, ProductNotFound
from shopbot.test import ShopTestCase, make_customer, make_product, make_staff

SECRET = "s3cr3t-Key_0123456789"
URL = "https://keys.example.com/issue"


class DynamicEndpointServiceTests(ShopTestCase):
    def setUp(self) -> None:
        self.product = make_product(self.games, "Licence", "4.00", units=["U-1"])

    def set(self, url: object = URL, secret: object = SECRET, actor=None) -> Product:
        return set_dynamic_endpoint(
            actor=actor or self.owner, product_id=self.product.pk, url=url, secret=secret
        )

    def test_it_makes_the_product_dynamic_and_for_sale(self) -> None:
        product = self.set()

        self.assertEqual((product.delivery, product.is_unlimited), (Product.DeliveryKind.DYNAMIC, True))
        self.assertEqual((product.endpoint_url, product.endpoint_secret), (URL, SECRET))
        self.assertIs(get_product_card(product_id=product.pk).in_stock, True)

    def test_hostile_urls_are_refused_and_nothing_changes(self) -> None:
        for url in [
            "http://keys.example.com/issue",  # plain http off 127.0.0.1
            "ftp://keys.example.com/x",
            "https://user:pw@keys.example.com/x",  # credentials in the URL
            "https:///nohost",
            "https://keys.example.com/" + "a" * 500,
            "https://keys.example.com/a b",
            "https://keys.example.com/\x00",
            "https://<script>.example.com/",
            "https://keys.example.com:99999/",
            "javascript:alert(1)",
            "",
            "   ",
            None,
            12345,
            ["https://keys.example.com/"],
        ]:
            with self.subTest(url=str(url)[:40]), self.assertRaises(InvalidInput):
                self.set(url=url)
        product = Product.objects.get(pk=self.product.pk)
        self.assertEqual((product.delivery, product.endpoint_url), (Product.DeliveryKind.STOCK, ""))

    def test_hostile_secrets_are_refused(self) -> None:
        for secret in [
            "short",
            "x" * 129,
            "with space in the middle",
            "tab\there-0123456789",
            "ключ" * 5,
            42,
            "",
        ]:
            with self.subTest(secret=str(secret)[:20]), self.assertRaises(InvalidInput):
                self.set(secret=secret)
        self.assertEqual(Product.objects.get(pk=self.product.pk).endpoint_secret, "")

    def test_a_first_endpoint_needs_a_secret_and_a_later_edit_keeps_it(self) -> None:
        with self.assertRaises(InvalidInput):
            self.set(secret=None)
        self.set()

        product = self.set(url="https://keys.example.com/v2", secret=None)

        self.assertEqual(
            (product.endpoint_url, product.endpoint_secret), ("https://keys.example.com/v2", SECRET)
        )

    def test_plain_http_is_allowed_only_on_127_0_0_1_in_development(self) -> None:
        self.assertEqual(self.set(url="http://127.0.0.1:8081/k").endpoint_url, "http://127.0.0.1:8081/k")
        with self.assertRaises(InvalidInput):
            self.set(url="http://localhost:8081/k")
        with override_settings(DYNAMIC_DELIVERY_ALLOW_LOCAL=False), self.assertRaises(InvalidInput):
            self.set(url="http://127.0.0.1:8081/k")

    def test_it_needs_manage_catalog_and_a_real_product(self) -> None:
        clerk = make_customer(3001, username="clerk")
        with self.assertRaises(PermissionDenied):
            self.set(actor=clerk)
        for forged in ["abc", -1, 10**12, None]:
            with self.subTest(forged=forged), self.assertRaises(ProductNotFound):
                set_dynamic_endpoint(actor=self.owner, product_id=forged, url=URL, secret=SECRET)

    def test_the_audit_log_holds_the_host_and_the_masked_secret_only(self) -> None:
        self.set()

        entry = AuditEntry.objects.get(action="set_dynamic_endpoint")
        self.assertEqual(entry.details, {"host": "keys.example.com", "secret": "••••6789"})
        self.assertNotIn(SECRET, str(entry.details))
        self.assertEqual(mask_secret(""), "")


class DynamicEndpointAdminTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)
        cls.stock_only = make_staff("stock", permissions=["accounts.manage_stock"])

    def setUp(self) -> None:
        self.product = make_product(self.games, "Licence", "4.00")
        self.change = reverse("admin:catalog_product_change", args=[self.product.pk])

    def post(self, **changes: object):
        return self.client.post(self.change, product_form(self.product, **changes), follow=True)

    def test_staff_set_the_endpoint_and_the_page_shows_the_secret_masked(self) -> None:
        self.client.force_login(self.root)

        self.post(endpoint_url=URL, new_endpoint_secret=SECRET)

        product = Product.objects.get(pk=self.product.pk)
        self.assertEqual((product.delivery, product.endpoint_secret), (Product.DeliveryKind.DYNAMIC, SECRET))
        page = self.client.get(self.change)
        self.assertNotContains(page, SECRET)
        self.assertContains(page, "••••6789")

    def test_staff_create_a_dynamic_product_with_its_endpoint(self) -> None:
        self.client.force_login(self.root)
        data = product_form(None, category=self.games.pk, name="Fresh key", price="3.00")
        data.update(delivery="dynamic", endpoint_url=URL, new_endpoint_secret=SECRET)

        self.client.post(reverse("admin:catalog_product_add"), data, follow=True)

        product = Product.objects.get(name="Fresh key")
        self.assertEqual((product.delivery, product.endpoint_url), (Product.DeliveryKind.DYNAMIC, URL))
        self.assertIs(product.sells_without_units, True)

    def test_a_hostile_url_is_refused_with_a_message(self) -> None:
        self.client.force_login(self.root)

        page = self.post(endpoint_url="http://evil.example.com/", new_endpoint_secret=SECRET)

        self.assertContains(page, "https://")
        self.assertEqual(Product.objects.get(pk=self.product.pk).endpoint_secret, "")

    def test_staff_without_manage_catalog_cannot_change_it(self) -> None:
        self.client.force_login(self.stock_only)

        page = self.post(endpoint_url=URL, new_endpoint_secret=SECRET)

        self.assertIn(page.status_code, (403, 200))
        self.assertEqual(Product.objects.get(pk=self.product.pk).endpoint_secret, "")


class DynamicOrderAdminTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fulfiller = make_staff("fulfil", permissions=["accounts.fulfil_orders"])
        cls.catalog_only = make_staff("cat", permissions=["accounts.manage_catalog"])

    def test_staff_who_fulfil_orders_see_the_deliveries_without_the_secret(self) -> None:
        from catalog.services import purchase_product

        product = make_product(self.games, "Licence", "4.00")
        set_dynamic_endpoint(actor=self.owner, product_id=product.pk, url=URL, secret=SECRET)
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=product.pk)
        changelist = reverse("admin:catalog_dynamicorder_changelist")

        self.client.force_login(self.catalog_only)
        self.assertEqual(self.client.get(changelist).status_code, 403)
        self.client.force_login(self.fulfiller)
        page = self.client.get(changelist)
        self.assertContains(page, "#" + purchase.order_number)
        detail = self.client.get(
            reverse("admin:catalog_dynamicorder_change", args=[purchase.dynamic_order.pk])
        )
        self.assertContains(detail, purchase.order_number)
        self.assertNotContains(detail, SECRET)
