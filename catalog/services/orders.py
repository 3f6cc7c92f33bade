"""Direct orders paid in Telegram Stars or by card: one product or the whole cart, without a balance.

Telegram expects digital goods sold inside Telegram to be payable in Stars;
a shop with a Telegram Payments provider (``TELEGRAM_PROVIDER_TOKEN``) takes
cards for an order too, the same way. An order records its lines and prices on a pending payment; the invoice's
``successful_payment`` goes to ``payments``, which marks it paid and calls the
``OrderFulfiller`` registered here once, and that delivers the units, all or
none. If stock ran out (or
an item stopped being sold) meanwhile, the paid amount is credited to the
balance instead and the customer is told: money Telegram took is never
dropped. Promo codes apply to balance purchases only; orders are at list
price.

The pending payment's purchase intent (``catalog.services.intents``) is the
order's record of what was shown; delivering claims it, as a balance
purchase claims its confirmation's.

Lock order: customer rows, then the payment, then its purchase intent, then
stock rows (SKIP LOCKED).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import Customer
from accounts.selectors import get_buyer
from catalog.models import CartLine, Product, Purchase, PurchaseIntent
from catalog.services.cart import check_available, clean_quantity
from catalog.services.common import get_product_for_sale, is_for_sale, take_units
from catalog.services.intents import claim_order_intent, order_answers, write_intent
from catalog.services.limits import check_spend
from catalog.services.manual import clean_answers
from catalog.services.purchases import Sale, count_sales, record_sales
from catalog.services.rail_refunds import order_refunded
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.money import ZERO
from payments.services import Credit, change_balance, collect_owed, create_payment, owe_notice, provider_price
from payments.services.top_ups import require_provider
from shopbot.errors import (
    CartAlreadyPaid,
    CartEmpty,
    InvalidInput,
    PaymentMethodUnavailable,
    ProductUnavailable,
    ShopError,
)

STARS = Payment.Provider.STARS
ORDER_PROVIDERS = (STARS, Payment.Provider.TELEGRAM)  # CryptoPay tops up the balance only
MAX_LINES = 50


def order_line(product: Product, quantity: int, *, from_cart: bool = False) -> dict[str, Any]:
    line = {"product_id": product.pk, "quantity": quantity, "price": str(product.price), "name": product.name}
    if from_cart:
        line["from_cart"] = True  # delivered, it leaves the cart
    return line


@transaction.atomic
def start_order_payment(
    *,
    telegram_id: int,
    lines: list[tuple[int, int]],
    from_cart: bool = False,
    answers: object = None,
    provider: str = STARS,
) -> Payment:
    """Record a pending payment for ``lines`` of (product id, quantity) at today's list prices.

    ``provider`` is Stars or a card through Telegram Payments (``ORDER_PROVIDERS``).
    Refuses when that way of paying is off, the customer is blocked, a product
    is not sold or lacks the stock, or the total exceeds what one Stars invoice
    may carry. Stock is checked, not reserved: delivery happens on payment.
    """
    if provider not in ORDER_PROVIDERS:
        raise PaymentMethodUnavailable()
    require_provider(provider)
    customer = get_buyer(telegram_id=telegram_id)
    if not lines:
        raise CartEmpty()
    if len(lines) > MAX_LINES:
        raise InvalidInput(
            reason=_("An order holds at most %(maximum)s different items.") % {"maximum": MAX_LINES}
        )
    order, products = [], []
    for product_id, quantity in lines:
        product = get_product_for_sale(product_id=product_id)
        quantity = clean_quantity(quantity)
        check_available(product, quantity)
        order.append(order_line(product, quantity, from_cart=from_cart))
        products.append(product)
    cleaned = clean_answers(products=products, answers=answers)  # a manual product's, for the intent
    total = sum((Decimal(line["price"]) * line["quantity"] for line in order), ZERO)
    check_spend(customer, total)
    charged, currency = provider_price(provider=provider, amount=total)
    payment = create_payment(
        customer=customer,
        provider=provider,
        purpose=Payment.Purpose.ORDER,
        amount=total,
        provider_amount=charged,
        provider_currency=currency,
        order=order,
    )
    # The invoice is what the customer was shown: the same kind of record a confirmation writes.
    write_intent(
        customer=customer,
        kind=PurchaseIntent.Kind.CART if from_cart else PurchaseIntent.Kind.PRODUCT,
        total=total,
        product=products[0] if len(products) == 1 and not from_cart else None,
        lines=[[line["product_id"], line["quantity"], None] for line in order],
        payment=payment,
        answers=cleaned,
    )
    return payment


def start_product_order(
    *, telegram_id: int, product_id: int, answers: object = None, provider: str = STARS
) -> Payment:
    """Record a pending payment (Stars, or a card) for one unit of a product."""
    return start_order_payment(
        telegram_id=telegram_id, lines=[(product_id, 1)], answers=answers, provider=provider
    )


def start_cart_order(*, telegram_id: int, answers: object = None, provider: str = STARS) -> Payment:
    """Record a pending payment (Stars, or a card) for everything in the cart, at list prices."""
    lines = CartLine.objects.filter(customer__telegram_id=telegram_id).order_by("created", "id")
    return start_order_payment(
        telegram_id=telegram_id,
        lines=list(lines.values_list("product_id", "quantity")),
        from_cart=True,
        answers=answers,
        provider=provider,
    )


class OrderFulfiller:
    """Delivers a paid direct order, all units or none; registered for orders in ``CatalogConfig.ready()``.

    ``payments`` calls it under the customer and payment locks (see
    ``payments.services.fulfilment`` for the contract); it claims the order's
    purchase intent, then takes stock rows, so the lock order holds.
    """

    def check(self, *, payment: Payment) -> None:
        """Refuse, before Telegram takes the money, an order that could no longer be delivered.

        Kinder than crediting the balance afterwards. Reads only.
        """
        check_spend(payment.customer, payment.amount)
        for line in payment.order:
            product = get_product_for_sale(product_id=line["product_id"])
            check_available(product, line["quantity"])
            if line.get("from_cart"):
                check_still_in_cart(payment=payment, line=line)

    def fulfil(self, *, payment: Payment, customer: Customer, referrer: Customer | None) -> Credit:
        """Deliver all the order's units to the buyer, or credit the paid amount if any is missing."""
        if not claim_order_intent(payment=payment):
            return credit_undeliverable(payment=payment, customer=customer, problem="order delivered already")
        try:
            with transaction.atomic():  # a savepoint: all units or none
                sales = order_sales(payment)
                manual = any(sale.product.is_manual for sale in sales)
                answers = order_answers(payment=payment) if manual else None
                purchases = record_sales(customer=customer, sales=sales, payment=payment, answers=answers)
        except ShopError as error:
            return credit_undeliverable(payment=payment, customer=customer, problem=str(error))
        count_sales(purchases, method="stars")
        leave_cart(payment=payment, customer=customer)
        owe_notice(
            payment=payment,
            telegram_id=customer.telegram_id,
            kind=PaymentNotice.Kind.ORDER_DELIVERED,
            purchases=[purchase.pk for purchase in purchases],
        )
        return Credit(payment=payment, credited=True, purchases=tuple(purchases))

    def refunded(self, *, payment: Payment, actor: Actor | None) -> None:
        """Take back a refunded order: its purchases refunded, units defective, claims decided."""
        order_refunded(payment=payment, actor=actor)


def check_still_in_cart(*, payment: Payment, line: dict[str, Any]) -> None:
    """Refuse a cart invoice whose lines left the cart: an older invoice of a cart paid already."""
    held = CartLine.objects.filter(customer_id=payment.customer_id, product_id=line["product_id"])
    if not held.filter(quantity__gte=int(line["quantity"])).exists():
        raise CartAlreadyPaid()


def order_sales(payment: Payment) -> list[Sale]:
    """Take the units of every order line, in order; raise if any line cannot be delivered."""
    sales = []
    for line in payment.order:
        product = Product.objects.select_related("category").filter(pk=line["product_id"]).first()
        if product is None or not is_for_sale(product):
            raise ProductUnavailable(product=line.get("name", ""))
        price = Decimal(line["price"])
        for delivery in take_units(product=product, quantity=int(line["quantity"])):
            sales.append(Sale(product=product, delivery=delivery, list_price=price, price=price))
    return sales


def leave_cart(*, payment: Payment, customer: Customer) -> None:
    """Take what a delivered cart order bought out of the cart, so it cannot be paid for twice.

    Only the quantities the order delivered leave: units added since stay in
    the cart. The caller holds the customer row lock, which cart changes take.
    """
    for line in payment.order:
        if not line.get("from_cart"):
            continue
        cart_line = CartLine.objects.filter(customer=customer, product_id=line["product_id"]).first()
        if cart_line is None:
            continue
        if cart_line.quantity <= int(line["quantity"]):
            cart_line.delete()
        else:
            cart_line.quantity -= int(line["quantity"])
            cart_line.save(update_fields=["quantity"])


def credit_undeliverable(*, payment: Payment, customer: Customer, problem: str) -> Credit:
    entry = change_balance(
        customer=customer,
        amount=payment.amount,
        # The Stars became balance, exactly as a top-up would have.
        kind=LedgerEntry.Kind.TOP_UP,
        reason=_("Order could not be delivered"),
        reference=str(payment.pk),
        payment=payment,
    )
    collected = collect_owed(customer=customer, credited=payment.amount)
    payment.note = problem[:255]
    payment.save(update_fields=["note", "updated"])
    owe_notice(
        payment=payment,
        telegram_id=customer.telegram_id,
        kind=PaymentNotice.Kind.ORDER_CREDITED,
        amount=str(payment.amount),
        balance=str(customer.balance),
        collected=str(collected),
        problem=problem,
    )
    return Credit(payment=payment, credited=True, entry=entry)


def list_order_purchases(*, telegram_id: int, payment_id: int) -> list[Purchase]:
    """Return what a direct order delivered to this customer, for its receipt (with payment and product)."""
    purchases = Purchase.objects.select_related("file", "payment", "product").filter(
        payment_id=payment_id, buyer__telegram_id=telegram_id
    )
    return list(purchases.order_by("id"))
