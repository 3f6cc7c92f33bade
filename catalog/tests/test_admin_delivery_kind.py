"""The web admin's product form sets the delivery kind through ``set_delivery_kind``, with its refusals."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import AuditEntry
from catalog.models import Product, StockUnit
from catalog.services import save_product
from catalog.services.drafts import edit_product
from catalog.tests.test_admin import product_form
from shopbot.test import ShopTestCase, make_product, make_staff, row_counts

Kind = Product.DeliveryKind


class DeliveryKindFormTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)
        cls.config = make_product(cls.games, "Config", "2.00", is_unlimited=True, delivery=Kind.SHARED_FILE)

    def setUp(self) -> None:
        self.client.force_login(self.root)

    def add(self, **fields: object):
        data = product_form(**{"category": self.games.pk, "name": "New one", "price": "4.50", **fields})
        return self.client.post(reverse("admin:catalog_product_add"), data, follow=True)

    def change(self, product: Product, **fields: object):
        url = reverse("admin:catalog_product_change", args=[product.pk])
        return self.client.post(url, product_form(product, **fields), follow=True)

    def test_it_creates_a_product_of_each_kind(self) -> None:
        for kind, value in [(Kind.FILE, ""), (Kind.SHARED_FILE, ""), (Kind.SHARED, "https://e.com/x")]:
            with self.subTest(kind):
                self.add(name=f"New {kind}", delivery=kind, unlimited_value=value)
                product = Product.objects.get(name=f"New {kind}")
                self.assertEqual(product.delivery, kind)
                self.assertEqual(product.is_unlimited, kind in (Kind.SHARED, Kind.SHARED_FILE))
                self.assertEqual(product.unlimited_value, value)
        self.assertEqual(AuditEntry.objects.filter(action="set_delivery_kind").count(), 2)  # the file kinds

    def test_it_refuses_a_shared_product_without_its_value_and_creates_nothing(self) -> None:
        before = row_counts(Product, AuditEntry)

        response = self.add(delivery=Kind.SHARED)

        self.assertContains(response, "needs the value every buyer receives")
        self.assertEqual(row_counts(Product, AuditEntry), before)

    def test_it_edits_a_shared_file_product_without_its_file(self) -> None:
        response = self.change(self.config, price="3.00", description="A VPN config")

        self.assertNotContains(response, "needs the value")
        self.config.refresh_from_db()
        self.assertEqual((str(self.config.price), self.config.delivery), ("3.00", Kind.SHARED_FILE))
        self.assertEqual(self.config.unlimited_value, "")  # still sold out until the file is set

    def test_it_switches_a_stock_product_to_one_shared_value(self) -> None:
        empty = make_product(self.games, "Empty", "1.00")

        refused = self.change(empty, delivery=Kind.SHARED)
        self.assertContains(refused, "needs the value every buyer receives")
        empty.refresh_from_db()
        self.assertEqual(empty.delivery, Kind.STOCK)

        self.change(empty, delivery=Kind.SHARED, unlimited_value="SHARED-KEY")
        empty.refresh_from_db()
        self.assertEqual(
            (empty.delivery, empty.is_unlimited, empty.unlimited_value), (Kind.SHARED, True, "SHARED-KEY")
        )

    def test_it_refuses_turning_unsold_text_units_into_files(self) -> None:
        response = self.change(self.key, delivery=Kind.FILE)

        self.assertContains(response, "Remove the unsold units first")
        self.key.refresh_from_db()
        self.assertEqual(self.key.delivery, Kind.STOCK)
        self.assertEqual(StockUnit.objects.filter(product=self.key, sold_at__isnull=True).count(), 2)

    def test_it_refuses_a_forged_kind(self) -> None:
        for forged in ("manual<script>", "x" * 100, "", "is_unlimited"):
            response = self.change(self.key, delivery=forged)
            self.assertEqual(response.status_code, 200)
        self.key.refresh_from_db()
        self.assertEqual(self.key.delivery, Kind.STOCK)
        self.assertFalse(AuditEntry.objects.filter(action="set_delivery_kind").exists())

    def test_it_refuses_the_kind_to_staff_without_manage_stock(self) -> None:
        # manage_catalog edits the product; switching its kind is stock work (manage_stock), as in the bot.
        editor = make_staff("ed", permissions=["accounts.manage_catalog"])
        self.client.force_login(editor)

        response = self.change(self.gift, delivery=Kind.SHARED_FILE)

        self.assertContains(response, "not allowed")
        self.gift.refresh_from_db()
        self.assertEqual(self.gift.delivery, Kind.SHARED)


class SharedFileValidationTests(ShopTestCase):
    def test_a_shared_file_product_needs_no_value_in_the_services(self) -> None:
        config = make_product(self.games, "Config", "2.00", is_unlimited=True, delivery=Kind.SHARED_FILE)

        edited = edit_product(actor=self.owner, product_id=config.pk, name="VPN config")
        saved = save_product(
            actor=self.owner,
            product_id=config.pk,
            category_id=self.games.pk,
            name="VPN config",
            price="2.00",
            is_unlimited=True,
            unlimited_value="typed over the file's name",
        )

        self.assertEqual(
            (edited.name, edited.delivery, edited.unlimited_value), ("VPN config", Kind.SHARED_FILE, "")
        )
        self.assertEqual(saved.unlimited_value, "")  # the value is the file's name, never typed
