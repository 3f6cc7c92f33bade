"""Buying one product from the balance, and the sale bookkeeping every checkout shares.

Lock order (shared with ``accounts.services`` and ``payments.services``): the
customer row, then the purchase intent, then stock rows (SKIP LOCKED), then
promo rows. The buyer's money leaves only if the unit arrives: taking the
unit, debiting the balance, redeeming the promo code and writing the purchase
happen in one transaction.

On PostgreSQL a balance purchase takes two statements fewer: the customer's
row is locked by debiting the price it will cost (``debit_first``, the
intent's total or the list price), and the unit is taken and marked sold in
one statement (``catalog.services.picking``). Both are undone by any refusal
after them, like the rest of the transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.timezone import now

from accounts.models import Customer
from accounts.selectors import check_may_shop, get_buyer
from catalog.cache import forget_stock
from catalog.models import Product, PromoCode, PromoUsage, Purchase, PurchaseIntent, StockUnit
from catalog.services.common import (
    Delivery,
    clean_id,
    get_product_for_sale,
    has_stock,
    lock_buyer,
    take_units_for_sale,
    warranty_end,
)
from catalog.services.dynamic_orders import open_dynamic_orders
from catalog.services.intents import claim_intent, write_intent
from catalog.services.limits import check_spend
from catalog.services.listing import forget_lists_after_sale
from catalog.services.manual import clean_answers, open_manual_orders
from catalog.services.pricing import check_discount, find_promo
from catalog.services.staff_events import notify_large_purchase
from monitoring import metrics
from payments.models import LedgerEntry, Payment
from payments.money import ZERO, format_money
from payments.services import Debit, change_balance, debit_first, owe_purchase_receipt, write_debits
from shopbot.errors import InsufficientFunds, IntentNotFound, OutOfStock, PriceChanged, ShopError


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


def quote_product(
    *, telegram_id: int, product_id: int, promo_code: str | None = None, answers: object = None
) -> Quote:
    """Return the price of one unit for this customer, after the promo code if one is given.

    A manual product's checkout ``answers`` are checked and kept on the intent.

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
        answers=clean_answers(products=[product], answers=answers),
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
    at = now()
    amount = sale_amount(intent_id, product_id, promo_code)
    debit = debit_first(telegram_id=telegram_id, amount=amount) if amount is not None else None
    customer = check_may_shop(debit.customer) if debit else lock_buyer(telegram_id=telegram_id)
    claimed = None
    if intent_id is not None:
        claimed = claim_intent(intent_id=intent_id, customer=customer, kind=PurchaseIntent.Kind.PRODUCT)
        product_id = claimed.product_id
    product, [delivery] = take_units_for_sale(product_id=product_id, quantity=1, sold_at=at)
    if claimed is not None:
        promo = lock_promo(claimed.promo_code_id)
    else:
        promo = find_promo(code=promo_code, lock=True) if promo_code is not None else None
    quote = price_product(customer=customer, product=product, promo=promo)
    if (claimed is not None and quote.price != claimed.total) or (debit and quote.price != debit.amount):
        raise PriceChanged(product=product.name, product_id=product.pk)
    check_spend(customer, quote.price)
    if quote.price > customer.balance and debit is None:
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
    answers = claimed.answers if claimed else None
    purchases = record_sales(customer=customer, sales=[sale], debit=debit, at=at, answers=answers)
    if receipt_in_chat:
        owe_receipt(customer=customer, purchases=purchases)
    count_sales(purchases, method="balance")
    return purchases[0]


def sale_amount(intent_id: object, product_id: object, promo_code: str | None) -> QuerySet | None:
    """What one unit will cost, as a query ``debit_first`` reads: the intent's total, or the list price.

    None (the sale takes the long way, which says why) for an id that is not
    one, and for a promo code without an intent: its discount needs the sale's locks.
    """
    try:
        if intent_id is not None:
            intent = clean_id(intent_id, IntentNotFound)
            live = PurchaseIntent.objects.filter(pk=intent, kind=PurchaseIntent.Kind.PRODUCT, used_at=None)
            return live.values("total")
        if promo_code is None:
            return Product.objects.filter(pk=clean_id(product_id)).values("price")
    except ShopError:
        pass
    return None


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


def record_sales(
    *,
    customer: Customer,
    sales: list[Sale],
    payment: Payment | None = None,
    debit: Debit | None = None,
    at: datetime | None = None,
    answers: dict[str, list[str]] | None = None,
) -> list[Purchase]:
    """Mark units sold, charge the balance, redeem promo codes and write the purchases.

    A manual product's purchase enters the staff queue here, with its checkout
    ``answers`` (``catalog.services.manual.open_manual_orders``); a dynamic
    product's waits for the seller's endpoint (``catalog.services.dynamic_orders``).

    The caller holds the customer row lock and the locks on the units and promo
    rows in ``sales``, inside one transaction. Without ``payment`` every unit
    with a price is debited from the balance (one PURCHASE ledger row per
    purchase, its reference the order number); with ``payment`` (an order paid
    directly) the balance is left alone. With ``debit`` the money was taken
    already (``payments.services.debit_first``, for the sales' total) and only
    its ledger rows are written. The caller checks the balance covers
    the total first if it wants one refusal naming the total. Units already
    marked sold (``take_units_for_sale(sold_at=)``) are left as they are.
    """
    at = at or now()
    units = [sale.delivery.unit for sale in sales if sale.delivery.unit is not None]
    if units:
        unmarked = [unit for unit in units if unit.sold_at is None]
        if unmarked:
            StockUnit.objects.filter(pk__in=[unit.pk for unit in unmarked]).update(sold_at=at)
        forget_stock((unit.product_id for unit in units), again_on_commit=False)  # what the card shows
        forget_lists_after_sale(sale.product for sale in sales if sale.delivery.unit is not None)
        for unit in unmarked:
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
            fulfil_by=fulfil_by(sale.product, at),
            created=at,
        )
        for sale in sales
    ]
    charged = [purchase for purchase in purchases if purchase.price > ZERO and payment is None]
    if debit is not None:
        entries = [(purchase.price, purchase.product_name, purchase.order_number) for purchase in charged]
        write_debits(debit, entries, kind=LedgerEntry.Kind.PURCHASE)
    else:
        for purchase in charged:
            change_balance(
                customer=customer,
                amount=-purchase.price,
                kind=LedgerEntry.Kind.PURCHASE,
                reason=purchase.product_name,
                reference=purchase.order_number,
            )
    Purchase.objects.bulk_create(purchases)
    open_manual_orders(purchases=purchases, answers=answers or {}, at=at)
    open_dynamic_orders(purchases=purchases, at=at)
    redeem_discounts(customer=customer, sales=sales, purchases=purchases)
    notify_large_purchase(customer=customer, purchases=purchases)
    return purchases


def fulfil_by(product: Product, sold_at: datetime) -> datetime | None:
    """When a manual (or dynamic, should its endpoint fail) purchase is due; None: delivered at the sale."""
    if not (product.is_manual or product.is_dynamic):
        return None
    return sold_at + timedelta(hours=product.fulfil_hours)


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
