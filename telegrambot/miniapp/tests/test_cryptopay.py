"""CryptoPay top-ups in the Mini App: the chat's steps at the web view's edge, against the fake CryptoPay."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from accounts.models import AuditEntry, Customer
from payments.models import LedgerEntry, Payment
from payments.testing.fake_cryptopay import FakeCryptoPay
from shopbot.test import ledger_matches_balance
from telegrambot.miniapp.tests.test_api import MiniAppTestCase


@pytest.fixture(scope="module")
def cryptopay_server():
    with FakeCryptoPay() as fake:
        yield fake


@override_settings(PAY_CURRENCY="RUB")
class CryptoTopUpTests(MiniAppTestCase):
    @pytest.fixture(autouse=True)
    def use_fake(self, cryptopay_server, settings):
        cryptopay_server.reset()
        settings.CRYPTO_PAY_API_URL = cryptopay_server.url
        settings.CRYPTO_PAY_TOKEN = cryptopay_server.token
        self.fake = cryptopay_server

    def test_it_opens_an_invoice_and_credits_it_when_the_page_checks(self):
        app = self.app(self.bob.telegram_id)
        self.assertIs(app.get("me").json()["me"]["crypto"], True)

        opened = app.post("crypto/top-up", {"amount": "25"}).json()
        not_yet = app.post(f"crypto/{opened['payment_id']}/check").json()
        payment = Payment.objects.get(pk=opened["payment_id"])
        self.fake.mark_paid(int(payment.external_id))
        paid = app.post(f"crypto/{opened['payment_id']}/check").json()
        again = app.post(f"crypto/{opened['payment_id']}/check").json()

        self.assertEqual(opened["pay_url"], payment.pay_url)
        self.assertIn(f"IV{payment.external_id}", opened["pay_url"])  # the invoice CryptoPay created
        self.assertEqual((payment.provider, payment.amount), (Payment.Provider.CRYPTOPAY, Decimal("25.00")))
        self.assertEqual((not_yet["status"], paid["status"], again["status"]), ("pending", "paid", "paid"))
        self.assertEqual(paid["me"]["balance"]["amount"], "25.00")
        bob = Customer.objects.get(pk=self.bob.pk)
        self.assertEqual(LedgerEntry.objects.filter(customer=bob, kind=LedgerEntry.Kind.TOP_UP).count(), 1)
        self.assertTrue(ledger_matches_balance(bob))

    def test_it_refuses_bad_amounts_and_opens_nothing(self):
        app = self.app()

        for amount in ("-5", "abc", None, "1" * 5000, 0.5, "0"):
            response = app.post("crypto/top-up", {"amount": amount})
            self.assertIn(response.status_code, (409, 413), amount)
        self.assertFalse(Payment.objects.exists())
        self.assertEqual(self.fake.calls, [])

    def test_it_says_cryptopay_is_not_answering_and_marks_the_payment_failed(self):
        self.fake.failing = True

        response = self.app().post("crypto/top-up", {"amount": "25"})

        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["error"], "CryptoPay is not answering, please try again shortly.")
        self.assertEqual(Payment.objects.get().status, Payment.Status.FAILED)

    def test_it_answers_another_customers_invoice_with_404_and_audits_it(self):
        bobs = self.app(self.bob.telegram_id).post("crypto/top-up", {"amount": "25"}).json()
        self.fake.mark_paid(int(Payment.objects.get(pk=bobs["payment_id"]).external_id))

        response = self.app().post(f"crypto/{bobs['payment_id']}/check")

        self.assertEqual(response.status_code, 404)
        self.assertEqual(AuditEntry.objects.get(action="miniapp_not_found").actor, self.alice)
        self.assertEqual(Payment.objects.get(pk=bobs["payment_id"]).status, Payment.Status.PENDING)
