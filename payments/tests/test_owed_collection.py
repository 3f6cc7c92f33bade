"""What a customer owes the shop after a refund is collected from their next credits, once."""

from decimal import Decimal

from django.test import override_settings
from django.urls import reverse

from accounts.models import AuditEntry, Customer
from accounts.roles import ADMIN_ROLE
from payments.models import LedgerEntry, Payment, PaymentNotice, ReferralReward
from payments.services import adjust_balance, record_manual_refund, record_outside_refund, start_top_up
from payments.tests.helpers import ALL_METHODS, pay_telegram
from payments.tests.test_reversals import spend
from shopbot.test import MoneyTestCase, make_staff


@ALL_METHODS
@override_settings(REFERRAL_PERCENT=Decimal("10"))
class OwedCollectionTests(MoneyTestCase):
    def top_up(self, customer: Customer, amount: str, provider: str = Payment.Provider.TELEGRAM) -> Payment:
        payment = start_top_up(telegram_id=customer.telegram_id, provider=provider, amount=amount)
        pay_telegram(payment)
        payment.refresh_from_db()
        return payment

    def bob_owes_five(self) -> Payment:
        """Bob spent 5 of a 5 Stars top-up that Telegram then refunded outside the bot."""
        payment = self.top_up(self.bob, "5", provider=Payment.Provider.STARS)
        spend(self.bob, "5")
        record_outside_refund(telegram_id=self.bob.telegram_id, charge_id=payment.external_id)
        payment.refresh_from_db()
        self.assertEqual(payment.refund_owed, Decimal("5.00"))
        return payment

    def balance(self, customer: Customer) -> Decimal:
        return Customer.objects.get(pk=customer.pk).balance

    def test_the_next_top_ups_pay_back_a_refund_owed_as_far_as_each_credit_goes(self) -> None:
        owed = self.bob_owes_five()

        first = self.top_up(self.bob, "3")
        owed.refresh_from_db()
        self.assertEqual((owed.refund_owed, owed.refund_collected), (Decimal("2.00"), Decimal("3.00")))
        self.assertEqual(self.balance(self.bob), Decimal("0.00"))
        notice = PaymentNotice.objects.get(payment=first, kind=PaymentNotice.Kind.CREDITED)
        self.assertEqual((notice.params["balance"], notice.params["collected"]), ("0.00", "3.00"))

        self.top_up(self.bob, "10")
        owed.refresh_from_db()
        self.assertEqual((owed.refund_owed, owed.refund_collected), (Decimal("0.00"), Decimal("5.00")))
        self.assertEqual(self.balance(self.bob), Decimal("8.00"))
        collections = LedgerEntry.objects.filter(payment=owed, kind=LedgerEntry.Kind.REFUND, amount__lt=0)
        self.assertEqual(
            sorted(collections.values_list("amount", flat=True)),
            [Decimal("-3.00"), Decimal("-2.00")],  # the balance was empty at the refund: both collected later
        )
        self.assertEqual(AuditEntry.objects.filter(action="collect_owed").count(), 2)

        self.top_up(self.bob, "4")
        self.assertEqual(self.balance(self.bob), Decimal("12.00"))  # nothing owed any more

    def test_a_referrers_owed_reward_is_collected_from_their_next_top_up(self) -> None:
        Customer.objects.filter(pk=self.bob.pk).update(referrer=self.alice)
        refunded = self.top_up(self.bob, "20")
        spend(self.alice, "51.50")  # 0.50 left of the 2.00 reward
        record_manual_refund(actor=self.admin, payment_id=refunded.pk, reason="Card refunded")
        reward = ReferralReward.objects.get(payment=refunded)
        self.assertEqual(reward.owed, Decimal("1.50"))

        self.top_up(self.alice, "10")

        reward.refresh_from_db()
        self.assertEqual((reward.owed, reward.collected), (Decimal("0.00"), Decimal("1.50")))
        self.assertEqual(self.balance(self.alice), Decimal("8.50"))
        collection = LedgerEntry.objects.filter(customer=self.alice, kind=LedgerEntry.Kind.REFERRAL_REVERSAL)
        self.assertEqual(
            sorted(collection.values_list("amount", flat=True)), [Decimal("-1.50"), Decimal("-0.50")]
        )

    def test_other_credits_do_not_collect(self) -> None:
        owed = self.bob_owes_five()

        adjust_balance(
            actor=self.owner, telegram_id=self.bob.telegram_id, amount="7", reason="Goodwill", credit=True
        )

        owed.refresh_from_db()
        self.assertEqual((owed.refund_owed, owed.refund_collected), (Decimal("5.00"), Decimal("0.00")))
        self.assertEqual(self.balance(self.bob), Decimal("7.00"))

    def test_staff_see_what_was_owed_and_collected(self) -> None:
        owed = self.bob_owes_five()
        self.top_up(self.bob, "3")
        self.client.force_login(make_staff("sam", roles=[ADMIN_ROLE]))
        payments = reverse("admin:payments_payment_changelist")

        page = self.client.get(reverse("admin:payments_payment_change", args=[owed.pk]))
        collected = self.client.get(payments, {"refund_owed": "collected"})
        still_owed = self.client.get(payments, {"refund_owed": "yes"})

        self.assertContains(page, "Refund collected")
        self.assertContains(page, "3.00")
        self.assertEqual(list(collected.context["cl"].result_list), [owed])
        self.assertEqual(list(still_owed.context["cl"].result_list), [owed])
