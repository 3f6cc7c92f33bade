"""The back-in-stock waitlist: joined on a sold-out card, released once by every way of adding stock."""

import json

from catalog.importing import import_catalog
from catalog.models import Product, StockUnit, WaitlistEntry
from catalog.selectors.waitlist import waitlist_lengths
from catalog.services import add_stock, purchase_product
from catalog.services.delivery_files import FileSpec, add_file_stock, set_delivery_kind, set_shared_file
from catalog.services.waitlist import toggle_waitlist
from shopbot.errors import ProductNotFound
from shopbot.test import ShopTestCase, make_customer, make_product

Kind = Product.DeliveryKind


def released(product) -> list[int]:
    entries = WaitlistEntry.objects.filter(product=product, restocked_at__isnull=False)
    return sorted(entries.values_list("customer__telegram_id", flat=True))


class WaitlistTests(ShopTestCase):
    def setUp(self):
        StockUnit.objects.filter(product=self.key).delete()  # sold out
        self.carol = make_customer(1003, username="carol")

    def wait(self, *customers, product=None):
        for customer in customers:
            self.assertTrue(
                toggle_waitlist(telegram_id=customer.telegram_id, product_id=(product or self.key).pk)
            )

    def test_a_customer_joins_and_leaves_the_waitlist_of_a_sold_out_product(self):
        self.assertTrue(toggle_waitlist(telegram_id=self.alice.telegram_id, product_id=self.key.pk))
        self.assertEqual(waitlist_lengths([self.key.pk]), {self.key.pk: 1})

        self.assertFalse(toggle_waitlist(telegram_id=self.alice.telegram_id, product_id=self.key.pk))
        self.assertEqual(waitlist_lengths([self.key.pk]), {})

    def test_a_product_in_stock_or_forged_is_not_joined(self):
        self.assertFalse(toggle_waitlist(telegram_id=self.alice.telegram_id, product_id=self.gift.pk))
        for forged in ("<b>1</b>", "9" * 5000, -1, 999_999):
            with self.assertRaises(ProductNotFound):
                toggle_waitlist(telegram_id=self.alice.telegram_id, product_id=forged)
        self.assertEqual(WaitlistEntry.objects.count(), 0)

    def test_adding_stock_releases_the_waitlist_once(self):
        self.wait(self.alice, self.bob)

        add_stock(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])
        first = dict(WaitlistEntry.objects.values_list("customer_id", "restocked_at"))
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)  # sold out again
        self.wait(self.carol)
        add_stock(actor=self.owner, product_id=self.key.pk, values=["NEW-2"])

        self.assertEqual(released(self.key), [1001, 1002, 1003])
        again = dict(
            WaitlistEntry.objects.filter(customer_id__in=first).values_list("customer_id", "restocked_at")
        )
        self.assertEqual(again, first)  # the first restock's entries were not released twice

    def test_an_upload_that_adds_nothing_releases_nobody(self):
        StockUnit.objects.create(product=self.key, value="OLD")
        StockUnit.objects.filter(product=self.key).update(sold_at=None)
        WaitlistEntry.objects.create(customer=self.alice, product=self.key)

        add_stock(actor=self.owner, product_id=self.key.pk, values=["OLD", ""])

        self.assertEqual(released(self.key), [])

    def test_the_import_releases_the_waitlist(self):
        self.wait(self.alice)
        catalog = {
            "categories": [
                {"name": "Games", "products": [{"name": "Game key", "price": "9.99", "stock": ["IMP-1"]}]}
            ]
        }

        import_catalog(text=json.dumps(catalog))

        self.assertEqual(released(self.key), [1001])

    def test_file_uploads_release_the_waitlist(self):
        ebook = make_product(self.games, "E-book", "3.00", delivery=Kind.FILE)
        config = make_product(self.games, "Config", "2.00")
        set_delivery_kind(actor=self.owner, product_id=config.pk, kind=Kind.SHARED_FILE)
        self.wait(self.alice, product=ebook)
        self.wait(self.bob, product=config)

        add_file_stock(actor=self.owner, product_id=ebook.pk, files=[FileSpec("a.pdf", 10, file_id="f1")])
        set_shared_file(actor=self.owner, product_id=config.pk, file=FileSpec("c.conf", 10, file_id="f2"))

        self.assertEqual((released(ebook), released(config)), ([1001], [1002]))
