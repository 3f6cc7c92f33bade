"""Refunds take back the referral reward of their top-up; Telegram's own refunds are recorded once."""

from decimal import Decimal

from django.db import transaction
from django.test import override_settings

from accounts.models import AuditEntry, Customer
from payments.models import LedgerEntry, Payment, ReferralReward
from payments.services import change_balance, record_manual_refund, record_outside_refund, start_top_up
from payments.tests.helpers import ALL_METHODS, pay_telegram
from shopbot.test import MoneyTestCase


def spend(customer: Customer, amount: str) -> None:
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        change_balance(customer=locked, amount=-Decimal(amount), kind=LedgerEntry.Kind.PURCHASE)


@ALL_METHODS
@override_settings(REFERRAL_PERCENT=Decimal("10"))
class ReferralReversalTests(MoneyTestCase):
    def paid_top_up(self, provider=Payment.Provider.TELEGRAM, amount="20"):
        Customer.objects.filter(pk=self.bob.pk).update(referrer=self.alice)
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=provider, amount=amount)
        pay_telegram(payment, charge_id=f"charge-{payment.pk}")
        payment.refresh_from_db()
        return payment

    def test_it_takes_the_reward_back_with_a_manual_refund(self):
        payment = self.paid_top_up()

        record_manual_refund(actor=self.admin, payment_id=payment.pk, reason="Card refunded")

        reversal = LedgerEntry.objects.get(kind=LedgerEntry.Kind.REFERRAL_REVERSAL)
        self.assertEqual((reversal.customer_id, reversal.amount), (self.alice.pk, Decimal("-2.00")))
        reward = ReferralReward.objects.get(payment=payment)
        self.assertIsNotNone(reward.reversed_at)
        self.assertEqual(reward.owed, Decimal("0"))
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))

    def test_it_records_as_owed_what_the_referrer_spent(self):
        payment = self.paid_top_up()
        spend(self.alice, "51.50")  # 0.50 left of the 2.00 reward

        record_manual_refund(actor=self.admin, payment_id=payment.pk, reason="Card refunded")

        reward = ReferralReward.objects.get(payment=payment)
        self.assertEqual(reward.owed, Decimal("1.50"))
        reversal = LedgerEntry.objects.get(kind=LedgerEntry.Kind.REFERRAL_REVERSAL)
        self.assertEqual(reversal.amount, Decimal("-0.50"))
        self.assertTrue(AuditEntry.objects.filter(action="reverse_referral_reward").exists())

    def test_it_reverses_once_when_telegram_refunds_a_stars_top_up(self):
        payment = self.paid_top_up(provider=Payment.Provider.STARS)
        spend(self.bob, "5")

        first = record_outside_refund(telegram_id=self.bob.telegram_id, charge_id=payment.external_id)
        again = record_outside_refund(telegram_id=self.bob.telegram_id, charge_id=payment.external_id)

        self.assertEqual((first.changed, again.changed), (True, False))
        payment.refresh_from_db()
        self.assertEqual((payment.status, payment.refund_owed), (Payment.Status.REFUNDED, Decimal("5.00")))
        self.assertEqual(LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFERRAL_REVERSAL).count(), 1)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("0"))

    def test_it_ignores_a_charge_of_another_customer(self):
        payment = self.paid_top_up(provider=Payment.Provider.STARS)

        self.assertIsNone(
            record_outside_refund(telegram_id=self.alice.telegram_id, charge_id=payment.external_id)
        )

        payment.refresh_from_db()
        self.assertEqual(payment.status, Payment.Status.PAID)
