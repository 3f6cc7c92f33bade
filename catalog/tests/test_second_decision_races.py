"""The claim-rate rule's two decisions at the same moment, on PostgreSQL: one wins."""

import queue

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from accounts.roles import ADMIN_ROLE
from catalog.models import Category, Claim, Purchase
from catalog.services import purchase_product
from catalog.services.claims import open_claim, refund_claim, replace_claim
from payments.models import LedgerEntry
from shopbot.errors import ClaimAlreadyDecided, ClaimAwaitsSecondDecision
from shopbot.test import OWNER_ID, is_postgresql, ledger_matches_balance, make_customer, make_product, race

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


@pytest.fixture(autouse=True)
def claim_rate_rule():
    with override_settings(CLAIM_RATE_CLAIMS=1, CLAIM_RATE_PURCHASES=10):
        yield


def frequent_claimer():
    owner = make_customer(OWNER_ID)
    role = Group.objects.get(name=ADMIN_ROLE)
    first, second = make_customer(7001, role=role), make_customer(7002, role=role)
    buyer = make_customer(7100, balance="20.00")
    product = make_product(
        Category.objects.create(name="Games"), "Game key", "9.99", units=["SOLD-1", "SPARE-1"]
    )
    purchase = purchase_product(telegram_id=buyer.telegram_id, product_id=product.pk)
    Claim.objects.create(purchase=purchase, customer=buyer, reason="other", status=Claim.Status.REJECTED)
    claim = open_claim(telegram_id=buyer.telegram_id, purchase_id=purchase.pk, reason="not_working")
    return owner, first, second, buyer, claim


def test_two_staff_confirming_at_once_decide_once():
    owner, first, second, buyer, claim = frequent_claimer()
    with pytest.raises(ClaimAwaitsSecondDecision):
        replace_claim(actor=first, claim_id=claim.pk)
    confirmers = queue.Queue()
    for actor in (second, owner):
        confirmers.put(actor)

    results = race(2, lambda: replace_claim(actor=confirmers.get(), claim_id=claim.pk))

    assert [type(result) for result in results].count(ClaimAlreadyDecided) == 1, results
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REPLACED
    assert Purchase.objects.filter(replaces=claim.purchase).count() == 1


def test_two_first_decisions_at_once_are_never_one_staff_member_deciding_alone():
    owner, first, second, buyer, claim = frequent_claimer()
    deciders = queue.Queue()
    for actor in (first, second):
        deciders.put(actor)

    results = race(2, lambda: refund_claim(actor=deciders.get(), claim_id=claim.pk))

    # Either both were recorded as first decisions (one pending stands), or the later one saw the
    # earlier one pending and was its confirmation: two staff members, one refund, never one alone.
    awaited = [result for result in results if isinstance(result, ClaimAwaitsSecondDecision)]
    assert len(awaited) in (1, 2), results
    claim.refresh_from_db()
    assert claim.pending_decision == "refund"
    assert claim.pending_by_id in (first.pk, second.pk)
    if len(awaited) == 1:
        assert claim.status == Claim.Status.REFUNDED
        assert claim.decided_by_id not in (None, claim.pending_by_id)
    else:
        assert claim.status == Claim.Status.OPEN
        assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).exists()
        other = second if claim.pending_by_id == first.pk else first
        refund_claim(actor=other, claim_id=claim.pk)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).count() == 1
    assert ledger_matches_balance(buyer)
