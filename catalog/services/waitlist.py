"""The back-in-stock waitlist: customers join it on a sold-out card, and every way of adding stock releases it.

``stock_added`` is called by ``catalog.services.restock``, the one hook that
``add_stock``, the file uploads, a shared file being set and the catalog
import call inside the transaction that adds the stock (after the claims
waiting for stock took their units). It marks the product's waiting entries ``restocked_at``; the
bot's notice job then hands them to the broadcast sender once (``notified_at``).
An entry already released is left alone, so a second restock tells nobody twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.timezone import now

from catalog.models import WaitlistEntry
from catalog.services.common import get_product_for_sale, has_stock, lock_buyer


@transaction.atomic
def toggle_waitlist(*, telegram_id: int, product_id: object) -> bool:
    """Join the waitlist of a sold-out product, or leave it; return whether the customer now waits.

    Joining a product that is in stock is refused by doing nothing (the card
    offers Buy instead); leaving always works.
    """
    customer = lock_buyer(telegram_id=telegram_id)
    product = get_product_for_sale(product_id=product_id)
    waiting = WaitlistEntry.objects.filter(customer=customer, product=product, restocked_at__isnull=True)
    if waiting.exists():
        waiting.delete()
        return False
    if has_stock(product):
        return False
    # A released entry from an earlier restock is replaced: this is a new wait.
    WaitlistEntry.objects.filter(customer=customer, product=product).delete()
    WaitlistEntry.objects.create(customer=customer, product=product)
    return True


def stock_added(product_ids: Iterable[int]) -> int:
    """Release the waiting entries of products that just got stock; return how many were released.

    Runs in the caller's transaction, after it added the stock.
    """
    return WaitlistEntry.objects.filter(product_id__in=list(product_ids), restocked_at__isnull=True).update(
        restocked_at=now()
    )
