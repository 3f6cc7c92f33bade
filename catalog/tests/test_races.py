"""Real races on PostgreSQL: threads on their own connections, released together.

SQLite serialises writers and ignores row locks, so these run only on
PostgreSQL (CI runs the suite there).
"""

import queue
from decimal import Decimal

import pytest

from catalog.models import Category, Product, PromoCode, Purchase, StockUnit
from catalog.services import (
    add_to_cart,
    checkout_cart,
    delete_product,
    purchase_product,
    redeem_balance_promo,
)
from payments.models import LedgerEntry
from shopbot.errors import NotEnoughStock, OutOfStock, ProductNotFound, PromoUsedUp
from shopbot.test import (
    OWNER_ID,
    is_postgresql,
    ledger_matches_balance,
    make_customer,
    make_product,
    make_promo,
    race,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def customers(count: int, *, first_id: int, balance: str = "100.00") -> list:
    return [make_customer(first_id + n, balance=balance) for n in range(count)]


def taking_turns(items: list) -> "queue.Queue":
    turns: queue.Queue = queue.Queue()
    for item in items:
        turns.put(item)
    return turns


def test_it_sells_five_units_to_exactly_five_of_twenty_buyers():
    category = Category.objects.create(name="Games")
    product = make_product(category, "Game key", "9.99", units=[f"KEY-{n}" for n in range(5)])
    buyers = customers(20, first_id=7000)
    turns = taking_turns(buyers)

    results = race(20, lambda: purchase_product(telegram_id=turns.get().telegram_id, product_id=product.pk))

    sold = [result for result in results if isinstance(result, Purchase)]
    refused = [result for result in results if isinstance(result, OutOfStock)]
    assert len(sold) == 5 and len(refused) == 15, results
    assert len({purchase.value for purchase in sold}) == 5
    assert Purchase.objects.count() == 5
    assert not StockUnit.objects.filter(sold_at__isnull=True).exists()
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PURCHASE).count() == 5
    for buyer in buyers:
        assert ledger_matches_balance(buyer)
        bought = Purchase.objects.filter(buyer=buyer).count()
        assert buyer.balance == Decimal("100.00") - bought * Decimal("9.99")


def test_it_never_oversells_the_last_unit_between_carts_and_single_purchases():
    category = Category.objects.create(name="Games")
    last = make_product(category, "Last key", "10.00", units=["ONLY-ONE"])
    gift = make_product(category, "Gift", "1.00", is_unlimited=True, unlimited_value="https://example.com/g")
    cart_buyers = customers(5, first_id=7100)
    single_buyers = customers(5, first_id=7200)
    for buyer in cart_buyers:
        add_to_cart(telegram_id=buyer.telegram_id, product_id=gift.pk)
        add_to_cart(telegram_id=buyer.telegram_id, product_id=last.pk)
    jobs = [lambda b=b: checkout_cart(telegram_id=b.telegram_id) for b in cart_buyers]
    jobs += [
        lambda b=b: purchase_product(telegram_id=b.telegram_id, product_id=last.pk) for b in single_buyers
    ]
    turns = taking_turns(jobs)

    results = race(10, lambda: turns.get()())

    refusals = [result for result in results if isinstance(result, Exception)]
    assert all(isinstance(error, (OutOfStock, NotEnoughStock)) for error in refusals), refusals
    assert len(refusals) == 9
    assert Purchase.objects.filter(product=last).count() == 1
    checkouts = [result for result in results if isinstance(result, list)]
    # A refused checkout sold nothing: every gift sold belongs to the one winning cart, if a cart won.
    assert Purchase.objects.filter(product=gift).count() == len(checkouts) <= 1
    for buyer in cart_buyers + single_buyers:
        assert ledger_matches_balance(buyer)
        spent = sum((p.price for p in Purchase.objects.filter(buyer=buyer)), Decimal("0"))
        assert buyer.balance == Decimal("100.00") - spent


def test_it_lets_exactly_three_of_ten_buyers_use_a_code_with_three_uses():
    category = Category.objects.create(name="Games")
    product = make_product(category, "Game key", "10.00", units=[f"KEY-{n}" for n in range(10)])
    promo = make_promo("THREE", value="50", max_uses=3)
    buyers = customers(10, first_id=7300)
    turns = taking_turns(buyers)

    results = race(
        10,
        lambda: purchase_product(
            telegram_id=turns.get().telegram_id, product_id=product.pk, promo_code="three"
        ),
    )

    assert sum(isinstance(result, Purchase) for result in results) == 3, results
    assert sum(isinstance(result, PromoUsedUp) for result in results) == 7
    promo.refresh_from_db()
    assert promo.uses == 3 and promo.usages.count() == 3
    assert StockUnit.objects.filter(sold_at__isnull=False).count() == 3
    assert all(ledger_matches_balance(buyer) for buyer in buyers)


def test_it_credits_a_balance_code_with_three_uses_exactly_three_times():
    make_promo("CASH", kind=PromoCode.Kind.BALANCE, value="5.00", max_uses=3)
    claimants = customers(10, first_id=7400, balance="0")
    turns = taking_turns(claimants)

    results = race(10, lambda: redeem_balance_promo(telegram_id=turns.get().telegram_id, code="CASH"))

    assert sum(isinstance(result, LedgerEntry) for result in results) == 3, results
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PROMO).count() == 3
    assert PromoCode.objects.get(code="CASH").uses == 3
    assert all(ledger_matches_balance(claimant) for claimant in claimants)


def test_it_sells_a_customer_one_unit_per_purchase_when_they_press_buy_twice_at_once():
    category = Category.objects.create(name="Games")
    product = make_product(category, "Game key", "30.00", units=["K1", "K2", "K3"])
    [buyer] = customers(1, first_id=7500, balance="50.00")

    results = race(3, lambda: purchase_product(telegram_id=buyer.telegram_id, product_id=product.pk))

    # 50.00 pays for one 30.00 unit: the customer row lock serialises the presses.
    assert sum(isinstance(result, Purchase) for result in results) == 1, results
    assert ledger_matches_balance(buyer)
    assert buyer.balance == Decimal("20.00")
    assert Product.objects.get(pk=product.pk).stock.filter(sold_at__isnull=True).count() == 2


def test_it_deletes_a_product_while_buyers_race_without_deadlock_or_lost_money():
    owner = make_customer(OWNER_ID)
    category = Category.objects.create(name="Games")
    product = make_product(category, "Game key", "5.00", units=[f"KEY-{n}" for n in range(20)])
    buyers = customers(9, first_id=7600)
    jobs = [lambda b=b: purchase_product(telegram_id=b.telegram_id, product_id=product.pk) for b in buyers]
    jobs.append(lambda: delete_product(actor=owner, product_id=product.pk))
    turns = taking_turns(jobs)

    results = race(10, lambda: turns.get()())

    errors = [result for result in results if isinstance(result, Exception)]
    assert all(isinstance(error, (ProductNotFound, OutOfStock)) for error in errors), errors
    assert not Product.objects.filter(pk=product.pk).exists()
    sold = Purchase.objects.filter(product_name="Game key")
    assert sold.count() == sum(isinstance(result, Purchase) for result in results)
    assert len(set(sold.values_list("value", flat=True))) == sold.count()
    assert all(ledger_matches_balance(buyer) for buyer in buyers)
