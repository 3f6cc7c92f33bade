"""Credits arriving at the same moment collect an owed amount once, on PostgreSQL: threads on their own connections."""

import queue
from decimal import Decimal

import pytest
from django.utils.timezone import now

from payments.models import LedgerEntry, Payment, ReferralReward
from payments.services import credit_payment
from payments.tests.test_credit_payment import new_top_up
from shopbot.test import is_postgresql, ledger_matches_balance, make_customer, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def refunded_owing(customer, owed: str) -> Payment:
    """A Stars top-up Telegram refunded after the customer had spent it: ``owed`` is due to the shop."""
    return Payment.objects.create(
        provider=Payment.Provider.STARS,
        purpose=Payment.Purpose.TOP_UP,
        customer=customer,
        amount=Decimal(owed),
        provider_amount=Decimal(owed),
        provider_currency="XTR",
        status=Payment.Status.REFUNDED,
        refunded_at=now(),
        refund_owed=Decimal(owed),
        expires_at=now(),
    )


def credit_all_at_once(payments: list[Payment]) -> list[object]:
    work = queue.Queue()
    for payment in payments:
        work.put(payment)

    def credit():
        payment = work.get()
        return credit_payment(payment_id=payment.pk, external_id=f"race-{payment.pk}").credited

    return race(len(payments), credit)


def test_two_top_ups_at_once_collect_a_refund_owed_once():
    buyer = make_customer(5101)
    owed = refunded_owing(buyer, "5.00")
    top_ups = [new_top_up(buyer, "4.00"), new_top_up(buyer, "4.00")]

    results = credit_all_at_once(top_ups)

    assert results == [True, True], results
    owed.refresh_from_db()
    assert (owed.refund_owed, owed.refund_collected) == (Decimal("0.00"), Decimal("5.00"))
    buyer.refresh_from_db()
    assert buyer.balance == Decimal("3.00")
    collections = LedgerEntry.objects.filter(payment=owed, kind=LedgerEntry.Kind.REFUND)
    assert sorted(collections.values_list("amount", flat=True)) == [Decimal("-4.00"), Decimal("-1.00")]
    assert ledger_matches_balance(buyer)


def test_four_top_ups_at_once_collect_an_owed_reward_once():
    referrer = make_customer(5201)
    referee = make_customer(5202)
    refunded = refunded_owing(referee, "1.00")
    Payment.objects.filter(pk=refunded.pk).update(refund_owed=0)
    reward = ReferralReward.objects.create(
        referrer=referrer,
        referee=referee,
        payment=refunded,
        amount=Decimal("2.00"),
        reversed_at=now(),
        owed=Decimal("2.00"),
    )
    top_ups = [new_top_up(referrer, "10.00") for _n in range(4)]

    results = credit_all_at_once(top_ups)

    assert results == [True] * 4, results
    reward.refresh_from_db()
    assert (reward.owed, reward.collected) == (Decimal("0.00"), Decimal("2.00"))
    referrer.refresh_from_db()
    assert referrer.balance == Decimal("38.00")
    assert LedgerEntry.objects.filter(customer=referrer, kind=LedgerEntry.Kind.REFERRAL_REVERSAL).count() == 1
    assert ledger_matches_balance(referrer)
