"""Reads of manual fulfilment: a checkout's questions, and the staff queue (``fulfil_orders``)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.selectors import Page, paginate
from accounts.services import require_permission
from catalog.manual_models import ManualOrder, ProductQuestion
from catalog.models import CartLine
from catalog.services.common import clean_id
from shopbot.errors import ManualOrderNotFound

Status = ManualOrder.Status


@dataclass(frozen=True)
class Question:
    """One question a checkout asks, for one manual product (``product_id``)."""

    product_id: int
    product: str
    label: str
    max_length: int


def list_questions(*, product_ids: list[int]) -> list[Question]:
    """Return the questions the manual products among these ask at checkout, product by product. One query."""
    ids = [product_id for product_id in dict.fromkeys(product_ids) if isinstance(product_id, int)]
    rows = ProductQuestion.objects.filter(
        product_id__in=ids, product__delivery="manual", product__is_active=True
    ).select_related("product")
    found = sorted(rows, key=lambda row: (ids.index(row.product_id), row.position, row.pk))
    return [Question(row.product_id, row.product.name, row.label, row.max_length) for row in found]


def cart_product_ids(*, telegram_id: int) -> list[int]:
    """Return the products in the customer's cart, in cart order. One query."""
    lines = CartLine.objects.filter(customer__telegram_id=telegram_id).order_by("created", "id")
    return list(lines.values_list("product_id", flat=True))


# --- the staff queue [fulfil_orders] -------------------------------------------------------
def count_waiting_orders() -> int:
    """How many paid manual orders wait for staff (the admin menu's badge)."""
    return ManualOrder.objects.filter(status=Status.WAITING).count()


def list_waiting_orders(*, actor: object, page: object = 1) -> Page[ManualOrder]:
    """Return a page of the waiting orders, the nearest deadline first, with purchase and customer."""
    require_permission(actor=actor, codename="fulfil_orders", action="list_manual_orders")
    waiting = ManualOrder.objects.filter(status=Status.WAITING).select_related("purchase", "customer")
    return paginate(waiting.order_by("due_at", "id"), page=page)


def get_order(*, actor: object, order_id: object) -> ManualOrder:
    """Return one order with its purchase, customer and delivered file (``fulfil_orders``)."""
    require_permission(actor=actor, codename="fulfil_orders", action="view_manual_order")
    order = (
        ManualOrder.objects.select_related("purchase", "customer", "delivered_file")
        .filter(pk=clean_id(order_id, ManualOrderNotFound))
        .first()
    )
    if order is None:
        raise ManualOrderNotFound()
    return order
