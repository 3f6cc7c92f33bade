"""Two staff refunding one claim's Stars order at once, on PostgreSQL: threads on their own connections."""

import queue
from decimal import Decimal

import pytest
from django.test import override_settings

from accounts.models import AuditEntry
from accounts.roles import ensure_builtin_roles
from catalog.models import Category, Claim, Purchase
from catalog.services.claims import open_claim
from catalog.services.orders import start_product_order
from catalog.services.rail_refunds import begin_claim_stars_refund, settle_claim_stars_refund
from payments.models import Payment, PaymentNotice
from payments.services import RefundAnswer
from payments.tests.helpers import pay_telegram
from shopbot.errors import ClaimAlreadyDecided
from shopbot.test import OWNER_ID, is_postgresql, ledger_matches_balance, make_customer, make_product, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


@override_settings(STARS_PER_VALUE=Decimal("1"))
def test_it_settles_one_refund_when_two_staff_press_at_once():
    ensure_builtin_roles()
    owner = make_customer(OWNER_ID)
    buyer = make_customer(7300)
    product = make_product(Category.objects.create(name="Games"), "Game key", "9.99", units=["K-1"])
    payment = start_product_order(telegram_id=buyer.telegram_id, product_id=product.pk)
    pay_telegram(payment, charge_id="race-charge")
    purchase = Purchase.objects.get(payment=payment)
    claim = open_claim(telegram_id=buyer.telegram_id, purchase_id=purchase.pk, reason="not_working")
    # Both presses hold the refund (the second resumes the first's hold), and Telegram accepts both:
    # the second answer is CHARGE_ALREADY_REFUNDED, which counts as done.
    held = queue.Queue()
    for _n in range(2):
        held.put(begin_claim_stars_refund(actor=owner, claim_id=claim.pk))

    results = race(
        2, lambda: settle_claim_stars_refund(actor=owner, refund=held.get(), answer=RefundAnswer(done=True))
    )

    refused = [result for result in results if isinstance(result, ClaimAlreadyDecided)]
    assert len(refused) == 1, results
    claim.refresh_from_db()
    payment.refresh_from_db()
    assert (claim.status, claim.refund_to, payment.status) == ("refunded", "stars", Payment.Status.REFUNDED)
    assert AuditEntry.objects.filter(action="claim_refunded").count() == 1
    assert AuditEntry.objects.filter(action="refund_payment").count() == 1
    assert PaymentNotice.objects.filter(payment=payment, kind=PaymentNotice.Kind.REFUNDED).count() == 1
    assert Claim.objects.get(pk=claim.pk).decided_at is not None
    assert ledger_matches_balance(buyer)
