from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.timezone import now

from accounts.models import StaffEvent, StaffNotice
from payments.models import LedgerEntry, Payment, PaymentNotice, ReferralReward
from payments.services import check_pre_checkout, claim_notices, start_top_up
from payments.tests.helpers import ALL_METHODS, pay_telegram, total_of
from shopbot.errors import PaymentExpired, PaymentMismatch, PaymentNotFound, PaymentNotPending
from shopbot.test import ShopTestCase, is_postgresql, ledger_matches_balance, make_customer, race

STARS = Payment.Provider.STARS
CARD = Payment.Provider.TELEGRAM


@ALL_METHODS
class CheckPreCheckoutTests(ShopTestCase):
    def setUp(self):
        self.payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10")

    def check(self, **changes):
        fields = {
            "telegram_id": self.bob.telegram_id,
            "payload": self.payment.payload,
            "currency": "XTR",
            "total_amount": 15,
        }
        return check_pre_checkout(**{**fields, **changes})

    def test_it_accepts_a_pending_invoice_of_this_user(self):
        self.assertEqual(self.check(), self.payment)

    def test_it_refuses_an_unknown_payload(self):
        with self.assertRaisesMessage(PaymentNotFound, "This payment was not found."):
            self.check(payload="forged")

    def test_it_refuses_another_users_invoice_as_unknown(self):
        with self.assertRaises(PaymentNotFound):
            self.check(telegram_id=self.alice.telegram_id)

    def test_it_refuses_an_expired_invoice(self):
        Payment.objects.filter(pk=self.payment.pk).update(expires_at=now() - timedelta(seconds=1))

        with self.assertRaisesMessage(PaymentExpired, "This invoice has expired. Please create a new one."):
            self.check()

    def test_it_refuses_an_invoice_already_paid(self):
        pay_telegram(self.payment)

        with self.assertRaises(PaymentNotPending):
            self.check()

    def test_it_refuses_a_different_total_or_currency(self):
        for changes in ({"total_amount": 14}, {"total_amount": 1500}, {"currency": "RUB"}):
            with self.assertRaisesMessage(PaymentMismatch, "The payment does not match the invoice."):
                self.check(**changes)

    def test_it_compares_card_totals_in_minor_units(self):
        card = start_top_up(telegram_id=self.bob.telegram_id, provider=CARD, amount="99.50")

        self.assertEqual(self.check(payload=card.payload, currency="RUB", total_amount=9950), card)


@ALL_METHODS
class ConfirmTelegramPaymentTests(ShopTestCase):
    def test_it_credits_the_recorded_amount_and_owes_one_notice(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=CARD, amount="99.50")

        credit = pay_telegram(payment, charge_id="tg-1", provider_charge_id="stripe-1")

        self.assertIs(credit.credited, True)
        payment.refresh_from_db()
        self.assertEqual((payment.status, payment.external_id), (Payment.Status.PAID, "tg-1"))
        self.assertEqual(payment.provider_charge_id, "stripe-1")
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("99.50"))
        [notice] = claim_notices()
        self.assertEqual(
            (notice.telegram_id, notice.kind), (self.bob.telegram_id, PaymentNotice.Kind.CREDITED)
        )
        self.assertEqual(notice.params["amount"], "99.50")

    def test_it_credits_once_when_the_same_update_arrives_five_times(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="20")

        results = [pay_telegram(payment, charge_id="tg-same").credited for _ in range(5)]

        self.assertEqual(results, [True, False, False, False, False])
        self.assertEqual(LedgerEntry.objects.filter(customer=self.bob).count(), 1)
        self.assertEqual(len(claim_notices()), 1)
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_pays_the_referrer_and_owes_them_one_notice(self):
        carol = make_customer(1003, username="carol", referrer=self.alice)
        payment = start_top_up(telegram_id=carol.telegram_id, provider=STARS, amount="30")

        pay_telegram(payment, charge_id="tg-ref")
        pay_telegram(payment, charge_id="tg-ref")

        self.assertEqual(ReferralReward.objects.get(payment=payment).amount, Decimal("3.00"))
        kinds = sorted((notice.telegram_id, notice.kind) for notice in claim_notices())
        self.assertEqual(
            kinds, [(self.alice.telegram_id, "referral_reward"), (carol.telegram_id, "credited")]
        )
        self.assertTrue(ledger_matches_balance(self.alice) and ledger_matches_balance(carol))

    def test_it_credits_a_blocked_customer(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10")
        self.bob.is_blocked = True
        self.bob.save()

        self.assertIs(pay_telegram(payment).credited, True)

    def test_it_credits_money_that_arrives_after_expiry(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10")
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.EXPIRED)

        self.assertIs(pay_telegram(payment).credited, True)

    def test_it_flags_a_mismatched_total_for_review_without_crediting(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10")

        credit = pay_telegram(payment, charge_id="tg-odd", total_amount=1)
        again = pay_telegram(payment, charge_id="tg-odd", total_amount=1)

        self.assertEqual((credit.credited, credit.needs_review), (False, True))
        self.assertEqual((again.credited, again.needs_review), (False, False))
        payment.refresh_from_db()
        self.assertIs(payment.needs_review, True)
        self.assertEqual(payment.status, Payment.Status.FAILED)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("0"))
        notices = {(notice.telegram_id, notice.kind) for notice in claim_notices()}
        self.assertEqual(notices, {(self.bob.telegram_id, "review_customer")})
        staff = StaffNotice.objects.filter(event=StaffEvent.PAYMENT_REVIEW)
        self.assertIn(9000, {notice.telegram_id for notice in staff})
        self.assertEqual({notice.params["payment"] for notice in staff}, {payment.pk})

    def test_it_flags_a_payment_by_someone_else(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10")

        credit = pay_telegram(payment, telegram_id=self.alice.telegram_id)

        self.assertIs(credit.needs_review, True)
        self.assertEqual(LedgerEntry.objects.filter(payment=payment).count(), 0)

    def test_it_credits_a_second_charge_of_a_paid_invoice_as_its_own_top_up(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10")
        pay_telegram(payment, charge_id="tg-a")

        credit = pay_telegram(payment, charge_id="tg-b")

        self.assertIs(credit.credited, True)
        self.assertNotEqual(credit.payment.pk, payment.pk)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("20.00"))
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_keeps_a_charge_for_an_unknown_payload_for_review(self):
        credit = pay_telegram(
            start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10"), payload="gone"
        )

        self.assertIs(credit.needs_review, True)
        self.assertEqual(credit.payment.external_id.startswith("charge-"), True)
        self.assertEqual(credit.payment.amount, Decimal("10.00"))  # 15 stars at 1.5 per unit


@pytest.mark.django_db(transaction=True)
def test_it_credits_one_successful_payment_once_when_replays_race(settings):
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    settings.STARS_PER_VALUE = Decimal("2.37")
    referrer = make_customer(5101)
    buyer = make_customer(5102, referrer=referrer)
    payment = start_top_up(telegram_id=buyer.telegram_id, provider=STARS, amount="42.42")

    results = race(5, lambda: pay_telegram(payment, charge_id="raced-charge").credited)
    later = pay_telegram(payment, charge_id="raced-charge")

    assert sorted(results) == [False] * 4 + [True]
    assert later.credited is False
    assert LedgerEntry.objects.filter(customer=buyer).count() == 1
    assert ReferralReward.objects.filter(payment=payment).count() == 1
    assert PaymentNotice.objects.filter(payment=payment).count() == 2  # the buyer and the referrer
    buyer.refresh_from_db()
    assert buyer.balance == Decimal("42.42")
    assert total_of(payment) == 101  # 100.5354 stars, rounded up
    assert ledger_matches_balance(buyer) and ledger_matches_balance(referrer)


@ALL_METHODS
class ExtraChargeTests(ShopTestCase):
    def test_it_keeps_the_first_charge_when_a_mismatched_second_charge_arrives(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10")
        pay_telegram(payment, charge_id="first")

        credit = pay_telegram(payment, charge_id="second", total_amount=1)

        payment.refresh_from_db()
        self.assertEqual((payment.external_id, payment.status), ("first", Payment.Status.PAID))
        self.assertIs(credit.needs_review, True)
        self.assertEqual(credit.payment.external_id, "second")
        self.assertIs(pay_telegram(payment, charge_id="first").credited, False)

    def test_it_credits_a_matching_charge_on_a_flagged_invoice_on_its_own_row(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="10")
        pay_telegram(payment, charge_id="odd", total_amount=1)

        credit = pay_telegram(payment, charge_id="good")

        payment.refresh_from_db()
        self.assertEqual((payment.external_id, payment.needs_review), ("odd", True))
        self.assertIs(credit.credited, True)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("10.00"))
