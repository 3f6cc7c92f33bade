"""Claims decided at the same moment, on PostgreSQL: threads on their own connections."""

import queue

import pytest

from catalog.models import Category, Claim, Purchase, StockUnit
from catalog.services import add_stock, purchase_product
from catalog.services.claims import open_claim, refund_claim, replace_claim, wait_for_stock
from payments.models import LedgerEntry
from shopbot.errors import ClaimAlreadyDecided, OutOfStock
from shopbot.test import OWNER_ID, is_postgresql, ledger_matches_balance, make_customer, make_product, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def claimed_purchase(*, units: list[str]):
    owner = make_customer(OWNER_ID)
    buyer = make_customer(7100, balance="20.00")
    product = make_product(
        Category.objects.create(name="Games"), "Game key", "9.99", units=["SOLD-1", *units]
    )
    purchase = purchase_product(telegram_id=buyer.telegram_id, product_id=product.pk)
    claim = open_claim(telegram_id=buyer.telegram_id, purchase_id=purchase.pk, reason="not_working")
    return owner, buyer, product, claim


def test_it_lets_exactly_one_of_two_staff_decisions_win():
    owner, buyer, _product, claim = claimed_purchase(units=["SPARE-1"])
    decisions = queue.Queue()
    decisions.put(lambda: replace_claim(actor=owner, claim_id=claim.pk))
    decisions.put(lambda: refund_claim(actor=owner, claim_id=claim.pk))

    results = race(2, lambda: decisions.get()())

    refused = [result for result in results if isinstance(result, ClaimAlreadyDecided)]
    assert len(refused) == 1, results
    claim.refresh_from_db()
    replaced = Purchase.objects.filter(replaces=claim.purchase).count()
    refunds = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).count()
    assert (claim.status, replaced, refunds) in [("replaced", 1, 0), ("refunded", 0, 1)]
    assert ledger_matches_balance(buyer)


def test_it_fills_a_waiting_claim_before_a_concurrent_sale():
    owner, _buyer, product, claim = claimed_purchase(units=[])
    wait_for_stock(actor=owner, claim_id=claim.pk)
    shoppers = queue.Queue()
    for n in range(4):
        shoppers.put(make_customer(7200 + n, balance="20.00"))
    work = queue.Queue()
    work.put(lambda: add_stock(actor=owner, product_id=product.pk, values=["NEW-1"]))
    for _n in range(4):
        work.put(lambda: purchase_product(telegram_id=shoppers.get().telegram_id, product_id=product.pk))

    results = race(5, lambda: work.get()())

    assert [type(result) for result in results].count(OutOfStock) == 4, results
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REPLACED
    assert Purchase.objects.get(replaces=claim.purchase).value == "NEW-1"
    assert not StockUnit.objects.filter(product=product, sold_at__isnull=True).exists()
