from decimal import Decimal

import pytest
from django.test import override_settings

from catalog.models import CartLine, Product, Purchase, PurchaseIntent, StockUnit
from catalog.services import purchase_product
from catalog.services.orders import (
    list_order_purchases,
    start_cart_order,
    start_product_order,
)
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.money import to_minor_units
from payments.services import check_pre_checkout, confirm_telegram_payment, credit_payment
from payments.tests.helpers import refund_stars
from shopbot.errors import (
    IntentNotFound,
    OutOfStock,
    PaymentMethodUnavailable,
    PaymentNotFound,
    ProductNotFound,
)
from shopbot.test import (
    ShopTestCase,
    is_postgresql,
    ledger_matches_balance,
    make_customer,
    make_product,
    race,
)

STARS_ON = override_settings(STARS_PER_VALUE=Decimal("2"))


def pay(payment, *, charge_id="charge-1", telegram_id=None):
    return confirm_telegram_payment(
        telegram_id=telegram_id or payment.customer.telegram_id,
        payload=payment.payload,
        currency=payment.provider_currency,
        total_amount=to_minor_units(payment.provider_amount, payment.provider_currency),
        telegram_charge_id=charge_id,
    )


@STARS_ON
class StartOrderPaymentTests(ShopTestCase):
    def test_it_records_one_product_at_its_list_price_in_stars(self):
        payment = start_product_order(telegram_id=self.bob.telegram_id, product_id=self.key.pk)

        self.assertEqual((payment.purpose, payment.status), (Payment.Purpose.ORDER, Payment.Status.PENDING))
        self.assertEqual((payment.amount, payment.provider_amount), (Decimal("9.99"), Decimal("20")))
        self.assertEqual(
            payment.order, [{"product_id": self.key.pk, "quantity": 1, "price": "9.99", "name": "Game key"}]
        )

    def test_it_records_the_whole_cart(self):
        CartLine.objects.create(customer=self.bob, product=self.key, quantity=2)
        CartLine.objects.create(customer=self.bob, product=self.gift, quantity=1)

        payment = start_cart_order(telegram_id=self.bob.telegram_id)

        self.assertEqual(payment.amount, Decimal("24.98"))
        self.assertEqual(payment.provider_amount, Decimal("50"))  # 49.96 stars, rounded up

    def test_it_refuses_what_cannot_be_delivered_now(self):
        StockUnit.objects.filter(product=self.key).update(sold_at="2024-01-01T00:00Z")

        with self.assertRaises(OutOfStock):
            start_product_order(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        with self.assertRaises(ProductNotFound):
            start_product_order(telegram_id=self.bob.telegram_id, product_id=999999)
        self.assertFalse(Payment.objects.exists())

    def test_it_refuses_when_stars_are_off(self):
        with override_settings(STARS_PER_VALUE=Decimal("0")), self.assertRaises(PaymentMethodUnavailable):
            start_product_order(telegram_id=self.bob.telegram_id, product_id=self.key.pk)

    def test_it_records_the_invoice_as_the_orders_purchase_intent(self):
        CartLine.objects.create(customer=self.bob, product=self.key, quantity=2)

        payment = start_cart_order(telegram_id=self.bob.telegram_id)

        intent = PurchaseIntent.objects.get(payment=payment)
        self.assertEqual(
            (intent.customer_id, intent.kind, intent.total, intent.lines, intent.used_at),
            (self.bob.pk, PurchaseIntent.Kind.CART, Decimal("19.98"), [[self.key.pk, 2, None]], None),
        )
        self.assertEqual(intent.expires_at, payment.expires_at)

    def test_it_never_lets_an_orders_intent_pay_from_the_balance(self):
        payment = start_product_order(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        intent = PurchaseIntent.objects.get(payment=payment)

        with self.assertRaises(IntentNotFound):
            purchase_product(telegram_id=self.alice.telegram_id, intent_id=intent.pk)
        self.assertEqual(Purchase.objects.count(), 0)


@STARS_ON
class ConfirmPaidOrderTests(ShopTestCase):
    def test_it_delivers_the_unit_on_payment_once(self):
        payment = start_product_order(telegram_id=self.bob.telegram_id, product_id=self.key.pk)

        results = [pay(payment).credited for _ in range(5)]

        self.assertEqual(results, [True, False, False, False, False])
        [purchase] = list_order_purchases(telegram_id=self.bob.telegram_id, payment_id=payment.pk)
        self.assertEqual(
            (purchase.value, purchase.price, purchase.payment_id), ("AAA-111", Decimal("9.99"), payment.pk)
        )
        self.assertFalse(
            LedgerEntry.objects.filter(customer=self.bob).exists()
        )  # the balance is not involved
        notice = PaymentNotice.objects.get(payment=payment)
        self.assertEqual((notice.kind, notice.params), ("order_delivered", {"purchases": [purchase.pk]}))

    def test_it_credits_the_balance_when_stock_ran_out_meanwhile(self):
        payment = start_cart_order_of(self.bob, (self.key, 2), (self.gift, 1))
        StockUnit.objects.filter(value="BBB-222").update(sold_at="2024-01-01T00:00Z")

        credit = pay(payment)

        self.assertIs(credit.credited, True)
        self.assertFalse(Purchase.objects.filter(payment=payment).exists())  # all or nothing
        self.assertEqual(StockUnit.objects.filter(sold_at__isnull=True).count(), 1)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("24.98"))
        self.assertTrue(ledger_matches_balance(self.bob))
        notice = PaymentNotice.objects.get(payment=payment)
        self.assertEqual(notice.kind, "order_credited")
        self.assertIn("Game key", notice.params["problem"])

    def test_it_takes_what_it_delivered_out_of_the_cart_and_keeps_what_was_added_since(self):
        payment = start_cart_order_of(self.bob, (self.key, 1), (self.gift, 2))
        CartLine.objects.filter(product=self.gift).update(quantity=3)

        pay(payment)

        self.assertEqual(
            list(CartLine.objects.filter(customer=self.bob).values_list("product_id", "quantity")),
            [(self.gift.pk, 1)],
        )

    def test_it_leaves_the_cart_alone_for_a_single_product_order_and_an_undelivered_one(self):
        CartLine.objects.create(customer=self.bob, product=self.gift, quantity=1)
        pay(start_product_order(telegram_id=self.bob.telegram_id, product_id=self.gift.pk))
        payment = start_cart_order(telegram_id=self.bob.telegram_id)
        Product.objects.filter(pk=self.gift.pk).update(unlimited_value="")

        pay(payment, charge_id="charge-2")

        self.assertEqual(CartLine.objects.filter(customer=self.bob).count(), 1)

    def test_it_refuses_pre_checkout_when_stock_ran_out(self):
        payment = start_product_order(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        StockUnit.objects.filter(product=self.key).update(sold_at="2024-01-01T00:00Z")

        with self.assertRaises(OutOfStock):
            check_pre_checkout(
                telegram_id=self.bob.telegram_id, payload=payment.payload, currency="XTR", total_amount=20
            )
        with self.assertRaises(PaymentNotFound):
            check_pre_checkout(
                telegram_id=self.alice.telegram_id, payload=payment.payload, currency="XTR", total_amount=20
            )

    def test_it_uses_the_orders_intent_in_the_transaction_that_delivers(self):
        payment = start_product_order(telegram_id=self.bob.telegram_id, product_id=self.gift.pk)

        pay(payment)

        self.assertIsNotNone(PurchaseIntent.objects.get(payment=payment).used_at)

    def test_it_credits_the_balance_instead_of_delivering_an_intent_used_already(self):
        payment = start_product_order(telegram_id=self.bob.telegram_id, product_id=self.gift.pk)
        PurchaseIntent.objects.filter(payment=payment).update(used_at="2026-01-01T00:00Z")

        credit = pay(payment)

        self.assertEqual((credit.credited, credit.purchases), (True, ()))
        self.assertEqual(Purchase.objects.count(), 0)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("5.00"))
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_fulfils_by_payment_id_for_recovery(self):
        payment = start_product_order(telegram_id=self.bob.telegram_id, product_id=self.gift.pk)

        first = credit_payment(payment_id=payment.pk, external_id="manual-1")
        again = credit_payment(payment_id=payment.pk, external_id="manual-1")

        self.assertEqual((first.credited, again.credited), (True, False))
        self.assertEqual(first.purchases[0].value, "https://example.com/gift")

    def test_it_marks_a_refunded_order_refunded_and_keeps_the_balance(self):
        payment = start_product_order(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        pay(payment, charge_id="order-charge")

        asked = []
        refunded = refund_stars(
            actor=self.owner, payment_id=payment.pk, reason="Key did not work", asked=asked
        )

        self.assertEqual([(r.user_id, r.charge_id) for r in asked], [(self.bob.telegram_id, "order-charge")])
        self.assertEqual(refunded.status, Payment.Status.REFUNDED)
        self.assertFalse(LedgerEntry.objects.filter(customer=self.bob).exists())


def start_cart_order_of(customer, *lines):
    for product, quantity in lines:
        CartLine.objects.create(customer=customer, product=product, quantity=quantity)
    return start_cart_order(telegram_id=customer.telegram_id)


@pytest.mark.django_db(transaction=True)
def test_it_gives_the_last_unit_to_one_stars_buyer_and_credits_the_other(settings):
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    settings.STARS_PER_VALUE = Decimal("1")
    from catalog.models import Category

    product = make_product(Category.objects.create(name="Race"), "Last key", "5.00", units=["ONLY-ONE"])
    buyers = [make_customer(5400 + n) for n in range(4)]
    payments = [start_product_order(telegram_id=b.telegram_id, product_id=product.pk) for b in buyers]
    turns = iter(payments)

    def pay_next():
        payment = next(turns)
        return pay(payment, charge_id=f"charge-{payment.pk}").credited

    results = race(4, pay_next)

    assert results == [True] * 4
    assert Purchase.objects.filter(product=product).count() == 1
    assert LedgerEntry.objects.filter(kind="top_up").count() == 3
    assert all(ledger_matches_balance(buyer) for buyer in buyers)
