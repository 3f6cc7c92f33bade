"""Hide when sold out: sold-out products (and categories) leave the lists, their cards stay; the badge otherwise."""

import json

from accounts.models import AuditEntry
from catalog.cache import catalog_version
from catalog.importing import dump_catalog, import_catalog
from catalog.models import Category, Product, StockUnit
from catalog.selectors import get_product_card, list_categories, list_products
from catalog.selectors.storefront import search_products
from catalog.services import (
    add_stock,
    delete_stock_unit,
    purchase_product,
    set_category_hide_when_sold_out,
    set_product_hide_when_sold_out,
)
from catalog.services.delivery_files import set_delivery_kind
from shopbot.errors import InvalidInput, PermissionDenied
from shopbot.test import ShopTestCase, make_product


def listed(category) -> list[str]:
    return [product.name for product in list_products(category_id=category.pk).items]


def categories() -> list[str]:
    return [category.name for category in list_categories().items]


class HideWhenSoldOutTests(ShopTestCase):
    def sell_out(self, product):
        for _unit in StockUnit.objects.filter(product=product, sold_at__isnull=True):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=product.pk)

    def test_a_sold_out_product_is_listed_with_the_badge_by_default(self):
        self.sell_out(self.key)

        products = list_products(category_id=self.games.pk).items

        self.assertEqual([product.name for product in products], ["Game key", "Gift link"])
        self.assertEqual([product.in_stock for product in products], [False, True])

    def test_a_product_that_hides_leaves_the_lists_and_the_search_but_keeps_its_card(self):
        set_product_hide_when_sold_out(actor=self.owner, product_id=self.key.pk, hide=True)
        self.assertEqual(listed(self.games), ["Game key", "Gift link"])  # in stock: listed
        self.sell_out(self.key)

        self.assertEqual(listed(self.games), ["Gift link"])
        self.assertEqual([product.name for product in search_products(query="key").items], [])
        card = get_product_card(product_id=self.key.pk)
        self.assertIs(card.in_stock, False)
        self.assertEqual(categories(), ["Games"])  # the category's own flag is off

    def test_a_shared_product_without_its_value_hides_too(self):
        config = make_product(self.games, "Config", "2.00", is_unlimited=True, hide_when_sold_out=True)
        set_delivery_kind(actor=self.owner, product_id=config.pk, kind=Product.DeliveryKind.SHARED_FILE)

        self.assertNotIn("Config", listed(self.games))
        self.assertIn("Gift link", listed(self.games))

    def test_a_category_that_hides_hides_its_sold_out_products_then_itself(self):
        films = Category.objects.create(name="Films", position=2)
        film = make_product(films, "Film", "3.00", units=["F-1"])
        set_category_hide_when_sold_out(actor=self.owner, category_id=films.pk, hide=True)
        self.assertEqual(categories(), ["Games", "Films"])

        purchase_product(telegram_id=self.alice.telegram_id, product_id=film.pk)  # the last unit

        self.assertEqual(listed(films), [])
        self.assertEqual(categories(), ["Games"])
        self.assertIs(get_product_card(product_id=film.pk).in_stock, False)

        add_stock(actor=self.owner, product_id=film.pk, values=["F-2"])
        self.assertEqual(categories(), ["Games", "Films"])
        self.assertEqual(listed(films), ["Film"])

    def test_a_category_without_the_flag_stays_when_its_products_hide(self):
        films = Category.objects.create(name="Films", position=2)
        make_product(films, "Film", "3.00", hide_when_sold_out=True)

        self.assertEqual(listed(films), [])
        self.assertEqual(categories(), ["Games", "Films"])

    def test_the_cached_lists_follow_the_last_sale_a_restock_and_a_removed_unit(self):
        set_product_hide_when_sold_out(actor=self.owner, product_id=self.key.pk, hide=True)
        StockUnit.objects.filter(product=self.key, value="BBB-222").delete()
        self.assertEqual(listed(self.games), ["Game key", "Gift link"])  # cached now

        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assertEqual(listed(self.games), ["Gift link"])

        add_stock(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])
        self.assertEqual(listed(self.games), ["Game key", "Gift link"])

        unit = StockUnit.objects.get(product=self.key, value="NEW-1")
        delete_stock_unit(actor=self.owner, unit_id=unit.pk)
        self.assertEqual(listed(self.games), ["Gift link"])

    def test_a_sale_that_leaves_stock_keeps_the_cached_lists(self):
        set_product_hide_when_sold_out(actor=self.owner, product_id=self.key.pk, hide=True)
        self.assertEqual(listed(self.games), ["Game key", "Gift link"])
        version = catalog_version()

        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)  # one unit left

        self.assertEqual(catalog_version(), version)
        self.assertEqual(listed(self.games), ["Game key", "Gift link"])

    def test_the_switches_are_audited_and_refuse_bad_input_and_other_staff(self):
        for bad in ("yes", 1, None, "<b>on</b>"):
            with self.assertRaises(InvalidInput):
                set_product_hide_when_sold_out(actor=self.owner, product_id=self.key.pk, hide=bad)
            with self.assertRaises(InvalidInput):
                set_category_hide_when_sold_out(actor=self.owner, category_id=self.games.pk, hide=bad)
        with self.assertRaises(PermissionDenied):
            set_product_hide_when_sold_out(actor=self.bob, product_id=self.key.pk, hide=True)
        with self.assertRaises(PermissionDenied):
            set_category_hide_when_sold_out(actor=self.bob, category_id=self.games.pk, hide=True)
        self.assertFalse(Product.objects.get(pk=self.key.pk).hide_when_sold_out)

        set_product_hide_when_sold_out(actor=self.owner, product_id=self.key.pk, hide=True)
        set_category_hide_when_sold_out(actor=self.owner, category_id=self.games.pk, hide=True)

        self.assertTrue(Product.objects.get(pk=self.key.pk).hide_when_sold_out)
        self.assertTrue(Category.objects.get(pk=self.games.pk).hide_when_sold_out)
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        self.assertLessEqual({"set_hide_when_sold_out", "set_category_hide_when_sold_out"}, actions)


class ImportExportTests(ShopTestCase):
    def test_export_and_import_carry_the_flags(self):
        Product.objects.filter(pk=self.key.pk).update(hide_when_sold_out=True)
        Category.objects.filter(pk=self.games.pk).update(hide_when_sold_out=True)
        exported = json.loads(dump_catalog())
        games = exported["categories"][0]
        self.assertIs(games["hide_when_sold_out"], True)
        self.assertEqual([item["hide_when_sold_out"] for item in games["products"]], [True, False])

        games["hide_when_sold_out"] = False
        games["products"][1]["hide_when_sold_out"] = True
        import_catalog(text=json.dumps(exported))

        self.assertFalse(Category.objects.get(pk=self.games.pk).hide_when_sold_out)
        self.assertTrue(Product.objects.get(pk=self.gift.pk).hide_when_sold_out)
        self.assertTrue(Product.objects.get(pk=self.key.pk).hide_when_sold_out)

    def test_import_refuses_a_flag_that_is_not_a_boolean(self):
        catalog = {
            "categories": [
                {
                    "name": "Games",
                    "products": [{"name": "Game key", "price": "9.99", "hide_when_sold_out": "yes"}],
                }
            ]
        }
        with self.assertRaisesMessage(Exception, "categories[0].products[0].hide_when_sold_out"):
            import_catalog(text=json.dumps(catalog))
        self.assertFalse(Product.objects.get(pk=self.key.pk).hide_when_sold_out)
