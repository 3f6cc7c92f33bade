"""Dynamic orders claimed and recorded at the same moment, on PostgreSQL: threads on their own connections."""

import queue

import pytest

from catalog.dynamic_models import DynamicOrder
from catalog.manual_models import ManualOrder
from catalog.models import Category, Purchase
from catalog.services import purchase_product
from catalog.services.dynamic import set_dynamic_endpoint
from catalog.services.dynamic_orders import claim_due_orders, record_delivery, record_failure
from shopbot.test import OWNER_ID, is_postgresql, ledger_matches_balance, make_customer, make_product, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def sold_orders(count: int):
    owner = make_customer(OWNER_ID)
    buyer = make_customer(7100, balance="50.00")
    licence = make_product(Category.objects.create(name="Keys"), "Licence", "4.00")
    set_dynamic_endpoint(
        actor=owner,
        product_id=licence.pk,
        url="https://keys.example.com/issue",
        secret="s3cr3t-Key_0123456789",
    )
    purchases = [purchase_product(telegram_id=buyer.telegram_id, product_id=licence.pk) for _ in range(count)]
    return buyer, purchases


def test_two_workers_claiming_at_once_never_call_for_one_order_twice():
    _buyer, _purchases = sold_orders(6)

    results = race(2, lambda: claim_due_orders(limit=6))

    claimed = [call.order_id for result in results for call in result]
    assert sorted(claimed) == sorted(DynamicOrder.objects.values_list("pk", flat=True)), results
    assert set(DynamicOrder.objects.values_list("attempts", flat=True)) == {1}


def test_two_replies_for_one_order_deliver_it_once():
    buyer, [purchase] = sold_orders(1)
    values = queue.Queue()
    for value in ("KEY-FIRST", "KEY-SECOND"):
        values.put(value)

    results = race(2, lambda: record_delivery(order_number=purchase.order_number, value=values.get()))

    assert sorted(results) == [False, True], results
    assert Purchase.objects.get(pk=purchase.pk).value in ("KEY-FIRST", "KEY-SECOND")
    assert ledger_matches_balance(buyer)


def test_a_late_failure_racing_a_delivery_leaves_it_delivered():
    _buyer, [purchase] = sold_orders(1)
    order = DynamicOrder.objects.get()
    DynamicOrder.objects.filter(pk=order.pk).update(attempts=3)
    work = queue.Queue()
    work.put(lambda: record_delivery(order_number=purchase.order_number, value="KEY-1"))
    work.put(lambda: record_failure(order_id=order.pk, error="HTTP 500"))

    race(2, lambda: work.get()())

    order.refresh_from_db()
    purchase.refresh_from_db()
    if order.status == "delivered":
        assert purchase.value == "KEY-1"
        assert not ManualOrder.objects.filter(purchase=purchase).exists()
    else:  # the failure came first: the order waits for staff, and the late reply is dropped
        assert (order.status, purchase.value) == ("failed", "")
        assert purchase.manual_order.status == "waiting"
