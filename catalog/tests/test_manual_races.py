"""Manual orders decided at the same moment, on PostgreSQL: threads on their own connections."""

import queue
from datetime import timedelta

import pytest
from django.utils.timezone import now

from catalog.manual_models import ManualOrder
from catalog.models import Category, Product
from catalog.services import purchase_product, quote_product
from catalog.services.delivery_files import set_delivery_kind
from catalog.services.manual import deliver_order, refund_late_order
from payments.models import LedgerEntry
from shopbot.errors import ManualOrderDecided
from shopbot.test import OWNER_ID, is_postgresql, ledger_matches_balance, make_customer, make_product, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def queued_order():
    owner = make_customer(OWNER_ID)
    helper = make_customer(7001)
    buyer = make_customer(7100, balance="20.00")
    service = make_product(Category.objects.create(name="Services"), "Boost", "7.00")
    set_delivery_kind(actor=owner, product_id=service.pk, kind=Product.DeliveryKind.MANUAL)
    quote = quote_product(telegram_id=buyer.telegram_id, product_id=service.pk)
    purchase = purchase_product(telegram_id=buyer.telegram_id, intent_id=quote.intent_id)
    return owner, helper, buyer, purchase.manual_order


def test_two_staff_delivering_one_order_one_wins():
    owner, _helper, _buyer, order = queued_order()
    texts = queue.Queue()
    for text in ("from the first", "from the second"):
        texts.put(text)

    results = race(2, lambda: deliver_order(actor=owner, order_id=order.pk, text=texts.get()))

    assert [type(result) for result in results].count(ManualOrderDecided) == 1, results
    order.refresh_from_db()
    assert order.status == ManualOrder.Status.DELIVERED
    assert order.purchase.value == order.delivered_text


def test_a_customer_refund_racing_a_staff_delivery_one_wins():
    owner, _helper, buyer, order = queued_order()
    ManualOrder.objects.filter(pk=order.pk).update(due_at=now() - timedelta(minutes=1))
    work = queue.Queue()
    work.put(lambda: deliver_order(actor=owner, order_id=order.pk, text="KEY-1"))
    work.put(lambda: refund_late_order(telegram_id=buyer.telegram_id, purchase_id=order.purchase_id))

    results = race(2, lambda: work.get()())

    assert [type(result) for result in results].count(ManualOrderDecided) == 1, results
    order.refresh_from_db()
    refunds = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).count()
    assert (order.status, refunds) in [("delivered", 0), ("refunded", 1)]
    buyer.refresh_from_db()
    assert str(buyer.balance) == ("13.00" if order.status == "delivered" else "20.00")
    assert ledger_matches_balance(buyer)
