"""Pre-orders: paid from the balance on a sold-out card, cancelled with a refund, filled oldest first on restock."""

import json
from decimal import Decimal

from accounts.models import AuditEntry
from catalog.models import PreOrder, Product, Purchase, StockUnit, WaitlistEntry
from catalog.selectors import list_products
from catalog.selectors.customer_data import export_customer_data
from catalog.services import (
    add_stock,
    delete_product,
    purchase_product,
    set_product_hide_when_sold_out,
    set_product_preorders,
)
from catalog.services.preorders import cancel_preorder, place_preorder, takes_preorders
from catalog.services.waitlist import toggle_waitlist
from payments.models import LedgerEntry, PaymentNotice
from shopbot.errors import (
    CustomerBlocked,
    InsufficientFunds,
    InvalidInput,
    OutOfStock,
    PermissionDenied,
    PreOrderDecided,
    PreOrderNotFound,
    PreOrderUnavailable,
    ProductNotFound,
)
from shopbot.test import MoneyTestCase, make_customer, row_counts


class PreOrderTests(MoneyTestCase):
    def setUp(self):
        StockUnit.objects.filter(product=self.key).delete()  # sold out
        set_product_preorders(actor=self.owner, product_id=self.key.pk, preorders=True)
        self.key.refresh_from_db()
        self.carol = make_customer(1003, username="carol", balance="30.00")

    def test_the_switch_is_audited_checked_and_needs_manage_catalog(self):
        self.assertTrue(AuditEntry.objects.filter(action="set_preorders", target="Game key").exists())
        for refused in ("yes", 1, None):
            with self.assertRaises(InvalidInput):
                set_product_preorders(actor=self.owner, product_id=self.key.pk, preorders=refused)
        with self.assertRaises(PermissionDenied):
            set_product_preorders(actor=self.alice, product_id=self.key.pk, preorders=False)
        with self.assertRaises(ProductNotFound):
            set_product_preorders(actor=self.owner, product_id="<b>1</b>", preorders=False)
        self.key.refresh_from_db()
        self.assertTrue(self.key.preorders)

    def test_paying_a_pre_order_takes_the_price_once_with_a_purchase_ledger_row(self):
        self.assertTrue(takes_preorders(self.key))
        preorder = place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("40.01"))
        entry = LedgerEntry.objects.get(customer=self.alice, kind=LedgerEntry.Kind.PURCHASE)
        self.assertEqual((entry.amount, entry.reference), (Decimal("-9.99"), preorder.reference))
        self.assertEqual((preorder.price, preorder.product_name), (Decimal("9.99"), "Game key"))
        self.assertTrue(preorder.is_open)

    def test_refusals_write_nothing(self):
        before = row_counts(PreOrder, LedgerEntry)
        with self.assertRaises(InsufficientFunds):
            place_preorder(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        StockUnit.objects.create(product=self.key, value="IN-STOCK")
        with self.assertRaises(PreOrderUnavailable):  # in stock: the card offers Buy
            place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        with self.assertRaises(PreOrderUnavailable):  # no units to wait for
            place_preorder(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        for forged in ("<b>1</b>", "9" * 5000, -1, 999_999, None):
            with self.assertRaises(ProductNotFound):
                place_preorder(telegram_id=self.alice.telegram_id, product_id=forged)
        StockUnit.objects.filter(product=self.key).delete()
        type(self.carol).objects.filter(pk=self.carol.pk).update(is_blocked=True)
        with self.assertRaises(CustomerBlocked):
            place_preorder(telegram_id=self.carol.telegram_id, product_id=self.key.pk)
        self.assertEqual(row_counts(PreOrder, LedgerEntry), before)

    def test_a_product_without_pre_orders_is_refused(self):
        set_product_preorders(actor=self.owner, product_id=self.key.pk, preorders=False)
        self.key.refresh_from_db()
        self.assertFalse(takes_preorders(self.key))
        with self.assertRaises(PreOrderUnavailable):
            place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

    def test_cancelling_refunds_once_and_only_the_owner(self):
        preorder = place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        for forged in ("<b>1</b>", "9" * 5000, -1, 999_999):
            with self.assertRaises(PreOrderNotFound):
                cancel_preorder(telegram_id=self.alice.telegram_id, preorder_id=forged)
        with self.assertRaises(PreOrderNotFound):  # another customer's pre-order
            cancel_preorder(telegram_id=self.carol.telegram_id, preorder_id=preorder.pk)

        cancelled = cancel_preorder(telegram_id=self.alice.telegram_id, preorder_id=preorder.pk)
        self.assertIsNotNone(cancelled.cancelled_at)
        entry = LedgerEntry.objects.get(customer=self.alice, kind=LedgerEntry.Kind.REFUND)
        self.assertEqual((entry.amount, entry.reference), (Decimal("9.99"), preorder.reference))
        with self.assertRaises(PreOrderDecided):
            cancel_preorder(telegram_id=self.alice.telegram_id, preorder_id=preorder.pk)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))
        add_stock(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])
        self.assertFalse(Purchase.objects.filter(buyer=self.alice).exists())  # a cancelled one is not filled

    def test_restock_fills_pre_orders_oldest_first_before_the_waitlist_and_new_sales(self):
        first = place_preorder(telegram_id=self.carol.telegram_id, product_id=self.key.pk)
        second = place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assertTrue(toggle_waitlist(telegram_id=self.bob.telegram_id, product_id=self.key.pk))

        add_stock(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])

        first.refresh_from_db()
        second.refresh_from_db()
        purchase = first.purchase
        self.assertEqual(
            (purchase.buyer, purchase.value, purchase.price), (self.carol, "NEW-1", Decimal("9.99"))
        )
        self.assertEqual(purchase.order_number, first.reference)
        self.assertIsNotNone(purchase.warranty_until)
        self.assertTrue(second.is_open)
        self.assertFalse(WaitlistEntry.objects.filter(restocked_at__isnull=False).exists())  # nothing left
        with self.assertRaises(OutOfStock):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        with self.assertRaises(PreOrderDecided):
            cancel_preorder(telegram_id=self.carol.telegram_id, preorder_id=first.pk)
        notices = PaymentNotice.objects.filter(kind=PaymentNotice.Kind.PURCHASE_RECEIPT)
        self.assertEqual([(n.telegram_id, n.params) for n in notices], [(1003, {"purchases": [purchase.pk]})])

        add_stock(actor=self.owner, product_id=self.key.pk, values=["NEW-2", "NEW-3"])
        second.refresh_from_db()
        self.assertEqual(second.purchase.value, "NEW-2")
        self.assertTrue(WaitlistEntry.objects.filter(restocked_at__isnull=False).exists())  # one unit left
        self.assertEqual(StockUnit.objects.filter(product=self.key, sold_at=None).count(), 1)
        self.assertEqual(notices.all().count(), 2)  # each customer told once

    def test_a_blocked_customer_still_gets_the_refund(self):
        preorder = place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        type(self.alice).objects.filter(pk=self.alice.pk).update(is_blocked=True)
        cancel_preorder(telegram_id=self.alice.telegram_id, preorder_id=preorder.pk)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))

    def test_the_customers_data_export_lists_their_pre_orders_only(self):
        preorder = place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        [exported] = json.loads(export_customer_data(telegram_id=self.alice.telegram_id))["preorders"]
        carols = json.loads(export_customer_data(telegram_id=self.carol.telegram_id))["preorders"]

        self.assertEqual((exported["reference"], exported["price"]), (preorder.reference, "9.99"))
        self.assertEqual(carols, [])

    def test_a_deleted_product_leaves_its_open_pre_orders_cancellable(self):
        preorder = place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        delete_product(actor=self.owner, product_id=self.key.pk)

        cancel_preorder(telegram_id=self.alice.telegram_id, preorder_id=preorder.pk)

        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))

    def test_a_product_that_hides_when_sold_out_stays_listed_while_it_takes_pre_orders(self):
        set_product_hide_when_sold_out(actor=self.owner, product_id=self.key.pk, hide=True)
        self.assertEqual(listed(), ["Game key", "Gift link"])  # cached now

        set_product_preorders(actor=self.owner, product_id=self.key.pk, preorders=False)
        self.assertEqual(listed(), ["Gift link"])
        set_product_preorders(actor=self.owner, product_id=self.key.pk, preorders=True)
        self.assertEqual(listed(), ["Game key", "Gift link"])


def listed() -> list[str]:
    return [product.name for product in list_products(category_id=PreOrderTests.games.pk, page=1).items]


class PreOrderKindTests(MoneyTestCase):
    def test_a_product_turned_off_still_fills_its_open_queue(self):
        StockUnit.objects.filter(product=self.key).delete()
        set_product_preorders(actor=self.owner, product_id=self.key.pk, preorders=True)
        preorder = place_preorder(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        set_product_preorders(actor=self.owner, product_id=self.key.pk, preorders=False)
        add_stock(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])
        preorder.refresh_from_db()
        self.assertEqual(preorder.purchase.value, "NEW-1")
        self.assertEqual(Product.objects.get(pk=self.key.pk).preorders, False)
