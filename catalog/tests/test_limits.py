"""Fraud limits: a new customer's spending cap on every way of buying, and two purchases racing it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils.timezone import now

from accounts.models import Customer
from catalog.models import CartLine, Purchase, StockUnit
from catalog.services import add_to_cart, checkout_cart, purchase_product
from catalog.services.orders import OrderFulfiller, start_product_order
from monitoring.metrics import LIMIT_REFUSALS
from payments.models import Payment
from shopbot.errors import NewCustomerLimit
from shopbot.test import MoneyTestCase, give_money, is_postgresql, ledger_matches_balance, make_customer, race

CAPPED = override_settings(
    NEW_CUSTOMER_HOURS=24, NEW_CUSTOMER_MAX_SPEND=Decimal("15.00"), STARS_PER_VALUE=Decimal("2")
)


def refusals() -> float:
    return LIMIT_REFUSALS.labels(limit="new_customer_spend")._value.get()


@CAPPED
class NewCustomerCapTests(MoneyTestCase):
    def setUp(self):
        StockUnit.objects.bulk_create(StockUnit(product=self.key, value=f"K-{n}") for n in range(5))

    def test_a_new_customer_is_refused_past_the_days_cap_and_nothing_changes(self):
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        before = refusals()

        with self.assertRaises(NewCustomerLimit) as refused:
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertEqual(
            str(refused.exception),
            "New customers can spend up to 15.00 RUB a day for now; 5.01 RUB is left today. "
            "Please try a smaller order or come back later.",
        )
        self.assertEqual(refusals(), before + 1)
        self.assertEqual(Purchase.objects.filter(buyer=self.alice).count(), 1)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("40.01"))
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)  # 5.00 still fits

    def test_the_cap_ends_with_the_new_customer_hours_and_refunds_do_not_count(self):
        first = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        Purchase.objects.filter(pk=first.pk).update(refunded_amount=first.price, refunded_at=now())
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)  # the refund freed room
        with self.assertRaises(NewCustomerLimit):
            purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        Customer.objects.filter(pk=self.alice.pk).update(created=now() - timedelta(hours=25))
        purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assertEqual(Purchase.objects.filter(buyer=self.alice).count(), 3)

    def test_a_cart_over_the_cap_is_refused_whole(self):
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2)

        with self.assertRaises(NewCustomerLimit):
            checkout_cart(telegram_id=self.alice.telegram_id)

        self.assertFalse(Purchase.objects.exists())
        self.assertEqual(CartLine.objects.filter(customer=self.alice).count(), 1)

    def test_a_stars_order_is_refused_at_the_invoice_and_again_before_the_charge(self):
        bob = self.bob
        with override_settings(NEW_CUSTOMER_MAX_SPEND=Decimal("9.00")), self.assertRaises(NewCustomerLimit):
            start_product_order(telegram_id=bob.telegram_id, product_id=self.key.pk)
        self.assertFalse(Payment.objects.exists())

        payment = start_product_order(telegram_id=bob.telegram_id, product_id=self.key.pk)
        give_money(bob, "20")
        purchase_product(telegram_id=bob.telegram_id, product_id=self.key.pk)  # spent meanwhile
        with self.assertRaises(NewCustomerLimit):
            OrderFulfiller().check(payment=payment)

    def test_staff_the_owner_and_old_customers_are_not_limited_and_zero_means_no_cap(self):
        give_money(self.admin, "50")
        give_money(self.owner, "50")
        for customer in (self.admin, self.owner):
            purchase_product(telegram_id=customer.telegram_id, product_id=self.key.pk)
            purchase_product(telegram_id=customer.telegram_id, product_id=self.gift.pk)
            purchase_product(telegram_id=customer.telegram_id, product_id=self.gift.pk)
        with override_settings(NEW_CUSTOMER_MAX_SPEND=Decimal("0")):
            for _ in range(3):
                purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        self.assertEqual(Purchase.objects.count(), 9)


@pytest.mark.django_db(transaction=True)
@CAPPED
def test_two_purchases_at_once_cannot_both_pass_the_cap():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    from catalog.models import Category
    from shopbot.test import make_product

    games = Category.objects.create(name="Games")
    key = make_product(games, "Key", "9.99", units=[f"K-{n}" for n in range(4)])
    carol = make_customer(4001, balance="50.00")

    results = race(4, lambda: purchase_product(telegram_id=carol.telegram_id, product_id=key.pk))

    assert sum(isinstance(result, Purchase) for result in results) == 1
    assert sum(isinstance(result, NewCustomerLimit) for result in results) == 3
    assert ledger_matches_balance(carol)
