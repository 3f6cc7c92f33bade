import tempfile
from decimal import Decimal

from django.core.files.base import ContentFile
from django.test import override_settings

from accounts.models import AuditEntry
from catalog.models import DeliveryFile, Product, Purchase, StockUnit
from catalog.services import add_stock, add_to_cart, checkout_cart, purchase_product
from catalog.services.delivery_files import (
    FILE_MAX_BYTES,
    FileSpec,
    add_file_stock,
    remember_file_id,
    set_delivery_kind,
    set_shared_file,
)
from catalog.services.orders import list_order_purchases, start_cart_order
from catalog.tests.test_orders import STARS_ON, pay
from payments.models import LedgerEntry
from shopbot.errors import InvalidInput, OutOfStock, PermissionDenied
from shopbot.test import MoneyTestCase, make_product, row_counts

Kind = Product.DeliveryKind


def document(name="book.pdf", size=1000, file_id="", **fields):
    return FileSpec(name=name, size=size, file_id=file_id or f"id-{name}", **fields)


class FileProducts:
    """A file product with two documents in stock and a shared-file product, set up as staff would."""

    def make_file_products(self):
        self.ebook = make_product(self.games, "E-book", "3.00", delivery=Kind.FILE)
        add_file_stock(
            actor=self.owner, product_id=self.ebook.pk, files=[document("a.pdf"), document("b.pdf")]
        )
        self.config = make_product(self.games, "Config", "2.00", is_unlimited=True, delivery=Kind.SHARED_FILE)
        set_shared_file(actor=self.owner, product_id=self.config.pk, file=document("vpn.conf", 512))
        self.config.refresh_from_db()


class DeliveryKindTests(MoneyTestCase):
    def test_existing_kinds_follow_is_unlimited(self):
        self.assertEqual((self.key.delivery, self.gift.delivery), (Kind.STOCK, Kind.SHARED))
        self.key.is_unlimited = True
        self.key.save(update_fields=["is_unlimited"])
        self.key.refresh_from_db()
        self.assertEqual(self.key.delivery, Kind.SHARED)

    def test_a_file_product_switched_to_unlimited_stays_a_file_kind(self):
        product = make_product(self.games, "Doc", "1.00", delivery=Kind.FILE, is_unlimited=True)

        self.assertEqual(product.delivery, Kind.SHARED_FILE)

    def test_set_delivery_kind_refuses_forged_kinds_and_changing_unsold_units(self):
        with self.assertRaises(InvalidInput):
            set_delivery_kind(actor=self.owner, product_id=self.key.pk, kind="<b>x</b>" * 1000)
        with self.assertRaisesMessage(InvalidInput, "Remove the unsold units first"):
            set_delivery_kind(actor=self.owner, product_id=self.key.pk, kind=Kind.FILE)
        with self.assertRaises(PermissionDenied):
            set_delivery_kind(actor=self.bob, product_id=self.key.pk, kind=Kind.SHARED)
        self.key.refresh_from_db()
        self.assertEqual(self.key.delivery, Kind.STOCK)

    def test_a_shared_file_product_is_sold_out_until_its_file_is_set(self):
        product = make_product(self.games, "Doc", "1.00")
        set_delivery_kind(actor=self.owner, product_id=product.pk, kind=Kind.SHARED_FILE)

        with self.assertRaises(OutOfStock):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=product.pk)


class FileUploadTests(MoneyTestCase, FileProducts):
    def test_each_document_is_one_unit_and_a_repeated_file_is_skipped(self):
        self.make_file_products()

        added = add_file_stock(
            actor=self.owner, product_id=self.ebook.pk, files=[document("a.pdf"), document("c.pdf")]
        )

        self.assertEqual(added, 1)
        units = StockUnit.objects.filter(product=self.ebook, sold_at__isnull=True)
        self.assertEqual(sorted(units.values_list("file__name", flat=True)), ["a.pdf", "b.pdf", "c.pdf"])
        self.assertTrue(AuditEntry.objects.filter(action="add_file_stock").exists())

    def test_a_document_over_50_mb_is_refused_and_nothing_is_stored(self):
        self.make_file_products()
        before = row_counts(DeliveryFile, StockUnit)

        for upload in (
            lambda: add_file_stock(
                actor=self.owner,
                product_id=self.ebook.pk,
                files=[document("ok.pdf"), document("big.iso", FILE_MAX_BYTES + 1)],
            ),
            lambda: set_shared_file(
                actor=self.owner, product_id=self.config.pk, file=document("big.iso", FILE_MAX_BYTES + 1)
            ),
        ):
            with self.assertRaisesMessage(InvalidInput, "larger than 50 MB"):
                upload()

        self.assertEqual(row_counts(DeliveryFile, StockUnit), before)

    def test_hostile_names_and_missing_sizes_are_refused_or_cleaned(self):
        self.make_file_products()
        with self.assertRaises(InvalidInput):
            add_file_stock(actor=self.owner, product_id=self.ebook.pk, files=[document("x" * 5000)])
        with self.assertRaises(InvalidInput):
            add_file_stock(actor=self.owner, product_id=self.ebook.pk, files=[document(size=None)])
        with self.assertRaises(InvalidInput):
            add_file_stock(
                actor=self.owner, product_id=self.ebook.pk, files=[document(file_id="forged\x00id")]
            )
        add_file_stock(
            actor=self.owner, product_id=self.ebook.pk, files=[document("<b>x</b>\x00.pdf", file_id="ok")]
        )
        self.assertTrue(DeliveryFile.objects.filter(name="<b>x</b>.pdf").exists())

    def test_text_stock_and_documents_go_only_to_their_kind(self):
        self.make_file_products()
        with self.assertRaisesMessage(InvalidInput, "delivers files"):
            add_stock(actor=self.owner, product_id=self.ebook.pk, values=["KEY"])
        with self.assertRaises(InvalidInput):
            add_file_stock(actor=self.owner, product_id=self.key.pk, files=[document()])
        with self.assertRaises(PermissionDenied):
            add_file_stock(actor=self.bob, product_id=self.ebook.pk, files=[document("z.pdf")])

    def test_a_web_upload_is_kept_in_media_and_learns_its_file_id_once(self):
        self.make_file_products()
        with override_settings(MEDIA_ROOT=self.enterContext(tempfile.TemporaryDirectory())):
            add_file_stock(
                actor=self.owner,
                product_id=self.ebook.pk,
                files=[FileSpec(name="guide.pdf", size=4, upload=ContentFile(b"%PDF"))],
            )
            row = DeliveryFile.objects.get(name="guide.pdf")
            self.assertEqual((row.file_id, row.upload.read()), ("", b"%PDF"))

            remember_file_id(file_pk=row.pk, file_id="tg-1")
            remember_file_id(file_pk=row.pk, file_id="tg-2")

        row.refresh_from_db()
        self.assertEqual(row.file_id, "tg-1")


class FileSaleTests(MoneyTestCase, FileProducts):
    def test_a_balance_purchase_records_the_file_it_delivers_once(self):
        self.make_file_products()

        first = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.ebook.pk)
        shared = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.config.pk)

        self.assertEqual((first.value, first.file.name), ("a.pdf", "a.pdf"))
        self.assertEqual((shared.value, shared.file.file_id), ("vpn.conf", "id-vpn.conf"))
        self.assertEqual(StockUnit.objects.get(file=first.file).sold_at, first.created)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("45.00"))
        self.assertEqual(LedgerEntry.objects.filter(customer=self.alice, kind="purchase").count(), 2)

    def test_a_cart_of_mixed_kinds_delivers_each_kind(self):
        self.make_file_products()
        for product, quantity in ((self.key, 1), (self.gift, 1), (self.ebook, 2), (self.config, 2)):
            add_to_cart(telegram_id=self.alice.telegram_id, product_id=product.pk, quantity=quantity)

        purchases = checkout_cart(telegram_id=self.alice.telegram_id)

        delivered = sorted((p.product_name, p.value, p.file.name if p.file else None) for p in purchases)
        self.assertEqual(
            delivered,
            [
                ("Config", "vpn.conf", "vpn.conf"),
                ("Config", "vpn.conf", "vpn.conf"),
                ("E-book", "a.pdf", "a.pdf"),
                ("E-book", "b.pdf", "b.pdf"),
                ("Game key", "AAA-111", None),
                ("Gift link", "https://example.com/gift", None),
            ],
        )
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00") - Decimal("9.99") - 5 - 6 - 4)
        self.assertEqual(Purchase.objects.count(), 6)

    @STARS_ON
    def test_a_stars_order_delivers_files_once(self):
        self.make_file_products()
        add_to_cart(telegram_id=self.bob.telegram_id, product_id=self.ebook.pk)
        add_to_cart(telegram_id=self.bob.telegram_id, product_id=self.config.pk)
        payment = start_cart_order(telegram_id=self.bob.telegram_id)

        results = [pay(payment).credited for _ in range(3)]

        self.assertEqual(results, [True, False, False])
        purchases = list_order_purchases(telegram_id=self.bob.telegram_id, payment_id=payment.pk)
        self.assertEqual(sorted(p.file.name for p in purchases), ["a.pdf", "vpn.conf"])
        self.assertFalse(LedgerEntry.objects.filter(customer=self.bob).exists())

    def test_a_sold_out_file_product_refuses_and_charges_nothing(self):
        self.make_file_products()
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.ebook.pk)
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.ebook.pk)

        with self.assertRaises(OutOfStock):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.ebook.pk)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("44.00"))
