from decimal import Decimal

from accounts.models import AuditEntry
from catalog.models import Category, Product, Purchase, StockUnit
from catalog.services import (
    delete_category,
    delete_product,
    move_category,
    purchase_product,
    save_category,
    save_product,
    set_category_active,
    set_product_active,
)
from shopbot.errors import (
    AmountOutOfRange,
    CategoryNotFound,
    InvalidAmount,
    InvalidInput,
    NameTaken,
    PermissionDenied,
    ProductNotFound,
)
from shopbot.test import ShopTestCase, make_product, row_counts

HOSTILE_NAMES = ["", "   ", "\n\t", "\x00", None, 42]
HOSTILE_PRICES = [
    "",
    "0",
    "0.00",
    "-1",
    "-0.01",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1e5",
    "1.234",
    "10000.01",
    "99999999999999",
    "<b>9</b>",
    "9; DROP TABLE catalog_product",
    9.99,
    float("inf"),
    None,
    True,
    Decimal("sNaN"),
]


class SaveCategoryTests(ShopTestCase):
    def test_it_creates_a_category_at_the_end_and_audits_it(self):
        films = save_category(actor=self.admin, name="  Films   and  series ")

        self.assertEqual(films.name, "Films and series")
        self.assertEqual(films.position, 2)
        self.assertTrue(AuditEntry.objects.filter(action="save_category", target="Films and series").exists())

    def test_it_renames_a_category(self):
        save_category(actor=self.admin, name="Video games", category_id=self.games.pk)

        self.games.refresh_from_db()
        self.assertEqual(self.games.name, "Video games")

    def test_it_keeps_html_and_sql_looking_names_as_text(self):
        category = save_category(actor=self.admin, name="<b>Keys</b> '; DROP TABLE x; --")

        self.assertEqual(Category.objects.get(pk=category.pk).name, "<b>Keys</b> '; DROP TABLE x; --")

    def test_it_refuses_empty_and_too_long_names(self):
        for name in [*HOSTILE_NAMES, "x" * 101]:
            with self.subTest(name=name), self.assertRaisesMessage(InvalidInput, "1 to 100 characters"):
                save_category(actor=self.admin, name=name)
        self.assertEqual(Category.objects.count(), 1)

    def test_it_refuses_a_taken_name_in_any_case(self):
        with self.assertRaisesMessage(NameTaken, "GAMES"):
            save_category(actor=self.admin, name="GAMES")
        self.assertEqual(Category.objects.count(), 1)

    def test_it_refuses_unknown_categories_and_customers(self):
        with self.assertRaises(CategoryNotFound):
            save_category(actor=self.admin, name="X", category_id=999_999)
        with self.assertRaises(PermissionDenied):
            save_category(actor=self.alice, name="Mine")
        self.assertEqual(Category.objects.count(), 1)


class SetCategoryActiveTests(ShopTestCase):
    def test_it_hides_and_shows_a_category(self):
        self.assertIs(
            set_category_active(actor=self.admin, category_id=self.games.pk, active=False).is_active, False
        )
        self.assertIs(
            set_category_active(actor=self.admin, category_id=self.games.pk, active=True).is_active, True
        )

    def test_it_refuses_forged_ids(self):
        for category_id in [0, -5, "abc", None, 2**64]:
            with self.subTest(category_id=category_id), self.assertRaises(CategoryNotFound):
                set_category_active(actor=self.admin, category_id=category_id, active=False)


class MoveCategoryTests(ShopTestCase):
    def test_it_swaps_a_category_with_its_neighbour(self):
        films = save_category(actor=self.admin, name="Films")
        music = save_category(actor=self.admin, name="Music")

        move_category(actor=self.admin, category_id=music.pk, direction="up")

        self.assertEqual(list(Category.objects.values_list("name", flat=True)), ["Games", "Music", "Films"])
        move_category(actor=self.admin, category_id=self.games.pk, direction="up")  # already first: no change
        move_category(actor=self.admin, category_id=self.games.pk, direction="down")
        self.assertEqual(list(Category.objects.values_list("name", flat=True)), ["Music", "Games", "Films"])
        self.assertEqual(films.pk, Category.objects.last().pk)

    def test_it_orders_categories_with_equal_positions(self):
        Category.objects.create(name="B", position=1)
        Category.objects.create(name="A", position=1)

        move_category(actor=self.admin, category_id=self.games.pk, direction="up")

        self.assertEqual(list(Category.objects.values_list("name", flat=True)), ["A", "Games", "B"])

    def test_it_refuses_bad_directions_and_ids(self):
        for direction in ["left", "", None, "UP; DROP"]:
            with self.subTest(direction=direction), self.assertRaises(InvalidInput):
                move_category(actor=self.admin, category_id=self.games.pk, direction=direction)
        with self.assertRaises(CategoryNotFound):
            move_category(actor=self.admin, category_id=999_999, direction="up")


class DeleteCategoryTests(ShopTestCase):
    def test_it_deletes_products_and_stock_and_keeps_purchase_history(self):
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        report = delete_category(actor=self.admin, category_id=self.games.pk)

        self.assertEqual((report.products, report.units), (2, 1))
        self.assertEqual(
            row_counts(Product, StockUnit, Category), {"Product": 0, "StockUnit": 0, "Category": 0}
        )
        purchase.refresh_from_db()
        self.assertIsNone(purchase.product)
        self.assertEqual((purchase.product_name, purchase.value), ("Game key", "AAA-111"))
        self.assertTrue(AuditEntry.objects.filter(action="delete_category", target="Games").exists())

    def test_it_refuses_unknown_categories_and_customers(self):
        with self.assertRaises(CategoryNotFound):
            delete_category(actor=self.admin, category_id=999_999)
        with self.assertRaises(PermissionDenied):
            delete_category(actor=self.bob, category_id=self.games.pk)
        self.assertEqual(Product.objects.count(), 2)


class SaveProductTests(ShopTestCase):
    def save(self, **fields):
        defaults = {"category_id": self.games.pk, "name": "Steam card", "price": "15.50"}
        return save_product(actor=self.admin, **{**defaults, **fields})

    def test_it_creates_a_product(self):
        product = self.save(
            description="  A card.\r\nRedeem it on Steam.  ", image="https://example.com/card.png"
        )

        self.assertEqual((product.name, product.price), ("Steam card", Decimal("15.50")))
        self.assertEqual(product.description, "A card.\nRedeem it on Steam.")
        self.assertTrue(AuditEntry.objects.filter(action="save_product", target="Steam card").exists())

    def test_it_accepts_prices_as_people_type_them(self):
        for price, expected in [
            ("15", "15.00"),
            ("15,5", "15.50"),
            (" 0.01 ", "0.01"),
            ("10000", "10000.00"),
        ]:
            with self.subTest(price=price):
                self.assertEqual(self.save(name=f"P {price}", price=price).price, Decimal(expected))

    def test_it_edits_a_product_and_moves_it_to_another_category(self):
        films = Category.objects.create(name="Films")

        product = self.save(product_id=self.key.pk, category_id=films.pk, name="Film key", price="1")

        self.key.refresh_from_db()
        self.assertEqual(
            (self.key.category, self.key.name, self.key.price), (films, "Film key", Decimal("1.00"))
        )
        self.assertEqual(product.pk, self.key.pk)

    def test_it_creates_an_unlimited_product_with_its_value(self):
        product = self.save(is_unlimited=True, unlimited_value="  https://example.com/file  ")

        self.assertEqual(product.unlimited_value, "https://example.com/file")

    def test_it_accepts_a_telegram_file_id_as_the_picture(self):
        product = self.save(image="AgACAgIAAxkBAAIBZ2Z_abc-def_1234567890")

        self.assertEqual(product.image, "AgACAgIAAxkBAAIBZ2Z_abc-def_1234567890")

    def test_it_refuses_bad_prices(self):
        for price in HOSTILE_PRICES:
            with self.subTest(price=price), self.assertRaises((InvalidAmount, AmountOutOfRange)):
                self.save(price=price)
        self.assertEqual(Product.objects.count(), 2)

    def test_it_refuses_bad_names_descriptions_and_pictures(self):
        cases = [
            *({"name": name} for name in [*HOSTILE_NAMES, "n" * 101]),
            {"description": "d" * 3001},
            {"description": 12},
            {"image": "javascript:alert(1)"},
            {"image": "http://example.com/a.png"},
            {"image": "<img src=x>"},
            {"image": "https://" + "a" * 500},
            {"is_unlimited": True, "unlimited_value": "   "},
            {"is_unlimited": True, "unlimited_value": "v" * 4001},
            {"is_unlimited": "yes", "unlimited_value": "v"},
        ]
        for fields in cases:
            with (
                self.subTest(fields={k: str(v)[:20] for k, v in fields.items()}),
                self.assertRaises(InvalidInput),
            ):
                self.save(**fields)
        self.assertEqual(Product.objects.count(), 2)

    def test_it_refuses_a_name_taken_in_the_category(self):
        with self.assertRaisesMessage(NameTaken, "game KEY"):
            self.save(name="game KEY")
        self.assertEqual(Product.objects.count(), 2)

    def test_it_allows_the_same_name_in_another_category(self):
        films = Category.objects.create(name="Films")

        self.assertEqual(self.save(category_id=films.pk, name="Game key").name, "Game key")

    def test_it_refuses_unknown_categories_products_and_customers(self):
        with self.assertRaises(CategoryNotFound):
            self.save(category_id=999_999)
        with self.assertRaises(ProductNotFound):
            self.save(product_id=999_999)
        with self.assertRaises(PermissionDenied):
            save_product(actor=self.alice, category_id=self.games.pk, name="X", price="1")
        self.assertEqual(Product.objects.count(), 2)


class SetProductActiveTests(ShopTestCase):
    def test_it_hides_and_shows_a_product(self):
        self.assertIs(
            set_product_active(actor=self.admin, product_id=self.key.pk, active=False).is_active, False
        )
        self.assertIs(
            set_product_active(actor=self.admin, product_id=self.key.pk, active=True).is_active, True
        )
        self.assertEqual(AuditEntry.objects.filter(target="Game key").count(), 2)

    def test_it_refuses_forged_ids_and_customers(self):
        with self.assertRaises(ProductNotFound):
            set_product_active(actor=self.admin, product_id="1 OR 1=1", active=False)
        with self.assertRaises(PermissionDenied):
            set_product_active(actor=self.bob, product_id=self.key.pk, active=False)


class DeleteProductTests(ShopTestCase):
    def test_it_deletes_a_product_with_its_unsold_stock_and_keeps_purchases(self):
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        other = make_product(self.games, "Other", "1.00", units=["O-1"])

        report = delete_product(actor=self.admin, product_id=self.key.pk)

        self.assertEqual((report.products, report.units), (1, 1))
        self.assertEqual(list(StockUnit.objects.values_list("value", flat=True)), ["O-1"])
        self.assertEqual(Purchase.objects.get().product_name, "Game key")
        self.assertTrue(Product.objects.filter(pk=other.pk).exists())

    def test_it_refuses_unknown_products_and_customers(self):
        with self.assertRaises(ProductNotFound):
            delete_product(actor=self.admin, product_id=999_999)
        with self.assertRaises(PermissionDenied):
            delete_product(actor=self.alice, product_id=self.key.pk)
        self.assertEqual(Product.objects.count(), 2)
