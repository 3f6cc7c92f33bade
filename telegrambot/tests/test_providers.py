"""The bot's provider flows against the fake CryptoPay: prepare, ask CryptoPay off the ORM thread, record."""

import itertools
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.test import Client

from payments.cryptopay import BACKOFF_KEY
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.services import credit_crypto_invoice
from payments.tests import helpers
from payments.tests.helpers import ALL_METHODS, WEBHOOK
from payments.webhooks import SIGNATURE_HEADER
from shopbot.errors import PaymentNotFound, PaymentProviderUnavailable
from shopbot.test import is_postgresql, ledger_matches_balance, make_customer, race
from telegrambot.providers import check_crypto_payment, open_crypto_top_up, reconcile_payments

open_top_up = async_to_sync(open_crypto_top_up)
check_payment = async_to_sync(check_crypto_payment)
reconcile = async_to_sync(reconcile_payments)


class CryptoPayTestCase(helpers.CryptoPayTestCase):
    def new_invoice(self, customer=None, amount="25.00") -> Payment:
        """Open the invoice the way the bot does: the provider flow, not the service helper."""
        return open_top_up(telegram_id=(customer or self.bob).telegram_id, amount=amount)


@ALL_METHODS
class OpenCryptoTopUpTests(CryptoPayTestCase):
    def test_it_creates_a_fiat_invoice_and_stores_its_pay_link(self):
        payment = self.new_invoice(amount="25.50")

        invoice = self.fake.invoices[int(payment.external_id)]
        self.assertEqual(
            (invoice["amount"], invoice["fiat"], invoice["currency_type"]), ("25.5", "RUB", "fiat")
        )
        self.assertEqual(invoice["accepted_assets"], ["USDT", "TON", "BTC", "ETH"])
        self.assertEqual(invoice["payload"], payment.payload)
        self.assertEqual(invoice["expires_in"], 1800)
        self.assertTrue(payment.pay_url.startswith("https://t.me/"))
        self.assertEqual(payment.status, Payment.Status.PENDING)

    def test_it_marks_the_payment_failed_and_says_cryptopay_is_not_answering(self):
        self.fake.failing = True

        with self.assertRaisesMessage(
            PaymentProviderUnavailable, "CryptoPay is not answering, please try again shortly."
        ):
            self.new_invoice()

        self.assertEqual(Payment.objects.get().status, Payment.Status.FAILED)

    def test_it_backs_off_after_a_failure_without_calling_again(self):
        self.fake.failing = True
        with self.assertRaises(PaymentProviderUnavailable):
            self.new_invoice()
        calls = len(self.fake.calls)
        self.fake.failing = False

        with self.assertRaises(PaymentProviderUnavailable):
            self.new_invoice()

        self.assertEqual(len(self.fake.calls), calls)
        self.assertEqual(Payment.objects.count(), 1)  # only the first attempt left a (failed) row


@ALL_METHODS
class CheckCryptoPaymentTests(CryptoPayTestCase):
    def test_it_credits_a_paid_invoice_once(self):
        payment = self.new_invoice()
        self.fake.mark_paid(int(payment.external_id))

        first = check_payment(payment_id=payment.pk, telegram_id=self.bob.telegram_id)
        again = check_payment(payment_id=payment.pk, telegram_id=self.bob.telegram_id)

        self.assertEqual((first.credited, again.credited), (True, False))
        self.assertEqual(self.balance(self.bob), Decimal("25.00"))

    def test_it_changes_nothing_while_the_invoice_is_unpaid(self):
        payment = self.new_invoice()

        credit = check_payment(payment_id=payment.pk, telegram_id=self.bob.telegram_id)

        self.assertIs(credit.credited, False)
        self.assertEqual(credit.payment.status, Payment.Status.PENDING)

    def test_it_refuses_another_customers_payment(self):
        payment = self.new_invoice()

        with self.assertRaises(PaymentNotFound):
            check_payment(payment_id=payment.pk, telegram_id=self.alice.telegram_id)

    def test_it_says_cryptopay_is_not_answering(self):
        payment = self.new_invoice()
        self.fake.failing = True

        with self.assertRaises(PaymentProviderUnavailable):
            check_payment(payment_id=payment.pk, telegram_id=self.bob.telegram_id)


@ALL_METHODS
class ReconcilePaymentsTests(CryptoPayTestCase):
    def test_it_credits_paid_and_expires_expired_invoices_in_one_batch_call(self):
        paid, expired, waiting = (self.new_invoice(amount=value) for value in ("10", "20", "30"))
        self.fake.mark_paid(int(paid.external_id))
        self.fake.expire(int(expired.external_id))
        self.fake.calls.clear()

        report = reconcile()

        self.assertEqual([method for method, _params in self.fake.calls], ["getInvoices"])
        self.assertEqual((len(report.credited), report.expired, report.cryptopay), (1, 1, "ok"))
        statuses = {p.pk: p.status for p in Payment.objects.all()}
        self.assertEqual(
            [statuses[paid.pk], statuses[expired.pk], statuses[waiting.pk]], ["paid", "expired", "pending"]
        )
        self.assertEqual(self.balance(self.bob), Decimal("10.00"))

    def test_it_backs_off_while_cryptopay_fails(self):
        self.new_invoice()
        self.fake.failing = True

        first = reconcile()
        calls = len(self.fake.calls)
        second = reconcile()

        self.assertEqual((first.cryptopay, second.cryptopay), ("failing", "backing_off"))
        self.assertEqual(len(self.fake.calls), calls)

    def test_it_tries_again_once_the_back_off_is_over(self):
        payment = self.new_invoice()
        self.fake.failing = True
        reconcile()
        self.fake.failing = False
        self.fake.mark_paid(int(payment.external_id))
        cache.delete(BACKOFF_KEY)

        self.assertEqual(len(reconcile().credited), 1)


@pytest.mark.django_db(transaction=True)
def test_it_credits_once_when_webhook_button_and_job_race(fake_cryptopay, settings):
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    settings.REFERRAL_PERCENT = Decimal("10")
    referrer = make_customer(5201)
    buyer = make_customer(5202, referrer=referrer)
    payment = async_to_sync(open_crypto_top_up)(telegram_id=buyer.telegram_id, amount="77.70")
    invoice_id = int(payment.external_id)
    fake_cryptopay.mark_paid(invoice_id)
    body = fake_cryptopay.webhook_body(invoice_id)
    headers = {SIGNATURE_HEADER: fake_cryptopay.webhook_headers(body)[SIGNATURE_HEADER]}
    turns = itertools.count()

    def signal():
        turn = next(turns) % 3
        if turn == 0:
            return (
                Client()
                .post(WEBHOOK, data=body, content_type="application/json", headers=headers)
                .status_code
            )
        if turn == 1:
            return async_to_sync(check_crypto_payment)(
                payment_id=payment.pk, telegram_id=buyer.telegram_id
            ).credited
        return len(async_to_sync(reconcile_payments)().credited)

    results = race(9, signal)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert LedgerEntry.objects.filter(customer=buyer).count() == 1
    assert LedgerEntry.objects.filter(customer=referrer).count() == 1
    assert PaymentNotice.objects.filter(payment=payment).count() == 2
    buyer.refresh_from_db()
    assert buyer.balance == Decimal("77.70")
    assert ledger_matches_balance(buyer) and ledger_matches_balance(referrer)
    credit = credit_crypto_invoice(
        invoice_id=invoice_id, status="paid", amount=Decimal("77.7"), currency="RUB"
    )
    assert credit.credited is False
