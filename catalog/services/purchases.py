"""Buying one product from the balance, and the sale bookkeeping every checkout shares.

Lock order (shared with ``accounts.services`` and ``payments.services``): the
customer row, then the purchase intent, then stock rows (SKIP LOCKED), then
promo rows. The buyer's
money leaves only if the unit arrives: taking the unit, debiting the balance,
redeeming the promo code and writing the purchase happen in one transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.timezone import now

from accounts.models import Customer
from accounts.selectors import get_buyer
from catalog.cache import forget_stock
from catalog.models import Product, PromoCode, PromoUsage, Purchase, PurchaseIntent, StockUnit
from catalog.services.common import (
    Delivery,
    get_product_for_sale,
    has_stock,
    lock_buyer,
    take_units_for_sale,
)
from catalog.services.intents import claim_intent, write_intent
from catalog.services.limits import check_spend
from catalog.services.pricing import check_discount, find_promo
from catalog.services.staff_events import notify_large_purchase
from monitoring import metrics
from payments.models import LedgerEntry, Payment
from payments.money import ZERO, format_money
from payments.services import change_balance, owe_purchase_receipt
from shopbot.errors import InsufficientFunds, OutOfStock, PriceChanged


@dataclass(frozen=True)
class Quote:
    """What buying one unit costs today: for the confirmation screen, whose Pay button names ``intent_id``."""

    product: Product
    list_price: Decimal
    discount: Decimal
    price: Decimal
    promo: PromoCode | None
    intent_id: int | None = None


@dataclass(frozen=True)
class Sale:
    """One unit about to be sold: what is delivered and what is charged for it."""

    product: Product
    delivery: Delivery
    list_price: Decimal
    price: Decimal
    discount: Decimal = ZERO
    promo: PromoCode | None = None


def price_product(*, customer: Customer, product: Product, promo: PromoCode | None) -> Quote:
    discount = ZERO
    if promo is not None:
        discount = check_discount(promo, customer=customer, product=product, at=now())
    return Quote(
        product=product,
        list_price=product.price,
        discount=discount,
        price=product.price - discount,
        promo=promo,
    )


def quote_product(*, telegram_id: int, product_id: int, promo_code: str | None = None) -> Quote:
    """Return the price of one unit for this customer, after the promo code if one is given.

    Writes the purchase intent the Pay button names (``Quote.intent_id``).
    Refuses blocked customers, hidden or missing products, sold-out products
    and promo codes that do not work here, with the error the purchase would raise.
    """
    customer = get_buyer(telegram_id=telegram_id)
    product = get_product_for_sale(product_id=product_id, with_stock=True)
    if not has_stock(product):
        raise OutOfStock(product=product.name)
    promo = find_promo(code=promo_code) if promo_code is not None else None
    quote = price_product(customer=customer, product=product, promo=promo)
    intent = write_intent(
        customer=customer,
        kind=PurchaseIntent.Kind.PRODUCT,
        total=quote.price,
        product=product,
        promo=quote.promo,
    )
    return replace(quote, intent_id=intent.pk)


@transaction.atomic
def purchase_product(
    *,
    telegram_id: int,
    intent_id: object = None,
    product_id: int | None = None,
    promo_code: str | None = None,
    receipt_in_chat: bool = False,
) -> Purchase:
    """Sell one unit to a customer, paid from their balance, and return the purchase.

    With ``intent_id`` (the confirmation's Pay button) the intent says which
    product, promo code and price: it is claimed once (see
    ``catalog.services.intents``) and a price that changed since raises
    ``PriceChanged``, nothing sold. Without it (imports, tools) ``product_id``
    is sold at today's price after ``promo_code``.

    Locks the customer row, then the intent, then one unsold stock row (SKIP
    LOCKED, oldest first), then the promo row, re-checking the code's limits
    under its lock. The returned purchase has its buyer, product, category and
    promo code loaded. Metrics are counted on commit. With ``receipt_in_chat``
    (a face other than the chat) the chat's receipt is owed in the same
    transaction (``owe_receipt``).
    """
    customer = lock_buyer(telegram_id=telegram_id)
    claimed = None
    if intent_id is not None:
        claimed = claim_intent(intent_id=intent_id, customer=customer, kind=PurchaseIntent.Kind.PRODUCT)
        product_id = claimed.product_id
    product, [delivery] = take_units_for_sale(product_id=product_id, quantity=1)
    if claimed is not None:
        promo = lock_promo(claimed.promo_code_id)
    else:
        promo = find_promo(code=promo_code, lock=True) if promo_code is not None else None
    quote = price_product(customer=customer, product=product, promo=promo)
    if claimed is not None and quote.price != claimed.total:
        raise PriceChanged(product=product.name, product_id=product.pk)
    check_spend(customer, quote.price)
    if quote.price > customer.balance:
        # Refused before anything is written, naming the price so the face can offer the difference.
        raise InsufficientFunds(
            price=format_money(quote.price),
            balance=format_money(customer.balance),
            amount=quote.price,
            product_id=product.pk,
        )
    sale = Sale(
        product=product,
        delivery=delivery,
        list_price=quote.list_price,
        price=quote.price,
        discount=quote.discount,
        promo=quote.promo,
    )
    purchases = record_sales(customer=customer, sales=[sale])
    if receipt_in_chat:
        owe_receipt(customer=customer, purchases=purchases)
    count_sales(purchases, method="balance")
    return purchases[0]


def owe_receipt(*, customer: Customer, purchases: list[Purchase]) -> None:
    """Owe the buyer's chat the receipt of a sale made in another face (one outbox for every message)."""
    owe_purchase_receipt(
        telegram_id=customer.telegram_id, purchase_ids=[purchase.pk for purchase in purchases]
    )


def lock_promo(promo_id: int | None) -> PromoCode | None:
    """Lock an intent's promo code row (after the stock rows); a deleted code is simply gone."""
    if promo_id is None:
        return None
    return PromoCode.objects.select_for_update().filter(pk=promo_id).first()


def record_sales(*, customer: Customer, sales: list[Sale], payment: Payment | None = None) -> list[Purchase]:
    """Mark units sold, charge the balance, redeem promo codes and write the purchases.

    The caller holds the customer row lock and the locks on the units and promo
    rows in ``sales``, inside one transaction. Without ``payment`` every unit
    with a price is debited from the balance (one PURCHASE ledger row per
    purchase, its reference the order number); with ``payment`` (an order paid
    directly) the balance is left alone. The caller checks the balance covers
    the total first if it wants one refusal naming the total.
    """
    at = now()
    units = [sale.delivery.unit for sale in sales if sale.delivery.unit is not None]
    if units:
        StockUnit.objects.filter(pk__in=[unit.pk for unit in units]).update(sold_at=at)
        forget_stock((unit.product_id for unit in units), again_on_commit=False)  # what the card shows
        for unit in units:
            unit.sold_at = at
    purchases = [
        Purchase(
            buyer=customer,
            product=sale.product,
            product_name=sale.product.name,
            category_name=sale.product.category.name,
            list_price=sale.list_price,
            price=sale.price,
            value=sale.delivery.value,
            file=sale.delivery.file,
            promo_code=sale.promo,
            payment=payment,
            unit=sale.delivery.unit,
            warranty_until=warranty_end(sale.product, at),
            created=at,
        )
        for sale in sales
    ]
    if payment is None:
        for purchase in purchases:
            if purchase.price > ZERO:
                change_balance(
                    customer=customer,
                    amount=-purchase.price,
                    kind=LedgerEntry.Kind.PURCHASE,
                    reason=purchase.product_name,
                    reference=purchase.order_number,
                )
    Purchase.objects.bulk_create(purchases)
    redeem_discounts(customer=customer, sales=sales, purchases=purchases)
    notify_large_purchase(customer=customer, purchases=purchases)
    return purchases


def warranty_end(product: Product, sold_at: datetime) -> datetime | None:
    """Return when a unit of ``product`` sold at ``sold_at`` leaves its warranty (None: no warranty)."""
    if not product.warranty_hours:
        return None
    return sold_at + timedelta(hours=product.warranty_hours)


def redeem_discounts(*, customer: Customer, sales: list[Sale], purchases: list[Purchase]) -> None:
    """Count the uses of the promo codes in ``sales``; the caller holds their row locks."""
    usages = [
        PromoUsage(promo_code=sale.promo, customer=customer, purchase=purchase, discount=sale.discount)
        for sale, purchase in zip(sales, purchases, strict=True)
        if sale.promo is not None
    ]
    if not usages:
        return
    PromoUsage.objects.bulk_create(usages)
    promos = {usage.promo_code.pk: usage.promo_code for usage in usages}
    for promo_id, uses in Counter(usage.promo_code.pk for usage in usages).items():
        PromoCode.objects.filter(pk=promo_id).update(uses=F("uses") + uses)
        promos[promo_id].uses += uses


def count_sales(purchases: list[Purchase], *, method: str) -> None:
    """Count units sold and revenue once the transaction commits."""
    units = len(purchases)
    revenue = sum((purchase.price for purchase in purchases), ZERO)

    def emit() -> None:
        metrics.PURCHASES.labels(method=method).inc(units)
        # Prometheus counters are floats; this is a reading, not money the shop computes with.
        metrics.REVENUE.labels(method=method).inc(float(revenue))

    transaction.on_commit(emit)
