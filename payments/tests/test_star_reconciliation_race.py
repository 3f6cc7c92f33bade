"""Stars reconciliations running at once (the nightly job and a staff press), on PostgreSQL: each change happens once."""

import queue
from decimal import Decimal

import pytest
from django.utils.timezone import now

from payments.models import LedgerEntry, Payment
from payments.money import to_minor_units
from payments.services import confirm_telegram_payment, start_top_up
from payments.services.star_reconciliation import MISSING, StarTransaction, reconcile_stars
from payments.tests.helpers import pay_telegram
from shopbot.test import is_postgresql, ledger_matches_balance, make_customer, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only(settings):
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    settings.STARS_PER_VALUE = Decimal("1")
    settings.PAY_CURRENCY = "RUB"


def charge(payment: Payment, charge_id: str, *, incoming: bool = True) -> StarTransaction:
    return StarTransaction(
        id=charge_id,
        amount=to_minor_units(payment.provider_amount, payment.provider_currency),
        date=1,
        incoming=incoming,
        telegram_id=payment.customer.telegram_id,
        payload=payment.payload,
    )


def test_two_runs_at_once_credit_flag_and_refund_once():
    buyer = make_customer(5201)
    waiting = start_top_up(telegram_id=buyer.telegram_id, provider=Payment.Provider.STARS, amount="20")
    paid = start_top_up(telegram_id=buyer.telegram_id, provider=Payment.Provider.STARS, amount="30")
    pay_telegram(paid, charge_id="paid-1")
    stranger = StarTransaction(
        id="stranger-1", amount=9, date=1, incoming=True, telegram_id=5201, payload="x"
    )
    transactions = [
        charge(paid, "paid-1"),
        charge(waiting, "lost-1"),
        stranger,
        charge(paid, "paid-1", incoming=False),
    ]

    results = race(2, lambda: reconcile_stars(transactions=transactions, fetched_at=now()))

    assert not [result for result in results if isinstance(result, Exception)], results
    waiting.refresh_from_db()
    paid.refresh_from_db()
    assert (waiting.status, waiting.external_id) == (Payment.Status.PAID, "lost-1")
    assert paid.status == Payment.Status.REFUNDED
    kept = Payment.objects.get(external_id="stranger-1")
    assert (kept.needs_review, kept.note) == (True, MISSING)
    assert LedgerEntry.objects.filter(payment=waiting, kind=LedgerEntry.Kind.TOP_UP).count() == 1
    assert LedgerEntry.objects.filter(payment=paid, kind=LedgerEntry.Kind.REFUND).count() == 1
    buyer.refresh_from_db()
    assert buyer.balance == Decimal("20.00")
    assert ledger_matches_balance(buyer)


def test_a_run_racing_the_live_successful_payment_credits_once():
    buyer = make_customer(5202)
    waiting = start_top_up(telegram_id=buyer.telegram_id, provider=Payment.Provider.STARS, amount="20")
    work = queue.Queue()
    work.put(lambda: reconcile_stars(transactions=[charge(waiting, "late-1")], fetched_at=now()))
    work.put(
        lambda: confirm_telegram_payment(
            telegram_id=buyer.telegram_id,
            payload=waiting.payload,
            currency="XTR",
            total_amount=20,
            telegram_charge_id="late-1",
        )
    )

    results = race(2, lambda: work.get()())

    assert not [result for result in results if isinstance(result, Exception)], results
    waiting.refresh_from_db()
    assert waiting.status == Payment.Status.PAID
    assert Payment.objects.filter(external_id="late-1").count() == 1
    assert LedgerEntry.objects.filter(payment=waiting, kind=LedgerEntry.Kind.TOP_UP).count() == 1
    buyer.refresh_from_db()
    assert (buyer.balance, ledger_matches_balance(buyer)) == (Decimal("20.00"), True)
