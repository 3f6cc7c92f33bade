"""What catalog tells staff of (``accounts.services.staff_notices``): new claims, large purchases, low stock.

Each is written inside the transaction of what happened (the low-stock one in
its own, after the sale committed), and sent by the bot after commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from accounts.models import Customer, StaffEvent
from accounts.services.staff_notices import notify_staff
from catalog.models import Claim, Product, Purchase
from payments.money import ZERO


def notify_new_claim(claim: Claim) -> None:
    notify_staff(
        event=StaffEvent.NEW_CLAIM,
        params={
            "claim": claim.pk,
            "order": claim.purchase.order_number,
            "product": claim.purchase.product_name,
            "reason": claim.reason,
        },
    )


def notify_large_purchase(*, customer: Customer, purchases: Iterable[Purchase]) -> None:
    """Tell staff of a sale whose total passes ``STAFF_NOTIFY_LARGE_PURCHASE`` (0: never)."""
    threshold = settings.STAFF_NOTIFY_LARGE_PURCHASE
    purchases = list(purchases)
    total = sum((purchase.price for purchase in purchases), ZERO)
    if not threshold or total <= threshold:
        return
    notify_staff(
        event=StaffEvent.LARGE_PURCHASE,
        params={
            "customer": customer.telegram_id,
            "total": str(total),
            "items": len(purchases),
            "product": purchases[0].product_name,
        },
    )


@transaction.atomic
def notify_low_stock(*, products: Iterable[Product]) -> list[int]:
    """Owe the low-stock notice of each product (``unsold`` annotated); return the notices' ids."""
    ids: list[int] = []
    for product in products:
        ids += notify_staff(
            event=StaffEvent.LOW_STOCK,
            params={
                "product": product.pk,
                "name": product.name,
                "left": product.unsold,
                "threshold": product.low_stock_threshold,
            },
        )
    return ids
