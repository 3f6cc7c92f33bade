"""The import_catalog, export_catalog and setup_demo management commands."""

from __future__ import annotations

import io
import json
import stat
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase

from catalog.importing import DEMO_CATALOG, read_catalog
from catalog.models import Category, Product, StockUnit
from shopbot.test import ShopTestCase, make_staff, row_counts


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class CatalogCommandTests(ShopTestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def write(self, data: object) -> str:
        path = self.folder / "catalog.json"
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return str(path)

    def test_it_exports_to_stdout_and_to_a_file(self) -> None:
        printed = json.loads(run("export_catalog"))
        path = self.folder / "out.json"
        run("export_catalog", str(path))

        self.assertEqual(json.loads(path.read_text(encoding="utf-8")), printed)
        self.assertEqual(printed["categories"][0]["products"][0]["stock"], ["AAA-111", "BBB-222"])

    def test_it_writes_the_export_only_its_owner_can_read(self) -> None:
        path = self.folder / "out.json"
        path.write_text("old")
        path.chmod(0o644)

        run("export_catalog", str(path))

        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        self.assertIn("AAA-111", path.read_text(encoding="utf-8"))

    def test_it_imports_and_reports(self) -> None:
        data = {
            "categories": [
                {"name": "Books", "products": [{"name": "Novel", "price": "7.50", "stock": ["N-1"]}]}
            ]
        }

        output = run("import_catalog", self.write(data))

        self.assertIn("Categories: 1 added, 0 updated, 0 unchanged.", output)
        self.assertIn("Stock units: 1 added", output)
        self.assertTrue(Product.objects.filter(name="Novel", category__name="Books").exists())

    def test_it_writes_nothing_in_a_dry_run(self) -> None:
        data = {"categories": [{"name": "Books", "products": [{"name": "Novel", "price": "7.50"}]}]}
        before = row_counts(Category, Product, StockUnit)

        output = run("import_catalog", self.write(data), "--dry-run")

        self.assertIn("Categories: 1 added", output)
        self.assertIn("Dry run: nothing was written.", output)
        self.assertEqual(row_counts(Category, Product, StockUnit), before)

    def test_it_refuses_a_bad_file_with_the_place(self) -> None:
        data = {"categories": [{"name": "Books", "products": [{"name": "Novel", "price": 7.5}]}]}

        with self.assertRaisesMessage(
            CommandError, "categories[0].products[0].price: expected an amount like 9.99"
        ):
            run("import_catalog", self.write(data))

        self.assertFalse(Category.objects.filter(name="Books").exists())

    def test_it_refuses_a_missing_file(self) -> None:
        with self.assertRaisesMessage(CommandError, "Cannot read"):
            run("import_catalog", str(self.folder / "missing.json"))

    def test_it_round_trips_through_the_commands(self) -> None:
        path = self.folder / "shop.json"
        run("export_catalog", str(path))
        exported = path.read_text(encoding="utf-8")

        Category.objects.all().delete()
        run("import_catalog", str(path))

        self.assertEqual(run("export_catalog"), exported)


class SetupDemoTests(TestCase):
    def test_it_loads_the_demo_and_creates_one_staff_login(self) -> None:
        first = run("setup_demo")

        self.assertIn("Loaded the demo catalog", first)
        self.assertIn("username: admin", first)
        password = first.split("password: ")[1].split()[0]
        user = get_user_model().objects.get(username="admin")
        self.assertIs(user.is_superuser, True)
        self.assertTrue(user.check_password(password))
        self.assertGreaterEqual(Category.objects.count(), 3)

        counts = row_counts(Category, Product, StockUnit, get_user_model())
        second = run("setup_demo")

        self.assertEqual(row_counts(Category, Product, StockUnit, get_user_model()), counts)
        self.assertNotIn("password", second)
        self.assertNotIn(password, second)

    def test_it_leaves_an_existing_shop_and_staff_alone(self) -> None:
        Category.objects.create(name="Mine")
        make_staff("owner", superuser=True)

        output = run("setup_demo")

        self.assertEqual(list(Category.objects.values_list("name", flat=True)), ["Mine"])
        self.assertEqual(get_user_model().objects.count(), 1)
        self.assertIn("demo catalog was not loaded", output)

    def test_it_picks_another_name_when_a_plain_admin_user_exists(self) -> None:
        get_user_model().objects.create_user(username="admin", password="x")

        output = run("setup_demo")

        self.assertIn("username: admin-", output)
        self.assertIs(get_user_model().objects.get(username="admin").is_staff, False)


class DemoCatalogTests(TestCase):
    def test_it_ships_a_valid_demo_catalog(self) -> None:
        categories = read_catalog(DEMO_CATALOG.read_bytes())

        products = [product for category in categories for product in category.products]
        self.assertGreaterEqual(len(categories), 4)
        self.assertTrue(any(product.fields.get("is_unlimited") for product in products))
        for product in products:
            with self.subTest(product=product.name):
                self.assertTrue(product.fields["description"])
                self.assertTrue(product.fields.get("is_unlimited") or len(product.stock) >= 2)
