"""Reads on the back-in-stock waitlist: who waits for what, and what the notice job must send."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from accounts.actors import Actor
from accounts.services import require_permission
from catalog.models import WaitlistEntry
from catalog.services.common import clean_id


def waiting(product_ids: Iterable[int]) -> object:
    return WaitlistEntry.objects.filter(product_id__in=list(product_ids), restocked_at__isnull=True)


def waitlist_lengths(product_ids: Iterable[int]) -> dict[int, int]:
    """Return how many customers wait for each product (products nobody waits for are left out)."""
    rows = (
        waiting(product_ids)
        .values("product_id")
        .annotate(count=Count("id"))
        .values_list("product_id", "count")
    )
    return dict(rows)


def is_waiting(*, telegram_id: int, product_id: int) -> bool:
    """Return whether the customer waits for the product (the card's Notify me / Stop notifying)."""
    return waiting([product_id]).filter(customer__telegram_id=telegram_id).exists()


def count_waiting(*, actor: Actor, product_id: object) -> int:
    """Return how many customers wait for a product, for staff who manage stock."""
    require_permission(actor=actor, codename="manage_stock", action="view_waitlist")
    return waiting([clean_id(product_id)]).count()
