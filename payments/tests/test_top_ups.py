from decimal import Decimal

import pytest
from django.test import override_settings

from payments.models import Payment
from payments.services import enabled_providers, shortfall_top_up, start_top_up
from payments.tests.helpers import ALL_METHODS, pay_telegram
from shopbot.errors import AmountOutOfRange, CustomerBlocked, InvalidAmount, PaymentMethodUnavailable
from shopbot.test import ShopTestCase, ledger_matches_balance

STARS = Payment.Provider.STARS
CARD = Payment.Provider.TELEGRAM
CRYPTO = Payment.Provider.CRYPTOPAY


@ALL_METHODS
class StartTopUpTests(ShopTestCase):
    def test_it_records_a_pending_stars_invoice_rounded_up_to_a_whole_star(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10.01")

        self.assertEqual(payment.status, Payment.Status.PENDING)
        self.assertEqual(payment.amount, Decimal("10.01"))
        self.assertEqual(payment.provider_amount, Decimal("16"))  # 15.015 stars -> 16
        self.assertEqual(payment.provider_currency, "XTR")
        self.assertGreater(payment.expires_at, payment.created)

    def test_it_records_a_card_invoice_in_the_shop_currency(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=CARD, amount="99,50")

        self.assertEqual((payment.provider_amount, payment.provider_currency), (Decimal("99.50"), "RUB"))

    @override_settings(PAY_CURRENCY="JPY")
    def test_it_rounds_a_card_amount_up_to_a_whole_yen(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=CARD, amount="150.40")

        self.assertEqual(payment.provider_amount, Decimal("151"))
        self.assertEqual(payment.amount, Decimal("150.40"))

    def test_it_records_a_cryptopay_invoice_in_fiat(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=CRYPTO, amount="25")

        self.assertEqual((payment.provider_amount, payment.provider_currency), (Decimal("25.00"), "RUB"))

    def test_it_refuses_a_method_that_is_not_configured(self):
        with override_settings(STARS_PER_VALUE=Decimal("0"), TELEGRAM_PROVIDER_TOKEN="", CRYPTO_PAY_TOKEN=""):
            self.assertEqual(enabled_providers(), [])
            for provider in (STARS, CARD, CRYPTO, "manual", "bogus"):
                with self.assertRaises(PaymentMethodUnavailable):
                    start_top_up(telegram_id=self.bob.telegram_id, provider=provider, amount="10")
        self.assertFalse(Payment.objects.exists())

    def test_it_refuses_amounts_outside_the_shop_bounds(self):
        # MIN_AMOUNT=1 and MAX_AMOUNT=10000 in tests (conftest.py).
        for text in ("0.99", "10000.01", "50000"):
            with self.assertRaisesMessage(AmountOutOfRange, "Enter an amount from 1.00 RUB to 10000.00 RUB."):
                start_top_up(telegram_id=self.bob.telegram_id, provider=CARD, amount=text)
        self.assertFalse(Payment.objects.exists())

    def test_it_refuses_amounts_that_are_not_money(self):
        for text in ("1.001", "-5", "ten", "", "1e3", "NaN", None, 12.5):
            with self.assertRaises(InvalidAmount):
                start_top_up(telegram_id=self.bob.telegram_id, provider=CARD, amount=text)
        self.assertFalse(Payment.objects.exists())

    def test_it_refuses_more_stars_than_one_invoice_carries(self):
        with override_settings(STARS_PER_VALUE=Decimal("2.37")):
            with self.assertRaisesMessage(AmountOutOfRange, "4219.40 RUB"):
                start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="4219.41")
            payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="4219.40")
        self.assertEqual(payment.provider_amount, Decimal("10000"))

    def test_it_refuses_a_blocked_customer(self):
        self.bob.is_blocked = True
        self.bob.save()

        with self.assertRaises(CustomerBlocked):
            start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10")


RATES = ["0.91", "1", "1.5", "2.37"]
AMOUNTS = ["1", "1.01", "3.33", "9.99", "10", "33.33", "99.99", "123.45", "777.77", "1000", "4219.40"]


@pytest.mark.django_db
@pytest.mark.parametrize("rate", RATES)
def test_it_credits_exactly_the_amount_asked_whatever_the_stars_rate(rate, settings):
    from shopbot.test import make_customer

    settings.STARS_PER_VALUE = Decimal(rate)
    customer = make_customer(7001)
    expected = Decimal("0")
    for text in AMOUNTS:
        payment = start_top_up(telegram_id=customer.telegram_id, provider=STARS, amount=text)
        stars = int(payment.provider_amount)
        assert stars >= Decimal(text) * Decimal(rate)  # the shop never gets fewer stars than it credits
        assert stars - 1 < Decimal(text) * Decimal(rate)  # and never asks a whole star too many

        credit = pay_telegram(payment)

        expected += Decimal(text)
        assert credit.credited is True
        assert credit.entry.amount == Decimal(text)
    customer.refresh_from_db()
    assert customer.balance == expected
    assert ledger_matches_balance(customer)


@ALL_METHODS
class MetricsTests(ShopTestCase):
    def test_it_counts_credited_money_only_when_the_transaction_commits(self):
        from monitoring.metrics import CREDITED

        counter = CREDITED.labels(provider=STARS)
        before = counter._value.get()
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="12.50")

        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            pay_telegram(payment)
        self.assertEqual(counter._value.get(), before)
        for callback in callbacks:
            callback()

        self.assertEqual(counter._value.get(), before + 12.5)


@pytest.mark.parametrize(
    ("price", "balance", "top_up"),
    [("30.00", "10.00", "20.00"), ("10.50", "10.00", "1"), ("20000.00", "0.00", "10000")],
)
def test_it_tops_up_the_shortfall_within_the_bounds(price, balance, top_up):
    # conftest: MIN_AMOUNT 1, MAX_AMOUNT 10000
    assert shortfall_top_up(price=Decimal(price), balance=Decimal(balance)) == Decimal(top_up)
