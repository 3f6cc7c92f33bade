"""Catalog import and export of the delivery kind: written, read back, refused when unknown or impossible."""

from __future__ import annotations

import json
from typing import Any

from catalog.importing import dump_catalog, export_catalog, import_catalog
from catalog.models import Category, Product, StockUnit
from shopbot.errors import ImportRefused
from shopbot.test import ShopTestCase

KINDS = {
    "categories": [
        {
            "name": "Digital",
            "products": [
                {"name": "Key", "price": "5", "delivery": "stock", "stock": ["K-1"]},
                {"name": "Link", "price": "6", "delivery": "shared", "value": "https://example.com/x"},
                {"name": "Licence file", "price": "7", "delivery": "file"},
                {"name": "E-book", "price": "8", "delivery": "shared_file"},
            ],
        }
    ]
}


def text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def one_product(**fields: Any) -> str:
    return text({"categories": [{"name": "A", "products": [{"name": "P", "price": "1", **fields}]}]})


class ImportDeliveryTests(ShopTestCase):
    def kinds(self) -> dict[str, tuple[str, bool]]:
        rows = Product.objects.filter(category__name="Digital").values_list(
            "name", "delivery", "is_unlimited"
        )
        return {name: (kind, unlimited) for name, kind, unlimited in rows}

    def test_it_imports_each_delivery_kind(self) -> None:
        import_catalog(text=text(KINDS))

        self.assertEqual(
            self.kinds(),
            {
                "Key": ("stock", False),
                "Link": ("shared", True),
                "Licence file": ("file", False),
                "E-book": ("shared_file", True),
            },
        )
        self.assertEqual(
            Product.objects.get(name="E-book").unlimited_value, ""
        )  # sold out until the file is set

    def test_it_exports_the_kind_and_round_trips(self) -> None:
        import_catalog(text=text(KINDS))
        exported = dump_catalog()
        categories = {item["name"]: item for item in export_catalog()["categories"]}
        products = categories["Digital"]["products"]
        by_name = {item["name"]: item for item in products}
        self.assertEqual({name: item["delivery"] for name, item in by_name.items()}, {
            "E-book": "shared_file", "Key": "stock", "Licence file": "file", "Link": "shared",
        })  # fmt: skip
        self.assertNotIn("stock", by_name["Licence file"])  # documents are uploaded, not exported
        self.assertNotIn("value", by_name["E-book"])

        again = import_catalog(text=exported)
        self.assertEqual(again.products.updated + again.stock_added, 0)
        Category.objects.all().delete()
        import_catalog(text=exported)
        self.assertEqual(dump_catalog(), exported)

    def test_it_reads_a_file_without_the_key_as_before(self) -> None:
        import_catalog(text=one_product(stock=["U-1"]))
        import_catalog(text=text({"categories": [{"name": "B", "products": [
            {"name": "Q", "price": "1", "unlimited": True, "value": "v"},
        ]}]}))  # fmt: skip

        self.assertEqual(Product.objects.get(name="P").delivery, "stock")
        self.assertEqual(Product.objects.get(name="Q").delivery, "shared")

    def test_it_keeps_the_kind_of_a_product_when_the_key_is_left_out(self) -> None:
        import_catalog(text=one_product(delivery="file"))
        import_catalog(text=one_product(price="2"))

        self.assertEqual(Product.objects.get(name="P").delivery, "file")

    def test_it_refuses_an_unknown_kind_naming_the_place(self) -> None:
        for kind in ("seller", "", 1, None, "STOCK"):
            with (
                self.subTest(kind=kind),
                self.assertRaisesMessage(
                    ImportRefused, "categories[0].products[0].delivery: expected one of stock, shared, file"
                ),
            ):
                import_catalog(text=one_product(delivery=kind))
        self.assertFalse(Category.objects.filter(name="A").exists())

    def test_a_dynamic_product_travels_without_its_endpoint_or_secret(self) -> None:
        import_catalog(text=one_product(delivery="dynamic", unlimited=True))
        product = Product.objects.get(name="P")
        self.assertEqual((product.delivery, product.sells_without_units), ("dynamic", False))  # sold out
        Product.objects.filter(pk=product.pk).update(
            endpoint_url="https://keys.example.com/issue", endpoint_secret="s3cr3t-Key_0123456789"
        )

        exported = export_catalog()
        import_catalog(text=one_product(delivery="dynamic", unlimited=True, description="again"))

        self.assertNotIn("s3cr3t", str(exported))
        self.assertNotIn("keys.example.com", str(exported))
        product.refresh_from_db()
        self.assertEqual(product.endpoint_secret, "s3cr3t-Key_0123456789")  # a re-import keeps it

    def test_it_refuses_a_kind_that_contradicts_unlimited(self) -> None:
        with self.assertRaisesMessage(ImportRefused, "categories[0].products[0].unlimited: does not match"):
            import_catalog(text=one_product(delivery="file", unlimited=True))

    def test_it_refuses_text_stock_and_values_for_file_kinds(self) -> None:
        with self.assertRaisesMessage(ImportRefused, "categories[0].products[0].stock: a file product"):
            import_catalog(text=one_product(delivery="file", stock=["x"]))
        with self.assertRaisesMessage(ImportRefused, "categories[0].products[0].value: only a product"):
            import_catalog(text=one_product(delivery="shared_file", value="name.pdf"))

    def test_it_refuses_to_turn_unsold_text_units_into_files(self) -> None:
        import_catalog(text=one_product(stock=["U-1"]))

        with self.assertRaisesMessage(ImportRefused, "A / P: Remove the unsold units first"):
            import_catalog(text=one_product(delivery="file"))

        self.assertEqual(Product.objects.get(name="P").delivery, "stock")
        self.assertEqual(StockUnit.objects.filter(product__name="P").count(), 1)

    def test_it_imports_a_manual_product_without_value_or_stock(self) -> None:
        import_catalog(text=one_product(delivery="manual"))

        product = Product.objects.get(name="P")
        self.assertEqual(
            (product.delivery, product.is_unlimited, product.unlimited_value), ("manual", True, "")
        )
        with self.assertRaisesMessage(ImportRefused, "categories[0].products[0].stock"):
            import_catalog(text=one_product(delivery="manual", stock=["X"]))

    def test_a_manual_products_hours_and_questions_go_out_and_back(self) -> None:
        questions = [{"label": "Your e-mail", "max_length": 60}, {"label": "Server", "max_length": 20}]
        import_catalog(text=one_product(delivery="manual", fulfil_hours=6, questions=questions))

        exported = export_catalog()["categories"][0]["products"][0]
        self.assertEqual((exported["fulfil_hours"], exported["questions"]), (6, questions))
        import_catalog(text=one_product(delivery="manual", questions=[]))
        self.assertFalse(Product.objects.get(name="P").questions.exists())

    def test_the_pre_orders_switch_goes_out_and_back(self) -> None:
        import_catalog(text=one_product(stock=["X"], preorders=True))

        self.assertIs(export_catalog()["categories"][0]["products"][0]["preorders"], True)
        import_catalog(text=one_product(preorders=False))
        self.assertIs(Product.objects.get(name="P").preorders, False)
        with self.assertRaisesMessage(ImportRefused, "categories[0].products[0].preorders"):
            import_catalog(text=one_product(preorders="yes"))

    def test_it_refuses_bad_hours_and_questions_with_their_place(self) -> None:
        place = "categories[0].products[0]"
        for fields, where in [
            ({"fulfil_hours": 0}, "fulfil_hours"),
            ({"fulfil_hours": 721}, "fulfil_hours"),
            ({"questions": [{"label": "a", "max_length": 5}] * 4}, "questions"),
            ({"questions": [{"label": "", "max_length": 5}]}, "questions[0]"),
            ({"questions": [{"label": "a", "max_length": 5000}]}, "questions[0]"),
            ({"questions": [{"label": "a"}]}, "questions[0]"),
            ({"questions": "a"}, "questions"),
        ]:
            with self.subTest(fields=fields), self.assertRaisesMessage(ImportRefused, f"{place}.{where}"):
                import_catalog(text=one_product(delivery="manual", **fields))
        with self.assertRaisesMessage(ImportRefused, f"{place}.questions"):
            import_catalog(text=one_product(questions=[{"label": "a", "max_length": 5}]))
        self.assertFalse(Product.objects.filter(name="P").exists())
