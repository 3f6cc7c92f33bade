from datetime import timedelta

from django.utils.timezone import now

from payments.models import Payment, PaymentNotice
from payments.reconciliation import start_reconciliation
from payments.services import claim_notices, mark_notices_sent, start_top_up
from payments.services.notices import CLAIM_SECONDS
from payments.tests.helpers import ALL_METHODS, pay_telegram
from shopbot.test import ShopTestCase


@ALL_METHODS
class ExpireOverduePaymentsTests(ShopTestCase):
    def test_it_expires_telegram_invoices_past_their_expiry_only(self):
        overdue = start_top_up(telegram_id=self.bob.telegram_id, provider="stars", amount="5")
        fresh = start_top_up(telegram_id=self.bob.telegram_id, provider="telegram", amount="5")
        Payment.objects.filter(pk=overdue.pk).update(expires_at=now() - timedelta(minutes=1))

        report = start_reconciliation()

        self.assertEqual((report.expired, report.cryptopay), (1, "off"))
        overdue.refresh_from_db()
        fresh.refresh_from_db()
        self.assertEqual((overdue.status, fresh.status), ("expired", "pending"))

    def test_it_still_credits_an_expired_invoice_telegram_took_money_for(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider="stars", amount="5")
        Payment.objects.filter(pk=payment.pk).update(expires_at=now() - timedelta(minutes=1))
        start_reconciliation()

        self.assertIs(pay_telegram(payment).credited, True)


@ALL_METHODS
class ClaimNoticesTests(ShopTestCase):
    def test_it_hands_out_each_notice_once_in_the_recipients_language(self):
        self.bob.language = "ru"
        self.bob.save()
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider="stars", amount="5")
        pay_telegram(payment)

        [notice] = claim_notices(payment_id=payment.pk)

        self.assertEqual((notice.language, notice.params["amount"]), ("ru", "5.00"))
        self.assertEqual(claim_notices(), [])
        self.assertIsNone(PaymentNotice.objects.get().sent_at)  # not until Telegram accepts it
        mark_notices_sent(notice_ids=[notice.id])
        self.assertIsNotNone(PaymentNotice.objects.get().sent_at)

    def test_it_claims_a_notice_again_when_its_claim_ran_out_unsent(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider="stars", amount="5")
        pay_telegram(payment)
        [first] = claim_notices()
        self.assertEqual(claim_notices(), [])  # held by the first claim
        held = PaymentNotice.objects.get().claimed_until
        self.assertGreater(held, now() + timedelta(seconds=CLAIM_SECONDS - 60))

        PaymentNotice.objects.update(claimed_until=now() - timedelta(seconds=1))  # the claim ran out
        [again] = claim_notices()
        PaymentNotice.objects.update(claimed_until=now() - timedelta(seconds=1))
        mark_notices_sent(notice_ids=[again.id])

        self.assertEqual(claim_notices(), [])
        self.assertEqual(first.id, again.id)

    def test_it_claims_only_the_named_payments_notices(self):
        first = start_top_up(telegram_id=self.bob.telegram_id, provider="stars", amount="5")
        second = start_top_up(telegram_id=self.alice.telegram_id, provider="stars", amount="7")
        pay_telegram(first)
        pay_telegram(second)

        self.assertEqual([n.payment_id for n in claim_notices(payment_id=second.pk)], [second.pk])
        self.assertEqual([n.params["amount"] for n in claim_notices()], ["5.00"])


@ALL_METHODS
class StuckRefundTests(ShopTestCase):
    def test_it_reports_a_refund_telegram_never_confirmed(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider="stars", amount="5")
        pay_telegram(payment)
        Payment.objects.filter(pk=payment.pk).update(
            status=Payment.Status.REFUNDING, updated=now() - timedelta(hours=1)
        )

        report = start_reconciliation()

        self.assertEqual(report.stuck_refunds, [payment.pk])
