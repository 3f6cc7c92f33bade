"""The balance purchase's two shorter statements (debit first, take-and-sell) and the long path beside them.

On PostgreSQL a purchase locks the customer by debiting them and marks its
unit sold in the statement that takes it; the embedded database (and a sale
whose price needs the locks first) takes the long way. Both must sell the
same thing for the same money.
"""

import queue
from decimal import Decimal
from unittest import mock

import pytest

from accounts.cache import cached_customer, remember_customer
from catalog.models import Category, Purchase, StockUnit
from catalog.services import purchase_product, quote_product, save_product
from catalog.services.picking import sells_in_one_statement
from catalog.tests.test_delivery_files import FileProducts
from catalog.tests.test_services_purchases import PurchaseProductTests, nothing_sold
from payments.models import LedgerEntry
from payments.services import Debit, debits, write_debits
from shopbot.errors import CustomerBlocked, InsufficientFunds, IntentNotFound, PriceChanged
from shopbot.test import (
    OWNER_ID,
    MoneyTestCase,
    is_postgresql,
    ledger_matches_balance,
    make_customer,
    make_product,
    race,
)

LONG_PATH = [
    mock.patch("payments.services.debits.debits_first", new=lambda: False),
    mock.patch("catalog.services.common.sells_in_one_statement", new=lambda: False),
]


def long_path(cls: type) -> type:
    for patch in LONG_PATH:
        cls = patch(cls)
    return cls


@long_path
class LongPathPurchaseTests(PurchaseProductTests):
    """Every purchase test again, with the customer locked first and the unit marked sold after."""

    def test_it_takes_the_long_path(self):
        self.assertFalse(debits.debits_first())
        with self.assertNumQueries(8):  # lock, unit, mark sold, balance, ledger, purchase (+ savepoints)
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)


class ShortPathTests(FileProducts, MoneyTestCase):
    def setUp(self):
        super().setUp()
        if not is_postgresql():
            self.skipTest("the short statements are PostgreSQL's")

    def test_it_sells_in_four_statements(self):
        self.assertTrue(debits.debits_first() and sells_in_one_statement())
        with self.assertNumQueries(6):  # debit, take-and-sell, ledger, purchase (+ savepoints)
            purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertEqual(purchase.value, "AAA-111")
        unit = StockUnit.objects.get(value="AAA-111")
        self.assertEqual(unit.sold_at, purchase.created)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("40.01"))
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_a_sold_file_unit_comes_with_its_file(self):
        self.make_file_products()

        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.ebook.pk)

        with self.assertNumQueries(0):
            self.assertEqual(purchase.file.name, "a.pdf")
            self.assertEqual(purchase.unit.file.name, "a.pdf")
            self.assertEqual(purchase.product.category.name, "Games")

    def test_a_blocked_customer_is_refused_and_the_debit_undone(self):
        self.alice.is_blocked = True
        self.alice.save()
        before = nothing_sold()

        with self.assertRaises(CustomerBlocked):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertEqual(nothing_sold(), before)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))
        self.assertFalse(StockUnit.objects.filter(sold_at__isnull=False).exists())

    def test_another_customers_intent_takes_no_money_from_the_presser(self):
        quote = quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        mallory = make_customer(4242, balance="100.00")

        with self.assertRaises(IntentNotFound):
            purchase_product(telegram_id=mallory.telegram_id, intent_id=quote.intent_id)

        mallory.refresh_from_db()
        self.assertEqual(mallory.balance, Decimal("100.00"))
        self.assertEqual(Purchase.objects.count(), 0)
        self.assertFalse(StockUnit.objects.filter(sold_at__isnull=False).exists())

    def test_a_short_balance_still_names_the_price(self):
        with self.assertRaisesMessage(InsufficientFunds, "the price is 9.99"):
            purchase_product(telegram_id=self.bob.telegram_id, product_id=self.key.pk)

        self.assertTrue(ledger_matches_balance(self.bob))

    def test_the_gates_cached_row_is_forgotten(self):
        remember_customer(self.alice)
        self.assertIsNotNone(cached_customer(self.alice.telegram_id))

        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertIsNone(cached_customer(self.alice.telegram_id))

    def test_the_ledger_rows_must_add_up_to_the_debit(self):
        debit = Debit(customer=self.alice, amount=Decimal("5.00"))

        with self.assertRaises(ValueError):
            write_debits(debit, [(Decimal("4.99"), "x", "y")], kind=LedgerEntry.Kind.PURCHASE)

        self.assertFalse(LedgerEntry.objects.filter(customer=self.alice, kind="purchase").exists())


@pytest.mark.django_db(transaction=True)
def test_a_price_change_racing_purchases_charges_each_sale_what_it_recorded():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    owner = make_customer(OWNER_ID)
    category = Category.objects.create(name="Games")
    product = make_product(category, "Game key", "5.00", units=[f"K{n}" for n in range(10)])
    buyers = [make_customer(8100 + n, balance="100.00") for n in range(8)]
    turns: queue.Queue = queue.Queue()
    for turn in ["6.00", *buyers, "7.00"]:
        turns.put(turn)

    def act() -> object:
        turn = turns.get()
        if isinstance(turn, str):  # the owner changes the price meanwhile
            return save_product(
                actor=owner, product_id=product.pk, category_id=category.pk, name="Game key", price=turn
            )
        return purchase_product(telegram_id=turn.telegram_id, product_id=product.pk)

    results = race(10, act)

    sold = [result for result in results if isinstance(result, Purchase)]
    refused = [result for result in results if isinstance(result, PriceChanged)]
    assert len(sold) + len(refused) == 8, results
    assert {purchase.price for purchase in sold} <= {Decimal("5.00"), Decimal("6.00"), Decimal("7.00")}
    for buyer in buyers:
        buyer.refresh_from_db()
        assert ledger_matches_balance(buyer)
    for purchase in sold:
        entry = LedgerEntry.objects.get(reference=purchase.order_number)
        assert entry.amount == -purchase.price
    assert StockUnit.objects.filter(sold_at__isnull=False).count() == len(sold)
