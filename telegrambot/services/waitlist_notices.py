"""Back-in-stock notices: the waitlist entries a restock released, handed to the broadcast sender once.

Every way of adding stock marks the product's waiting entries ``restocked_at``
in its own transaction (``catalog.services.waitlist.stock_added``). This
module turns them, in one transaction, into one broadcast per product (the
shop's own: no author, audience ``WAITLIST``) with a delivery row per
customer, and sets ``notified_at``. From there the broadcast job sends them
as it sends any broadcast: within Telegram's limits, and never twice to a
settled recipient across restarts.

A product that sold out again (or was hidden) before its notice went out
puts its entries back on the waitlist: telling a customer about stock that
is gone would cost them their place for nothing.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils.timezone import now

from catalog.models import WaitlistEntry
from catalog.services.common import ProductNotFound, get_product_for_sale, has_stock
from telegrambot.models import Broadcast, BroadcastDelivery

BATCH = 1000  # entries queued per call; the job calls again on its next tick


@transaction.atomic
def queue_released(*, limit: int = BATCH) -> list[int]:
    """Queue the released entries as back-in-stock broadcasts; return the ids of those created.

    Entries another worker is queueing are skipped (``SKIP LOCKED``), so two
    workers never queue one entry twice.
    """
    rows = list(
        WaitlistEntry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(restocked_at__isnull=False, notified_at__isnull=True)
        .order_by("id")
        .values_list("id", "product_id", "customer_id", "customer__is_blocked", "customer__has_blocked_bot")[
            :limit
        ]
    )
    by_product: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for entry_id, product_id, customer_id, is_blocked, has_blocked_bot in rows:
        by_product[product_id].append((entry_id, customer_id, is_blocked or has_blocked_bot))
    created = []
    for product_id, entries in by_product.items():
        entry_ids = [entry_id for entry_id, _customer, _skip in entries]
        if not still_sellable(product_id):
            WaitlistEntry.objects.filter(pk__in=entry_ids).update(restocked_at=None)
            continue
        customer_ids = [customer_id for _entry, customer_id, skip in entries if not skip]
        if customer_ids:
            created.append(create_broadcast(product_id, customer_ids))
        WaitlistEntry.objects.filter(pk__in=entry_ids).update(notified_at=now())
    return created


def still_sellable(product_id: int) -> bool:
    try:
        return has_stock(get_product_for_sale(product_id=product_id, with_stock=True))
    except ProductNotFound:
        return False


def create_broadcast(product_id: int, customer_ids: list[int]) -> int:
    moment = now()
    broadcast = Broadcast.objects.create(
        audience=Broadcast.Audience.WAITLIST,
        product_id=product_id,
        text="",
        status=Broadcast.Status.SENDING,
        total=len(customer_ids),
        created=moment,
        started=moment,
    )
    BroadcastDelivery.objects.bulk_create(
        BroadcastDelivery(broadcast=broadcast, customer_id=customer_id) for customer_id in customer_ids
    )
    return broadcast.pk
