from accounts.models import AuditEntry
from catalog.models import StockUnit
from catalog.services import (
    add_stock,
    delete_stock_unit,
    preview_stock,
    purchase_product,
    set_low_stock_threshold,
)
from catalog.services.stock import StockReport
from shopbot.errors import InvalidInput, PermissionDenied, ProductNotFound, StockUnitNotFound, StockUnitSold
from shopbot.test import ShopTestCase


def unsold_values(product) -> list[str]:
    return list(
        StockUnit.objects.filter(product=product, sold_at__isnull=True).values_list("value", flat=True)
    )


class PreviewStockTests(ShopTestCase):
    def test_it_counts_what_an_upload_would_add_and_writes_nothing(self):
        values = ["  NEW-1 ", "NEW-2", "NEW-1", "", "   ", "AAA-111", "x" * 4001, "BAD\x00KEY"]

        report = preview_stock(product_id=self.key.pk, values=values)

        self.assertEqual(report, StockReport(new=2, duplicates=1, existing=1, empty=2, refused=2))
        self.assertEqual(report.skipped, 6)
        self.assertEqual(StockUnit.objects.count(), 2)

    def test_it_refuses_unknown_products_and_unlimited_ones(self):
        with self.assertRaises(ProductNotFound):
            preview_stock(product_id=999_999, values=["A"])
        with self.assertRaisesMessage(InvalidInput, "Gift link is unlimited"):
            preview_stock(product_id=self.gift.pk, values=["A"])


class AddStockTests(ShopTestCase):
    def test_it_adds_new_values_in_upload_order_and_audits_it(self):
        report = add_stock(
            actor=self.admin, product_id=self.key.pk, values=["C-3", " D-4 ", "C-3", "AAA-111", ""]
        )

        self.assertEqual(report, StockReport(new=2, duplicates=1, existing=1, empty=1, refused=0))
        self.assertEqual(unsold_values(self.key), ["AAA-111", "BBB-222", "C-3", "D-4"])
        audit = AuditEntry.objects.get(action="add_stock")
        self.assertEqual(audit.details["added"], 2)

    def test_it_adds_a_value_again_once_the_old_unit_is_sold(self):
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)  # sells AAA-111

        report = add_stock(actor=self.admin, product_id=self.key.pk, values=["AAA-111"])

        self.assertEqual(report.new, 1)

    def test_it_keeps_values_up_to_4000_characters_and_refuses_longer(self):
        report = add_stock(actor=self.admin, product_id=self.key.pk, values=["k" * 4000, "k" * 4001])

        self.assertEqual((report.new, report.refused), (1, 1))

    def test_it_stores_html_and_sql_looking_values_verbatim(self):
        values = ["<b>KEY</b>", "'; DROP TABLE catalog_stockunit; --", "ключ 🔑"]

        add_stock(actor=self.admin, product_id=self.key.pk, values=values)

        self.assertEqual(unsold_values(self.key)[2:], values)

    def test_it_refuses_values_that_cannot_be_stored(self):
        report = add_stock(
            actor=self.admin, product_id=self.key.pk, values=["OK", "\ud800", 12, None, b"bytes"]
        )

        self.assertEqual((report.new, report.refused), (1, 4))

    def test_it_handles_a_hundred_thousand_lines(self):
        values = [f"KEY-{n:06d}" for n in range(100_000)] + ["KEY-000001", "AAA-111"]

        report = add_stock(actor=self.admin, product_id=self.key.pk, values=values)

        self.assertEqual((report.new, report.duplicates, report.existing), (100_000, 1, 1))
        self.assertEqual(StockUnit.objects.filter(product=self.key).count(), 100_002)

    def test_it_refuses_what_is_not_a_list_of_lines(self):
        for values in ["AAA\nBBB", None, 42, b"AAA"]:
            with self.subTest(values=values), self.assertRaises(InvalidInput):
                add_stock(actor=self.admin, product_id=self.key.pk, values=values)
        self.assertEqual(StockUnit.objects.count(), 2)

    def test_it_refuses_unlimited_and_unknown_products_and_customers(self):
        with self.assertRaises(InvalidInput):
            add_stock(actor=self.admin, product_id=self.gift.pk, values=["A"])
        with self.assertRaises(ProductNotFound):
            add_stock(actor=self.admin, product_id=-1, values=["A"])
        with self.assertRaises(PermissionDenied):
            add_stock(actor=self.alice, product_id=self.key.pk, values=["A"])
        self.assertEqual(StockUnit.objects.count(), 2)


class DeleteStockUnitTests(ShopTestCase):
    def test_it_removes_an_unsold_unit(self):
        unit = StockUnit.objects.get(value="BBB-222")

        delete_stock_unit(actor=self.admin, unit_id=unit.pk)

        self.assertEqual(unsold_values(self.key), ["AAA-111"])
        self.assertTrue(AuditEntry.objects.filter(action="delete_stock_unit").exists())

    def test_it_refuses_a_sold_unit(self):
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        with self.assertRaises(StockUnitSold):
            delete_stock_unit(actor=self.admin, unit_id=StockUnit.objects.get(value="AAA-111").pk)
        self.assertEqual(StockUnit.objects.count(), 2)

    def test_it_refuses_unknown_units_and_customers(self):
        for unit_id in [999_999, 0, "x", None]:
            with self.subTest(unit_id=unit_id), self.assertRaises(StockUnitNotFound):
                delete_stock_unit(actor=self.admin, unit_id=unit_id)
        with self.assertRaises(PermissionDenied):
            delete_stock_unit(actor=self.bob, unit_id=StockUnit.objects.first().pk)
        self.assertEqual(StockUnit.objects.count(), 2)


class SetLowStockThresholdTests(ShopTestCase):
    def test_it_sets_the_threshold(self):
        product = set_low_stock_threshold(actor=self.admin, product_id=self.key.pk, threshold="5")

        self.assertEqual(product.low_stock_threshold, 5)

    def test_it_refuses_hostile_thresholds(self):
        for threshold in [-1, 1_000_001, "many", "", None, 2.5, "1e3", "<1>"]:
            with self.subTest(threshold=threshold), self.assertRaises(InvalidInput):
                set_low_stock_threshold(actor=self.admin, product_id=self.key.pk, threshold=threshold)
        self.key.refresh_from_db()
        self.assertEqual(self.key.low_stock_threshold, 0)

    def test_it_refuses_customers(self):
        with self.assertRaises(PermissionDenied):
            set_low_stock_threshold(actor=self.alice, product_id=self.key.pk, threshold=1)
