from decimal import Decimal

import pytest
from django.test import override_settings

from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.services import claim_notices
from payments.tests.helpers import ALL_METHODS, WEBHOOK, CryptoPayTestCase, open_crypto_invoice
from shopbot.test import ShopTestCase, make_customer


@ALL_METHODS
class CryptoPayWebhookTests(CryptoPayTestCase):
    def test_it_credits_a_correctly_signed_update_and_owes_one_notice(self):
        payment = self.new_invoice()
        self.fake.mark_paid(int(payment.external_id))

        response = self.post_webhook(int(payment.external_id))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.balance(self.bob), Decimal("25.00"))
        self.assertEqual([notice.kind for notice in claim_notices()], [PaymentNotice.Kind.CREDITED])

    def test_it_answers_a_replayed_update_with_200_and_changes_nothing(self):
        payment = self.new_invoice()
        self.fake.mark_paid(int(payment.external_id))
        body = self.fake.webhook_body(int(payment.external_id))

        statuses = [self.post_webhook(None, body=body).status_code for _ in range(3)]

        self.assertEqual(statuses, [200, 200, 200])
        self.assertEqual(LedgerEntry.objects.filter(customer=self.bob).count(), 1)
        self.assertEqual(PaymentNotice.objects.count(), 1)

    def test_it_refuses_a_wrong_or_missing_signature(self):
        payment = self.new_invoice()
        self.fake.mark_paid(int(payment.external_id))

        for signature in ("", "0" * 64, "not hex at all"):
            response = self.post_webhook(int(payment.external_id), signature=signature)
            self.assertEqual(response.status_code, 401)
        self.assertEqual(self.balance(self.bob), Decimal("0"))

    @override_settings(CRYPTOPAY_WEBHOOK_RATE_LIMIT="5/m")
    def test_it_credits_a_signed_update_after_junk_from_the_same_proxy(self):
        # Behind a reverse proxy every post has the proxy's address: junk must not lock CryptoPay out.
        payment = self.new_invoice()
        self.fake.mark_paid(int(payment.external_id))
        junk = [self.post_webhook(None, body=b"{}", signature="0" * 64).status_code for _ in range(8)]

        response = self.post_webhook(int(payment.external_id))

        self.assertEqual(junk, [401] * 5 + [429] * 3)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.balance(self.bob), Decimal("25.00"))

    def test_it_refuses_an_update_signed_with_another_token(self):
        payment = self.new_invoice()
        self.fake.mark_paid(int(payment.external_id))

        response = self.post_webhook(int(payment.external_id), token="999:someone-elses-app")

        self.assertEqual(response.status_code, 401)
        self.assertEqual(Payment.objects.get().status, Payment.Status.PENDING)

    def test_it_refuses_an_unknown_invoice(self):
        payment = self.new_invoice()
        self.fake.mark_paid(int(payment.external_id))
        body = self.fake.webhook_body(int(payment.external_id)).replace(payment.external_id.encode(), b"777")
        body = body.replace(payment.payload.encode(), b"unknown")

        self.assertEqual(self.post_webhook(None, body=body).status_code, 404)
        self.assertEqual(Payment.objects.get().status, Payment.Status.PENDING)

    def test_it_refuses_a_malformed_body(self):
        for body in (
            b"",
            b"not json",
            b"[]",
            b'{"update_id": 1}',
            b'{"update_id": 1, "payload": {"invoice_id": "x"}}',
        ):
            self.assertEqual(self.post_webhook(None, body=body).status_code, 400)

    def test_it_refuses_a_get(self):
        self.assertEqual(self.client.get(WEBHOOK).status_code, 405)

    def test_it_flags_an_amount_that_does_not_match_the_invoice(self):
        payment = self.new_invoice()
        self.fake.mark_paid(int(payment.external_id), amount="2.50")

        self.assertEqual(self.post_webhook(int(payment.external_id)).status_code, 200)

        payment.refresh_from_db()
        self.assertIs(payment.needs_review, True)
        self.assertEqual(self.balance(self.bob), Decimal("0"))

    def test_it_credits_an_invoice_whose_creation_answer_was_lost(self):
        payment = self.new_invoice()
        invoice_id = int(payment.external_id)
        Payment.objects.filter(pk=payment.pk).update(external_id=None, status=Payment.Status.FAILED)
        self.fake.mark_paid(invoice_id)

        self.assertEqual(self.post_webhook(invoice_id).status_code, 200)
        self.assertEqual(self.balance(self.bob), Decimal("25.00"))


@pytest.mark.django_db(transaction=True)
def test_it_credits_a_webhook_the_fake_sends_over_http(fake_cryptopay, live_server):
    buyer = make_customer(5301)
    payment = open_crypto_invoice(telegram_id=buyer.telegram_id, amount="12.34")
    fake_cryptopay.mark_paid(int(payment.external_id))

    response = fake_cryptopay.send_webhook(live_server.url + WEBHOOK, int(payment.external_id))

    assert response.status_code == 200
    buyer.refresh_from_db()
    assert buyer.balance == Decimal("12.34")


class UnconfiguredWebhookTests(ShopTestCase):
    def test_it_is_not_found_when_cryptopay_is_off(self):
        from django.test import override_settings

        with override_settings(CRYPTO_PAY_TOKEN=""):
            response = self.client.post(WEBHOOK, data=b"{}", content_type="application/json")

        self.assertEqual(response.status_code, 404)
