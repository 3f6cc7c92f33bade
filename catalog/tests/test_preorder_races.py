"""Pre-orders racing sales, restocks and cancels on PostgreSQL: threads on their own connections."""

import queue
from decimal import Decimal

import pytest

from catalog.models import Category, PreOrder, Purchase, StockUnit
from catalog.services import add_stock, purchase_product, set_product_preorders
from catalog.services.preorders import cancel_preorder, place_preorder
from payments.models import LedgerEntry
from shopbot.errors import OutOfStock, PreOrderDecided, PreOrderUnavailable
from shopbot.test import (
    OWNER_ID,
    is_postgresql,
    ledger_matches_balance,
    make_customer,
    make_product,
    race,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def sold_out_with_a_preorder():
    owner = make_customer(OWNER_ID)
    waiting = make_customer(7100, balance="20.00")
    buyer = make_customer(7200, balance="20.00")
    key = make_product(Category.objects.create(name="Games"), "Key", "7.00")
    set_product_preorders(actor=owner, product_id=key.pk, preorders=True)
    preorder = place_preorder(telegram_id=waiting.telegram_id, product_id=key.pk)
    return owner, waiting, buyer, key, preorder


def run_all(*works):
    work = queue.Queue()
    for item in works:
        work.put(item)
    return race(len(works), lambda: work.get()())


@pytest.mark.parametrize("attempt", range(3))
def test_a_restock_of_one_unit_goes_to_the_pre_order_not_the_buyer_racing_it(attempt):
    owner, waiting, buyer, key, preorder = sold_out_with_a_preorder()

    results = run_all(
        lambda: add_stock(actor=owner, product_id=key.pk, values=[f"NEW-{attempt}"]),
        lambda: purchase_product(telegram_id=buyer.telegram_id, product_id=key.pk),
    )

    assert [type(result) for result in results].count(OutOfStock) == 1, results
    preorder.refresh_from_db()
    assert preorder.purchase.value == f"NEW-{attempt}"
    assert not Purchase.objects.filter(buyer=buyer).exists()
    assert StockUnit.objects.filter(product=key, sold_at=None).count() == 0
    assert ledger_matches_balance(waiting) and ledger_matches_balance(buyer)
    buyer.refresh_from_db()
    assert buyer.balance == Decimal("20.00")


@pytest.mark.parametrize("attempt", range(3))
def test_a_cancel_racing_the_fill_one_wins(attempt):
    owner, waiting, _buyer, key, preorder = sold_out_with_a_preorder()

    results = run_all(
        lambda: add_stock(actor=owner, product_id=key.pk, values=[f"NEW-{attempt}"]),
        lambda: cancel_preorder(telegram_id=waiting.telegram_id, preorder_id=preorder.pk),
    )

    preorder.refresh_from_db()
    refunds = LedgerEntry.objects.filter(customer=waiting, kind=LedgerEntry.Kind.REFUND).count()
    if preorder.filled_at is not None:  # the fill won: the cancel was refused, nothing refunded
        assert any(isinstance(result, PreOrderDecided) for result in results), results
        assert (preorder.cancelled_at, refunds) == (None, 0)
        assert StockUnit.objects.filter(product=key, sold_at=None).count() == 0
    else:  # the cancel won: refunded once, the unit stays for sale
        assert preorder.cancelled_at is not None and preorder.purchase is None
        assert refunds == 1
        assert StockUnit.objects.filter(product=key, sold_at=None).count() == 1
    assert ledger_matches_balance(waiting)


def test_a_pre_order_placed_while_a_restock_commits_waits_for_it_and_is_refused():
    owner, _waiting, buyer, key, _preorder = sold_out_with_a_preorder()

    results = run_all(
        lambda: add_stock(actor=owner, product_id=key.pk, values=["NEW-1", "NEW-2"]),
        lambda: place_preorder(telegram_id=buyer.telegram_id, product_id=key.pk),
    )

    # Either the pre-order came first (and the second unit fills it) or it saw the new stock.
    if any(isinstance(result, PreOrderUnavailable) for result in results):
        assert PreOrder.objects.filter(customer=buyer).count() == 0
        assert StockUnit.objects.filter(product=key, sold_at=None).count() == 1
    else:
        assert PreOrder.objects.get(customer=buyer).filled_at is not None
        assert StockUnit.objects.filter(product=key, sold_at=None).count() == 0
    assert ledger_matches_balance(buyer)
