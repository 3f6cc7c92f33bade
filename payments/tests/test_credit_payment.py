from decimal import Decimal

import pytest

from accounts.models import Customer
from payments.models import LedgerEntry, Payment, ReferralReward
from payments.services import create_payment, credit_payment
from shopbot.test import ShopTestCase, is_postgresql, ledger_matches_balance, make_customer, race


def new_top_up(customer: Customer, amount: str = "100.00") -> Payment:
    return create_payment(
        customer=customer,
        provider=Payment.Provider.STARS,
        amount=Decimal(amount),
        provider_amount=Decimal("150"),
        provider_currency="XTR",
    )


class CreditPaymentTests(ShopTestCase):
    def test_it_credits_the_recorded_amount_once(self):
        payment = new_top_up(self.bob)

        first = credit_payment(payment_id=payment.pk, external_id="charge-1")
        again = credit_payment(payment_id=payment.pk, external_id="charge-1")

        self.assertIs(first.credited, True)
        self.assertIs(again.credited, False)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("100.00"))
        self.assertEqual(self.bob.ledger.count(), 1)
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_pays_the_referrer_their_share_in_the_same_transaction(self):
        carol = make_customer(1003, username="carol", referrer=self.alice)
        payment = new_top_up(carol, "30.00")

        result = credit_payment(payment_id=payment.pk, external_id="charge-2")

        self.assertEqual(result.reward.amount, Decimal("3.00"))  # REFERRAL_PERCENT=10 in tests
        self.assertTrue(ledger_matches_balance(self.alice))
        self.assertTrue(ledger_matches_balance(carol))


@pytest.mark.django_db(transaction=True)
def test_it_credits_a_payment_once_when_ten_threads_race():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    referrer = make_customer(5001)
    buyer = make_customer(5002, referrer=referrer)
    payment = new_top_up(buyer, "40.00")

    results = race(10, lambda: credit_payment(payment_id=payment.pk, external_id="race-charge").credited)
    later = credit_payment(payment_id=payment.pk, external_id="race-charge")

    assert sorted(results) == [False] * 9 + [True]
    assert later.credited is False
    assert LedgerEntry.objects.filter(customer=buyer).count() == 1
    assert ReferralReward.objects.filter(payment=payment).count() == 1
    assert ledger_matches_balance(buyer) and ledger_matches_balance(referrer)
    buyer.refresh_from_db()
    assert buyer.balance == Decimal("40.00")
