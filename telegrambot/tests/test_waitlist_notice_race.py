"""Two workers queueing back-in-stock notices at once on PostgreSQL: every entry is queued once."""

import pytest
from django.utils.timezone import now

from catalog.models import Category, WaitlistEntry
from shopbot.test import is_postgresql, make_customer, make_product, race
from telegrambot.models import BroadcastDelivery
from telegrambot.services.waitlist_notices import queue_released

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def test_two_workers_queue_each_released_entry_once():
    games = Category.objects.create(name="Games")
    products = [make_product(games, f"Key {number}", "1.00", units=[f"K-{number}"]) for number in range(3)]
    customers = [make_customer(5000 + number) for number in range(40)]
    for product in products:
        WaitlistEntry.objects.bulk_create(
            WaitlistEntry(customer=customer, product=product, restocked_at=now()) for customer in customers
        )

    results = race(4, lambda: queue_released(limit=25))

    assert not [result for result in results if isinstance(result, Exception)]
    deliveries = list(BroadcastDelivery.objects.values_list("broadcast__product_id", "customer_id"))
    assert len(deliveries) == len(set(deliveries)) == 4 * 25  # each took 25 others had not locked
    assert WaitlistEntry.objects.filter(notified_at__isnull=False).count() == 4 * 25
