from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.timezone import now

from catalog.models import Category, PromoUsage, Purchase, PurchaseIntent, StockUnit
from catalog.services import add_to_cart, checkout_cart, purchase_product, quote_cart, quote_product
from payments.models import LedgerEntry
from shopbot.errors import InsufficientFunds, IntentExpired, IntentNotFound, IntentUsed
from shopbot.test import (
    MoneyTestCase,
    give_money,
    is_postgresql,
    ledger_matches_balance,
    make_customer,
    make_product,
    race,
    row_counts,
)

FORGED_IDS = [0, -1, 2**63, 10**30, "1; DROP TABLE catalog_purchaseintent", "abc", True, 1.5, "²"]


def written() -> dict[str, int]:
    return row_counts(Purchase, LedgerEntry, PromoUsage)


class QuoteWritesIntentTests(MoneyTestCase):
    def test_it_records_what_the_confirmation_shows(self):
        quote = quote_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        intent = PurchaseIntent.objects.get(pk=quote.intent_id)
        self.assertEqual(
            (intent.customer_id, intent.kind, intent.product_id, intent.total, intent.used_at),
            (self.alice.pk, PurchaseIntent.Kind.PRODUCT, self.key.pk, Decimal("9.99"), None),
        )
        self.assertGreater(intent.expires_at, now())

    def test_it_records_the_cart_lines_shown(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2)

        cart = quote_cart(telegram_id=self.alice.telegram_id)

        intent = PurchaseIntent.objects.get(pk=cart.intent_id)
        self.assertEqual((intent.kind, intent.total), (PurchaseIntent.Kind.CART, Decimal("19.98")))
        self.assertEqual(intent.lines, [[self.key.pk, 2, None]])

    def test_it_writes_no_intent_for_a_cart_that_cannot_be_paid(self):
        self.assertIsNone(quote_cart(telegram_id=self.alice.telegram_id).intent_id)
        self.assertEqual(PurchaseIntent.objects.count(), 0)


class ClaimIntentTests(MoneyTestCase):
    def quote(self, customer=None):
        customer = customer or self.alice
        return quote_product(telegram_id=customer.telegram_id, product_id=self.key.pk).intent_id

    def test_it_sells_once_for_one_intent(self):
        intent_id = self.quote()
        purchase_product(telegram_id=self.alice.telegram_id, intent_id=intent_id)
        before = written()

        with self.assertRaisesMessage(IntentUsed, "paid already"):
            purchase_product(telegram_id=self.alice.telegram_id, intent_id=intent_id)

        self.assertEqual(written(), before)
        self.assertEqual(Purchase.objects.count(), 1)
        self.assertIsNotNone(PurchaseIntent.objects.get(pk=intent_id).used_at)

    def test_it_refuses_another_customers_intent_and_leaves_it_to_its_owner(self):
        intent_id = self.quote(self.alice)
        give_money(self.bob, "20.00")
        before = written()

        with self.assertRaises(IntentNotFound):
            purchase_product(telegram_id=self.bob.telegram_id, intent_id=intent_id)

        self.assertEqual(written(), before)
        self.assertIsNone(PurchaseIntent.objects.get(pk=intent_id).used_at)
        purchase_product(telegram_id=self.alice.telegram_id, intent_id=intent_id)

    def test_it_refuses_forged_ids(self):
        self.quote()
        before = written()

        for forged in FORGED_IDS:
            with self.subTest(intent_id=forged), self.assertRaises(IntentNotFound):
                purchase_product(telegram_id=self.alice.telegram_id, intent_id=forged)
        self.assertEqual(written(), before)

    def test_it_does_not_check_out_the_cart_with_a_product_intent_or_the_reverse(self):
        product_intent = self.quote()
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        cart_intent = quote_cart(telegram_id=self.alice.telegram_id).intent_id

        with self.assertRaises(IntentNotFound):
            checkout_cart(telegram_id=self.alice.telegram_id, intent_id=product_intent)
        with self.assertRaises(IntentNotFound):
            purchase_product(telegram_id=self.alice.telegram_id, intent_id=cart_intent)
        self.assertEqual(Purchase.objects.count(), 0)

    def test_it_refuses_an_expired_intent_naming_the_product_to_show_again(self):
        intent_id = self.quote()
        PurchaseIntent.objects.filter(pk=intent_id).update(expires_at=now() - timedelta(seconds=1))

        with self.assertRaises(IntentExpired) as refused:
            purchase_product(telegram_id=self.alice.telegram_id, intent_id=intent_id)

        self.assertEqual(refused.exception.params["product_id"], self.key.pk)
        self.assertIn("prices may have changed", str(refused.exception))
        self.assertFalse(StockUnit.objects.filter(sold_at__isnull=False).exists())

    def test_it_keeps_the_intent_unused_when_the_sale_is_refused(self):
        intent_id = self.quote(self.bob)

        with self.assertRaises(InsufficientFunds) as refused:
            purchase_product(telegram_id=self.bob.telegram_id, intent_id=intent_id)
        give_money(self.bob, "10.00")
        purchase = purchase_product(telegram_id=self.bob.telegram_id, intent_id=intent_id)

        self.assertEqual(refused.exception.params["amount"], Decimal("9.99"))
        self.assertEqual(purchase.price, Decimal("9.99"))
        self.assertTrue(ledger_matches_balance(self.bob))


@pytest.mark.django_db(transaction=True)
def test_it_sells_once_when_two_threads_pay_with_one_intent():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    category = Category.objects.create(name="Games")
    product = make_product(category, "Game key", "9.99", units=["KEY-1", "KEY-2", "KEY-3"])
    buyer = make_customer(7500, balance="100.00")
    intent_id = quote_product(telegram_id=buyer.telegram_id, product_id=product.pk).intent_id

    results = race(2, lambda: purchase_product(telegram_id=buyer.telegram_id, intent_id=intent_id))

    assert sorted(type(result).__name__ for result in results) == ["IntentUsed", "Purchase"]
    assert Purchase.objects.filter(buyer=buyer).count() == 1
    assert LedgerEntry.objects.filter(customer=buyer, kind=LedgerEntry.Kind.PURCHASE).count() == 1
    assert ledger_matches_balance(buyer)


@pytest.mark.django_db(transaction=True)
def test_it_checks_out_once_when_two_threads_pay_with_one_cart_intent():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    category = Category.objects.create(name="Games")
    product = make_product(category, "Game key", "9.99", units=["KEY-1", "KEY-2", "KEY-3"])
    buyer = make_customer(7501, balance="100.00")
    add_to_cart(telegram_id=buyer.telegram_id, product_id=product.pk)
    intent_id = quote_cart(telegram_id=buyer.telegram_id).intent_id

    results = race(2, lambda: checkout_cart(telegram_id=buyer.telegram_id, intent_id=intent_id))

    assert sorted(type(result).__name__ for result in results) == ["IntentUsed", "list"]
    assert Purchase.objects.filter(buyer=buyer).count() == 1
    assert ledger_matches_balance(buyer)
