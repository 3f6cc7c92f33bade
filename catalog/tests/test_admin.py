"""Catalog admin pages: saving through catalog.services, refusals as messages, the stock upload."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.roles import ADMIN_ROLE
from catalog.models import Category, Product, PromoCode, StockUnit
from catalog.services import purchase_product
from shopbot.test import ShopTestCase, make_promo, make_staff, row_counts


def product_form(product: Product | None = None, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": product.category_id if product else "",
        "name": product.name if product else "",
        "description": product.description if product else "",
        "price": str(product.price) if product else "",
        "image": "",
        "unlimited_value": product.unlimited_value if product else "",
        "position": product.position if product else 0,
        "low_stock_threshold": product.low_stock_threshold if product else 0,
        "warranty_hours": product.warranty_hours if product else 24,
        "fulfil_hours": product.fulfil_hours if product else 24,
        "delivery": product.delivery if product else Product.DeliveryKind.STOCK,
    }
    if product is None or product.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


class ProductAdminTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)

    def setUp(self) -> None:
        self.client.force_login(self.root)

    def test_it_creates_a_product_through_the_service(self) -> None:
        data = product_form(category=self.games.pk, name="Racing key", price="4.50", description="Fast")

        response = self.client.post(reverse("admin:catalog_product_add"), data, follow=True)

        self.assertEqual(response.status_code, 200)
        product = Product.objects.get(name="Racing key")
        self.assertEqual(str(product.price), "4.50")
        self.assertTrue(AuditEntry.objects.filter(action="save_product", target="Racing key").exists())

    def test_it_refuses_a_taken_name_with_a_message_and_keeps_the_form(self) -> None:
        before = row_counts(Product, AuditEntry)
        data = product_form(category=self.games.pk, name="GAME KEY", price="4.50")

        response = self.client.post(reverse("admin:catalog_product_add"), data)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The name GAME KEY is already used.")
        self.assertContains(response, 'value="GAME KEY"')
        self.assertEqual(row_counts(Product, AuditEntry), before)

    def test_it_refuses_a_rename_to_a_taken_name_and_keeps_the_product(self) -> None:
        url = reverse("admin:catalog_product_change", args=[self.gift.pk])

        response = self.client.post(url, product_form(self.gift, name="game key", price="6.00"))

        self.assertContains(response, "The name game key is already used.")
        self.assertContains(response, "Nothing was saved")
        self.gift.refresh_from_db()
        self.assertEqual((self.gift.name, str(self.gift.price)), ("Gift link", "5.00"))

    def test_it_changes_the_warranty_through_the_service(self) -> None:
        url = reverse("admin:catalog_product_change", args=[self.key.pk])

        self.client.post(url, product_form(self.key, warranty_hours=72))

        self.key.refresh_from_db()
        self.assertEqual(self.key.warranty_hours, 72)
        self.assertTrue(AuditEntry.objects.filter(action="set_warranty_hours").exists())

    def test_it_changes_only_the_position_without_resaving_the_product(self) -> None:
        url = reverse("admin:catalog_product_change", args=[self.key.pk])

        self.client.post(url, product_form(self.key, position=7))

        self.key.refresh_from_db()
        self.assertEqual(self.key.position, 7)
        self.assertFalse(AuditEntry.objects.filter(action="save_product").exists())

    def test_it_hides_products_through_the_service(self) -> None:
        data = {"action": "hide", "_selected_action": [self.key.pk], "index": "0"}

        self.client.post(reverse("admin:catalog_product_changelist"), data)

        self.key.refresh_from_db()
        self.assertIs(self.key.is_active, False)
        self.assertTrue(AuditEntry.objects.filter(action="hide_product").exists())

    def test_it_deletes_a_category_through_the_service(self) -> None:
        url = reverse("admin:catalog_category_delete", args=[self.games.pk])

        confirm = self.client.get(url)
        self.client.post(url, {"post": "yes"})

        self.assertContains(confirm, "Games with its 2 products")
        self.assertFalse(Category.objects.filter(pk=self.games.pk).exists())
        self.assertTrue(AuditEntry.objects.filter(action="delete_category").exists())

    def test_it_saves_promo_codes_through_the_service(self) -> None:
        data = {"code": "spring", "kind": "percent", "value": "10", "once_per_user": "on", "is_active": "on"}

        self.client.post(reverse("admin:catalog_promocode_add"), data)

        self.assertEqual(PromoCode.objects.get().code, "SPRING")
        self.assertTrue(AuditEntry.objects.filter(action="save_promo").exists())

    def test_it_switches_promo_codes_off_through_the_service(self) -> None:
        promo = make_promo("SUMMER")
        data = {"action": "deactivate", "_selected_action": [promo.pk], "index": "0"}

        response = self.client.post(reverse("admin:catalog_promocode_changelist"), data, follow=True)

        self.assertContains(response, "1 codes switched off.")
        promo.refresh_from_db()
        self.assertIs(promo.is_active, False)
        self.assertTrue(AuditEntry.objects.filter(action="deactivate_promo").exists())

    def test_it_refuses_a_past_expiry_with_a_message(self) -> None:
        data = {
            "code": "OLD",
            "kind": "fixed",
            "value": "5",
            "expires_at_0": "2001-01-01",
            "expires_at_1": "00:00:00",
            "is_active": "on",
        }

        response = self.client.post(reverse("admin:catalog_promocode_add"), data)

        self.assertContains(response, "The expiry must be in the future.")
        self.assertFalse(PromoCode.objects.exists())


class StockAdminTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)
        cls.url = reverse("admin:catalog_product_stock", args=[cls.key.pk])

    def setUp(self) -> None:
        self.client.force_login(self.root)

    def preview(self, **data: object):  # type: ignore[no-untyped-def]
        return self.client.post(self.url, {"preview": "1", **data})

    def test_it_previews_then_adds_pasted_units(self) -> None:
        preview = self.preview(values="AAA-111\nCCC-333\n\nCCC-333\nDDD-444 \n")

        self.assertContains(preview, "2 new units will be added.")
        self.assertContains(preview, "1 already in stock, 1 repeated, 1 empty")
        self.assertEqual(StockUnit.objects.filter(product=self.key).count(), 2)

        response = self.client.post(self.url, {"add": "1", "token": preview.context["token"]}, follow=True)

        self.assertContains(response, "Added 2 units.")
        values = set(StockUnit.objects.filter(product=self.key).values_list("value", flat=True))
        self.assertEqual(values, {"AAA-111", "BBB-222", "CCC-333", "DDD-444"})
        self.assertTrue(AuditEntry.objects.filter(action="add_stock").exists())

    def test_it_reads_a_text_file_and_a_csv_file(self) -> None:
        text = SimpleUploadedFile("keys.txt", b"EEE-555\r\nFFF-666\n")
        csv = SimpleUploadedFile("keys.csv", b'"GGG-777",note\n"HHH,888",note\n')

        preview = self.preview(file=text)
        self.client.post(self.url, {"add": "1", "token": preview.context["token"]})
        preview = self.preview(file=csv)
        self.client.post(self.url, {"add": "1", "token": preview.context["token"]})

        values = set(StockUnit.objects.filter(product=self.key).values_list("value", flat=True))
        self.assertLessEqual({"EEE-555", "FFF-666", "GGG-777", "HHH,888"}, values)

    def test_it_refuses_other_files_and_empty_uploads(self) -> None:
        for upload, message in [
            (SimpleUploadedFile("keys.xlsx", b"PK\x03\x04"), "Upload a .txt or .csv file."),
            (SimpleUploadedFile("keys.txt", b"\xff\xfe\x00bad"), "The file is not UTF-8 text."),
        ]:
            with self.subTest(upload=upload.name):
                self.assertContains(self.preview(file=upload), message)
        self.assertContains(self.preview(values="  \n \n"), "Paste some units or choose a file.")
        self.assertEqual(StockUnit.objects.filter(product=self.key).count(), 2)

    def test_it_refuses_an_upload_to_an_unlimited_product(self) -> None:
        url = reverse("admin:catalog_product_stock", args=[self.gift.pk])

        response = self.client.post(url, {"preview": "1", "values": "XYZ"})

        self.assertContains(response, "is unlimited")
        self.assertNotContains(response, 'name="token"')

    def test_it_refuses_an_unknown_or_foreign_token(self) -> None:
        preview = self.preview(values="ZZZ-999")
        self.client.force_login(make_staff("sam", roles=[ADMIN_ROLE]))

        response = self.client.post(self.url, {"add": "1", "token": preview.context["token"]}, follow=True)

        self.assertContains(response, "The preview has expired")
        self.assertFalse(StockUnit.objects.filter(value="ZZZ-999").exists())

    def test_it_answers_404_for_an_unknown_or_malformed_product(self) -> None:
        for product_id in ["999999", "abc", "9" * 30]:
            with self.subTest(product_id=product_id):
                url = reverse("admin:catalog_product_stock", args=[product_id])
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_refuses_the_page_to_staff_without_manage_stock(self) -> None:
        self.client.force_login(make_staff("vic", permissions=["catalog.view_product"]))

        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_deletes_unsold_units_and_keeps_sold_ones(self) -> None:
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        sold, unsold = StockUnit.objects.filter(product=self.key).order_by("id")

        refused = self.client.post(
            reverse("admin:catalog_stockunit_delete", args=[sold.pk]), {"post": "yes"}, follow=True
        )
        self.client.post(reverse("admin:catalog_stockunit_delete", args=[unsold.pk]), {"post": "yes"})

        self.assertContains(refused, "already been sold")
        self.assertTrue(StockUnit.objects.filter(pk=sold.pk).exists())
        self.assertFalse(StockUnit.objects.filter(pk=unsold.pk).exists())
        self.assertTrue(AuditEntry.objects.filter(action="delete_stock_unit").exists())


class DeliveredValueTests(ShopTestCase):
    """A customer's key as delivered shows only with view_delivered_values, on every page."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        StockUnit.objects.filter(product=cls.key).delete()
        StockUnit.objects.create(product=cls.key, value="SOLD-KEY-777")
        StockUnit.objects.create(product=cls.key, value="FRESH-KEY-888")
        cls.purchase = purchase_product(telegram_id=cls.alice.telegram_id, product_id=cls.key.pk)
        cls.sold = StockUnit.objects.get(value="SOLD-KEY-777")
        cls.statistics = make_staff("stats", permissions=["accounts.view_statistics"])
        cls.stock = make_staff("stock", permissions=["accounts.manage_stock"])
        cls.trusted = make_staff(
            "trusted",
            permissions=[
                "accounts.view_statistics",
                "accounts.manage_stock",
                "accounts.view_delivered_values",
            ],
        )

    def pages(self, user: object) -> str:
        self.client.force_login(user)
        urls = []
        if "stats" in user.username or user.username == "trusted":
            urls += [
                reverse("admin:catalog_purchase_changelist"),
                reverse("admin:catalog_purchase_change", args=[self.purchase.pk]),
                reverse("admin:catalog_purchase_export") + "?date_from=2000-01-01&date_to=2999-12-31",
            ]
        if "stock" in user.username or user.username == "trusted":
            urls += [
                reverse("admin:catalog_stockunit_changelist"),
                reverse("admin:catalog_stockunit_change", args=[self.sold.pk]),
            ]
        pages = []
        for address in urls:
            response = self.client.get(address)
            self.assertEqual(response.status_code, 200, address)
            content = response.getvalue() if response.streaming else response.content
            pages.append(content.decode())
        return "\n".join(pages)

    def test_it_hides_delivered_keys_from_statistics(self) -> None:
        self.assertNotIn("SOLD-KEY-777", self.pages(self.statistics))

    def test_it_hides_sold_keys_from_stock_keepers_but_shows_unsold_stock(self) -> None:
        pages = self.pages(self.stock)

        self.assertNotIn("SOLD-KEY-777", pages)
        self.assertIn("FRESH-KEY-888", pages)
        # Searching by value must not confirm a guessed customer's key either.
        search = reverse("admin:catalog_stockunit_changelist")
        self.assertContains(self.client.get(search, {"q": "SOLD-KEY-777"}), "0 results")
        self.assertContains(self.client.get(search, {"q": "FRESH-KEY-888"}), "1 result")

    def test_it_shows_delivered_keys_with_the_permission(self) -> None:
        self.assertIn("SOLD-KEY-777", self.pages(self.trusted))
