"""Pre-orders: a sold-out product with pre-orders on is paid from the balance now and delivered first on restock.

Lock order. Placing: the product row (FOR NO KEY UPDATE, the lock a restock
takes, so units being added now are waited for and seen; a sale's KEY SHARE
on the product is not blocked), then the customer row. Filling (in the
restock's transaction, which holds the product row): the open pre-orders,
oldest first, SKIP LOCKED, then stock rows. Cancelling: the pre-order row,
then the customer row. A pre-order is decided once, under its row lock: filled
or cancelled, never both. Stars orders do not take pre-orders (balance only).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.timezone import now

from accounts.services import get_customer_for_update
from catalog.cache import forget_stock
from catalog.models import Product, Purchase, StockUnit, new_order_number
from catalog.preorder_models import PreOrder
from catalog.services.common import clean_id, has_stock, lock_buyer, oldest_unsold, take_units, warranty_end
from catalog.services.limits import check_spend
from payments.models import LedgerEntry
from payments.services import change_balance, owe_purchase_receipt
from shopbot.errors import (
    NotEnoughStock,
    OutOfStock,
    PreOrderDecided,
    PreOrderNotFound,
    PreOrderUnavailable,
    PriceChanged,
    ProductNotFound,
)


def takes_preorders(product: Product) -> bool:
    """Whether a product's card offers Pre-order (a read for screens): on, sold out, delivered from units."""
    return product.preorders and not product.is_unlimited and not has_stock(product)


@transaction.atomic
def place_preorder(*, telegram_id: int, product_id: object, price: Decimal | None = None) -> PreOrder:
    """Pay one unit of a sold-out product now from the balance (a PURCHASE ledger row); return the pre-order.

    Refuses a product without pre-orders, one in stock (the card offers Buy),
    one without units (a shared value or a manual product is never sold out
    that way), a ``price`` shown on the confirmation that is no longer the
    product's (``PriceChanged``), and a balance that does not cover the price.
    """
    product = (
        Product.objects.select_for_update(of=("self",), no_key=True)
        .select_related("category")
        .filter(pk=clean_id(product_id), is_active=True, category__is_active=True)
        .first()
    )
    if product is None:
        raise ProductNotFound()
    if not product.preorders or product.is_unlimited or oldest_unsold(product).exists():
        raise PreOrderUnavailable(product=product.name)
    if price is not None and price != product.price:
        raise PriceChanged(product=product.name, product_id=product.pk)
    customer = lock_buyer(telegram_id=telegram_id)
    check_spend(customer, product.price)
    reference = new_order_number()
    change_balance(
        customer=customer,
        amount=-product.price,
        kind=LedgerEntry.Kind.PURCHASE,
        reason=product.name,
        reference=reference,
    )
    return PreOrder.objects.create(
        customer=customer,
        product=product,
        product_name=product.name,
        price=product.price,
        reference=reference,
    )


@transaction.atomic
def cancel_preorder(*, telegram_id: int, preorder_id: object) -> PreOrder:
    """Cancel the customer's own open pre-order and pay its price back (a REFUND ledger row); return it.

    Another customer's pre-order, or a forged id, is not found; a filled or
    cancelled one is refused. A blocked customer is still refunded.
    """
    preorder = (
        PreOrder.objects.select_for_update()
        .filter(pk=clean_id(preorder_id, PreOrderNotFound), customer__telegram_id=telegram_id)
        .first()
    )
    if preorder is None:
        raise PreOrderNotFound()
    if not preorder.is_open:
        raise PreOrderDecided()
    customer = get_customer_for_update(telegram_id=telegram_id)
    change_balance(
        customer=customer,
        amount=preorder.price,
        kind=LedgerEntry.Kind.REFUND,
        reason=preorder.product_name,
        reference=preorder.reference,
    )
    preorder.cancelled_at = now()
    preorder.save(update_fields=["cancelled_at"])
    return preorder


def fill_preorders(*, product: Product) -> list[Purchase]:
    """Deliver new units to the product's open pre-orders, oldest first, while units last; return the purchases.

    Runs inside the restock's transaction, which holds the product row lock,
    before the new units are committed: no sale can take them first. A
    pre-order being cancelled at this moment (its row locked) is skipped. Each
    purchase carries the pre-order's reference as its order number and owes
    the buyer's chat its receipt once (the payment notices outbox).
    """
    if product.is_unlimited:
        return []
    waiting = list(
        PreOrder.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("customer")
        .filter(product=product, filled_at=None, cancelled_at=None)
        .order_by("created", "id")
    )
    filled = []
    for preorder in waiting:
        try:
            [delivery] = take_units(product=product, quantity=1)
        except (OutOfStock, NotEnoughStock):
            break
        at = now()
        StockUnit.objects.filter(pk=delivery.unit.pk).update(sold_at=at)
        purchase = Purchase.objects.create(
            buyer=preorder.customer,
            product=product,
            product_name=preorder.product_name,
            category_name=product.category.name,
            list_price=preorder.price,
            price=preorder.price,
            value=delivery.value,
            file=delivery.file,
            unit=delivery.unit,
            order_number=preorder.reference,
            warranty_until=warranty_end(product, at),
            created=at,
        )
        preorder.filled_at = at
        preorder.purchase = purchase
        preorder.save(update_fields=["filled_at", "purchase"])
        owe_purchase_receipt(telegram_id=preorder.customer.telegram_id, purchase_ids=[purchase.pk])
        filled.append(purchase)
    if filled:
        forget_stock([product.pk], again_on_commit=False)
    return filled
