"""A Stars order refunded from the payments screen takes back its purchases, as Telegram's own refund does."""

from django.urls import reverse

from catalog.models import Claim, Purchase, StockUnit
from catalog.services.rail_refunds import record_refunded_payment
from catalog.tests.test_claims_admin_stars import CHARGE, StarsOrderTestCase
from payments.models import LedgerEntry, Payment
from shopbot.test import ledger_matches_balance, make_staff, row_counts

PAYMENTS = reverse("admin:payments_payment_changelist")


class PaymentsScreenOrderRefundTests(StarsOrderTestCase):
    def refund_payment(self, reason: str = "Asked in /paysupport"):  # type: ignore[no-untyped-def]
        data = {
            "action": "refund_stars",
            "_selected_action": [self.payment.pk],
            "apply": "1",
            "reason": reason,
        }
        return self.client.post(PAYMENTS, data, follow=True)

    def test_it_marks_the_orders_purchases_refunded_and_units_defective(self) -> None:
        self.client.force_login(self.wendy)
        before = row_counts(LedgerEntry)

        done = self.refund_payment()

        self.assertContains(done, f"Payment #{self.payment.pk} refunded")
        self.assertEqual(self.state(), ("refunded", "stars", [True, True], 1, Payment.Status.REFUNDED))
        purchases = Purchase.objects.filter(payment=self.payment)
        self.assertEqual(
            sorted(p.refunded_amount for p in purchases), [p.price for p in purchases.order_by("price")]
        )
        key_unit = purchases.get(product=self.key).unit
        self.assertEqual(StockUnit.objects.get(pk=key_unit.pk).defect_claim_id, self.claim.pk)
        self.assertEqual(row_counts(LedgerEntry), before)  # the order never touched the balance
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_a_second_refund_or_telegrams_replay_changes_nothing(self) -> None:
        self.client.force_login(self.wendy)
        self.refund_payment()
        refunded = list(Purchase.objects.order_by("id").values_list("refunded_at", "refunded_amount"))

        again = self.refund_payment()
        outside = record_refunded_payment(telegram_id=self.alice.telegram_id, charge_id=CHARGE)

        self.assertContains(again, "already been refunded")
        self.assertFalse(outside.changed)
        self.assertEqual(
            list(Purchase.objects.order_by("id").values_list("refunded_at", "refunded_amount")), refunded
        )
        self.assertEqual(Claim.objects.get(pk=self.claim.pk).status, "refunded")
        self.assertEqual(self.bot_api.refunds(), 1)

    def test_a_refused_refund_leaves_the_order_as_it_was(self) -> None:
        del self.bot_api.telegram.charges[CHARGE]
        self.client.force_login(self.wendy)

        done = self.refund_payment()

        self.assertContains(done, "Telegram does not know this charge.")
        self.assertEqual(self.state(), ("open", "", [False, False], 0, Payment.Status.PAID))

    def test_staff_without_refund_payments_change_nothing(self) -> None:
        self.client.force_login(make_staff("vic", permissions=["accounts.manage_balances"]))

        self.refund_payment()

        self.assertEqual(self.state(), ("open", "", [False, False], 0, Payment.Status.PAID))
        self.assertEqual(self.bot_api.refunds(), 0)
