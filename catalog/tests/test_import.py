"""Catalog import and export: idempotent upserts, dry runs, refusals that name the place, round trips."""

from __future__ import annotations

import json
from typing import Any

from accounts.models import AuditEntry
from catalog.importing import dump_catalog, export_catalog, import_catalog, read_catalog
from catalog.models import Category, Product, StockUnit
from catalog.services import purchase_product
from shopbot.errors import ImportRefused, PermissionDenied
from shopbot.test import ShopTestCase, row_counts

CATALOG = {
    "categories": [
        {
            "name": "Software",
            "products": [
                {
                    "name": "Office licence",
                    "description": "One PC, one year.",
                    "price": "19.90",
                    "unlimited": False,
                    "stock": ["OFF-1", "OFF-2", "OFF-2", " OFF-3 "],
                },
                {
                    "name": "Manual",
                    "price": "3",
                    "unlimited": True,
                    "value": "https://example.com/manual.pdf",
                },
            ],
        },
        {
            "name": "Games",
            "products": [{"name": "Game key", "price": "9.99", "stock": ["AAA-111", "CCC-333"]}],
        },
    ]
}


def text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def snapshot() -> dict[str, Any]:
    """Return everything an import may touch, to compare the database before and after."""
    return {
        "categories": list(Category.objects.order_by("name").values_list("name", "position", "is_active")),
        "products": list(
            Product.objects.order_by("category__name", "name").values_list(
                "category__name",
                "name",
                "description",
                "price",
                "is_unlimited",
                "unlimited_value",
                "is_active",
            )
        ),
        "stock": sorted(StockUnit.objects.values_list("product__name", "value", "sold_at")),
        **row_counts(AuditEntry),
    }


class ImportCatalogTests(ShopTestCase):
    def test_it_adds_and_updates_and_reports(self) -> None:
        report = import_catalog(text=text(CATALOG))

        self.assertEqual(str(report.categories), "1 added, 0 updated, 1 unchanged.")
        self.assertEqual(str(report.products), "2 added, 0 updated, 1 unchanged.")
        self.assertEqual(
            (report.stock_added, report.stock_already_present, report.stock_repeated_in_file), (4, 1, 1)
        )
        licence = Product.objects.get(name="Office licence")
        self.assertEqual(str(licence.price), "19.90")
        self.assertEqual(list(licence.stock.values_list("value", flat=True)), ["OFF-1", "OFF-2", "OFF-3"])
        manual = Product.objects.get(name="Manual")
        self.assertIs(manual.is_unlimited, True)
        self.assertEqual(manual.unlimited_value, "https://example.com/manual.pdf")
        self.assertTrue(AuditEntry.objects.filter(action="import_catalog", actor_label="system").exists())

    def test_it_takes_names_as_long_as_the_seed_bot_stores(self) -> None:
        # 100 Cyrillic characters, as the seed bot's categories and products may hold.
        category = ("Ключи активации для компьютерных игр, подписки и дополнения " * 2)[:100]
        product = ("Годовая подписка на облачное хранилище с семейным доступом, " * 2)[:100]
        long_names = {
            "categories": [{"name": category, "products": [{"name": product, "price": "5", "stock": ["K"]}]}]
        }

        report = import_catalog(text=text(long_names))

        self.assertEqual((report.categories.added, report.products.added), (1, 1))
        self.assertEqual(Product.objects.get(name=product).category.name, category)

    def test_it_is_idempotent(self) -> None:
        import_catalog(text=text(CATALOG))
        before = snapshot()

        report = import_catalog(text=text(CATALOG))

        after = snapshot()
        after["AuditEntry"] -= 1  # the second import is audited too
        self.assertEqual(after, before)
        self.assertEqual((report.categories.added, report.categories.updated), (0, 0))
        self.assertEqual((report.products.added, report.products.updated), (0, 0))
        self.assertEqual(report.stock_added, 0)

    def test_it_updates_given_fields_and_keeps_left_out_ones(self) -> None:
        data = {
            "categories": [
                {"name": "Games", "active": False, "products": [{"name": "Game key", "price": "12"}]}
            ]
        }

        report = import_catalog(text=text(data))

        self.assertEqual((report.categories.updated, report.products.updated), (1, 1))
        self.key.refresh_from_db()
        self.assertEqual(str(self.key.price), "12.00")
        self.assertEqual(self.key.description, "A key")
        self.assertIs(Category.objects.get(name="Games").is_active, False)

    def test_it_matches_names_ignoring_case_and_spacing(self) -> None:
        data = {"categories": [{"name": " GAMES ", "products": [{"name": "game   KEY", "price": "9.99"}]}]}

        report = import_catalog(text=text(data))

        self.assertEqual((report.categories.unchanged, report.products.unchanged), (1, 1))
        self.assertEqual(Category.objects.count(), 1)

    def test_it_stores_text_as_the_services_do(self) -> None:
        data = {"categories": [{"name": "New\t  games", "products": [
            {"name": "Key", "price": "1", "description": "  One\r\nTwo  ", "stock": ["  K-1  "]},
        ]}]}  # fmt: skip

        import_catalog(text=text(data))

        product = Product.objects.get(category__name="New games", name="Key")
        self.assertEqual(product.description, "One\nTwo")
        self.assertEqual(product.stock.get().value, "K-1")

    def test_it_adds_again_a_value_that_was_sold(self) -> None:
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)  # sells AAA-111

        report = import_catalog(text=text(CATALOG))

        self.assertEqual(report.stock_already_present, 0)
        self.assertEqual(
            StockUnit.objects.filter(product=self.key, value="AAA-111", sold_at__isnull=True).count(), 1
        )

    def test_it_writes_nothing_in_a_dry_run(self) -> None:
        before = snapshot()

        report = import_catalog(text=text(CATALOG), dry_run=True)

        self.assertEqual(snapshot(), before)
        self.assertEqual(report.lines()[:3], import_catalog(text=text(CATALOG)).lines())
        self.assertIn("Dry run: nothing was written.", report.lines())

    def test_it_refuses_an_actor_without_manage_catalog(self) -> None:
        before = snapshot()

        with self.assertRaises(PermissionDenied):
            import_catalog(text=text(CATALOG), actor=self.bob)

        self.assertEqual(snapshot(), {**before, "AuditEntry": before["AuditEntry"] + 1})

    def test_it_round_trips_an_export(self) -> None:
        import_catalog(text=text(CATALOG))
        Product.objects.filter(name="Manual").update(
            is_active=False, position=3, description="Line 1\n\tLine 2"
        )
        exported = dump_catalog()

        same_shop = import_catalog(text=exported)
        self.assertEqual(same_shop.categories.updated + same_shop.products.updated + same_shop.stock_added, 0)

        Category.objects.all().delete()
        import_catalog(text=exported)
        self.assertEqual(dump_catalog(), exported)

    def test_it_exports_unsold_stock_and_unlimited_values(self) -> None:
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        games = export_catalog()["categories"][0]

        key, gift = games["products"]
        self.assertEqual(key["stock"], ["BBB-222"])
        self.assertEqual(key["price"], "9.99")
        self.assertNotIn("value", key)
        self.assertEqual(gift["value"], "https://example.com/gift")
        self.assertNotIn("stock", gift)


def product(**fields: Any) -> dict[str, Any]:
    return {
        "categories": [
            {"name": "Good", "products": []},
            {"name": "Bad", "products": [{"name": "P", **fields}]},
        ]
    }


BROKEN_FILES: list[tuple[str | bytes, str]] = [
    ('{"categories": [', "line 1, column 17"),
    (b"\xff\xfe{}", "not UTF-8"),
    ("[]", "(file): expected an object"),
    ("{}", "(file).categories: this key is required"),
    (text({"categories": {}}), "categories: expected a list"),
    (text({"categories": [{"name": "A"}], "extra": 1}), "(file).extra: unknown key"),
    (text({"categories": ["Games"]}), "categories[0]: expected an object"),
    (text({"categories": [{"name": 5}]}), "categories[0].name: expected text"),
    (text({"categories": [{"name": "  "}]}), "categories[0].name: must not be empty"),
    (text({"categories": [{"name": "x" * 101}]}), "categories[0].name: at most 100 characters, got 101"),
    (
        text({"categories": [{"name": "A"}, {"name": "a"}]}),
        'categories[1].name: the category "a" is already listed',
    ),
    (
        text({"categories": [{"name": "A", "position": "1"}]}),
        "categories[0].position: expected a whole number",
    ),
    (text({"categories": [{"name": "A", "active": 1}]}), "categories[0].active: expected true or false"),
    (text(product(price="9.999")), "categories[1].products[0].price: expected an amount like 9.99"),
    (text(product(price=9.99)), "categories[1].products[0].price: expected an amount like 9.99"),
    (text(product(price="-1")), "categories[1].products[0].price: expected an amount like 9.99"),
    (text(product(price="NaN")), "categories[1].products[0].price: expected an amount like 9.99"),
    (
        text(product(price="20000")),
        "categories[1].products[0].price: Enter an amount from 0.01 RUB to 10000.00",
    ),
    ('{"categories": [{"name": "A", "position": NaN}]}', "NaN is not a number JSON allows"),
    ('{"categories": [{"name": "A", "name": "B"}]}', 'the key "name" appears twice'),
    (text(product()), "categories[1].products[0].price: this key is required"),
    (text(product(price="1", prise="1")), "categories[1].products[0].prise: unknown key"),
    (text(product(price="1", name="n" * 101)), "categories[1].products[0].name: at most 100 characters"),
    (text(product(price="1", description="d" * 3001)), "categories[1].products[0].description: at most 3000"),
    (text(product(price="1", stock="AAA")), "categories[1].products[0].stock: expected a list"),
    (text(product(price="1", stock=["A", 7])), "categories[1].products[0].stock[1]: expected text"),
    (text(product(price="1", stock=["A", ""])), "categories[1].products[0].stock[1]: must not be empty"),
    (
        text(product(price="1", stock=["A\x00B"])),
        "categories[1].products[0].stock[0]: contains a control character",
    ),
    (
        text(product(price="1", stock=["x" * 4001])),
        "categories[1].products[0].stock[0]: at most 4000 characters",
    ),
    (text(product(price="1", unlimited=True)), "categories[1].products[0].value: an unlimited product needs"),
    (
        text(product(price="1", value="x")),
        'categories[1].products[0].value: only a product with "unlimited": true',
    ),
    (
        text(product(price="1", unlimited=True, value="x", stock=["A"])),
        "categories[1].products[0].stock: an unlimited product has no stock units",
    ),
    (
        text(
            {
                "categories": [
                    {"name": "A", "products": [{"name": "P", "price": "1"}, {"name": "P", "price": "2"}]}
                ]
            }
        ),
        'categories[0].products[1].name: the product "P" is already listed at index 0',
    ),
    ("[" * 100_000, "nested too deeply"),
]


class BrokenFileTests(ShopTestCase):
    def test_it_refuses_a_broken_file_naming_the_place_and_writes_nothing(self) -> None:
        before = snapshot()
        for broken, message in BROKEN_FILES:
            with self.subTest(message=message):
                with self.assertRaises(ImportRefused) as refused:
                    import_catalog(text=broken)

                self.assertIn(message, str(refused.exception))
                self.assertTrue(str(refused.exception).startswith("The catalog file was refused: "))
                self.assertEqual(snapshot(), before)

    def test_it_checks_the_whole_file_before_writing(self) -> None:
        data = {
            "categories": [
                CATALOG["categories"][0],
                {"name": "Bad", "products": [{"name": "P", "price": "x"}]},
            ]
        }
        before = snapshot()

        with self.assertRaises(ImportRefused):
            import_catalog(text=text(data))

        self.assertEqual(snapshot(), before)
        self.assertFalse(Category.objects.filter(name="Software").exists())

    def test_it_reads_a_byte_order_mark(self) -> None:
        self.assertEqual(len(read_catalog(b"\xef\xbb\xbf" + text(CATALOG).encode())), 2)
