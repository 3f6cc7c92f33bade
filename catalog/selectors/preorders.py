"""Reads on the pre-order queue: a customer's open pre-order of a product, and the queue staff see."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.actors import Actor
from accounts.services import require_permission
from catalog.preorder_models import PreOrder
from catalog.services.common import clean_id


def open_preorders() -> QuerySet[PreOrder]:
    return PreOrder.objects.filter(filled_at=None, cancelled_at=None)


def open_preorder_id(*, telegram_id: int, product_id: int) -> int | None:
    """Return the customer's oldest open pre-order of the product (the card's Cancel pre-order), if any."""
    mine = open_preorders().filter(customer__telegram_id=telegram_id, product_id=product_id)
    return mine.order_by("created", "id").values_list("id", flat=True).first()


def count_preorders(*, actor: Actor, product_id: object) -> int:
    """Return how many paid pre-orders wait for a product, for staff who manage stock."""
    require_permission(actor=actor, codename="manage_stock", action="view_preorders")
    return open_preorders().filter(product_id=clean_id(product_id)).count()
