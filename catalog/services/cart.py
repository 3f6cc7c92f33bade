"""The cart: lines of products with quantities and promo codes, checked out all at once.

Every cart service locks the customer row first, which serialises one
customer's cart changes and checkouts. Checkout then takes stock rows (SKIP
LOCKED) line by line and finally locks promo rows in ascending id, the shared
lock order. It is all-or-nothing: one line that cannot be delivered refuses
the whole checkout, nothing is sold and nothing is charged.
"""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.selectors import get_buyer
from catalog.models import CartLine, Product, PromoCode, Purchase, PurchaseIntent, StockUnit
from catalog.selectors import get_cart
from catalog.services.common import (
    clean_id,
    clean_int,
    get_product_for_sale,
    is_for_sale,
    lock_buyer,
    take_units,
)
from catalog.services.intents import claim_intent, write_intent
from catalog.services.limits import check_spend
from catalog.services.manual import clean_answers
from catalog.services.pricing import (
    Cart,
    cart_snapshot,
    check_applies,
    check_may_use,
    check_usable,
    find_promo,
    price_cart,
    used_promo_ids,
)
from catalog.services.purchases import Sale, count_sales, owe_receipt, record_sales
from payments.money import ZERO, format_money
from shopbot.errors import (
    CartChanged,
    CartEmpty,
    InsufficientFunds,
    InvalidInput,
    NotEnoughStock,
    NotInCart,
    OutOfStock,
    ProductUnavailable,
    PromoAlreadyUsed,
)

MAX_QUANTITY = 50  # of one product in one line
MAX_LINES = 50  # different products in one cart


def clean_quantity(quantity: object) -> int:
    return clean_int(quantity, minimum=1, maximum=MAX_QUANTITY, what=_("The quantity"))


def check_available(product: Product, quantity: int) -> None:
    """Refuse a quantity larger than the unsold stock; counts at most ``quantity`` rows."""
    if product.is_unlimited:
        if not product.sells_without_units:
            raise OutOfStock(product=product.name)
        return
    available = StockUnit.objects.filter(product=product, sold_at__isnull=True)[:quantity].count()
    if available == 0:
        raise OutOfStock(product=product.name)
    if available < quantity:
        raise NotEnoughStock(product=product.name, available=available)


def get_line(*, customer_id: int, product_id: object) -> CartLine:
    line = (
        CartLine.objects.select_related("product__category", "promo_code")
        .filter(customer_id=customer_id, product_id=clean_id(product_id, NotInCart))
        .first()
    )
    if line is None:
        raise NotInCart()
    return line


@transaction.atomic
def add_to_cart(*, telegram_id: int, product_id: int, quantity: object = 1) -> CartLine:
    """Put ``quantity`` units of a product in the cart, adding to a line already there."""
    quantity = clean_quantity(quantity)
    customer = lock_buyer(telegram_id=telegram_id)
    product = get_product_for_sale(product_id=product_id)
    line = CartLine.objects.filter(customer=customer, product=product).first()
    if line is None and CartLine.objects.filter(customer=customer).count() >= MAX_LINES:
        raise InvalidInput(
            reason=_("Your cart holds at most %(maximum)s different items.") % {"maximum": MAX_LINES}
        )
    total = quantity + (line.quantity if line else 0)
    if total > MAX_QUANTITY:
        raise InvalidInput(
            reason=_("You can have at most %(maximum)s of one item in your cart.") % {"maximum": MAX_QUANTITY}
        )
    check_available(product, total)
    if line is None:
        line = CartLine.objects.create(customer=customer, product=product, quantity=total)
    else:
        line.quantity = total
        line.save(update_fields=["quantity"])
    line.product = product
    return line


@transaction.atomic
def set_cart_quantity(*, telegram_id: int, product_id: int, quantity: object) -> CartLine:
    """Change how many units of a product the cart holds (1 to MAX_QUANTITY)."""
    quantity = clean_quantity(quantity)
    customer = lock_buyer(telegram_id=telegram_id)
    line = get_line(customer_id=customer.pk, product_id=product_id)
    if not is_for_sale(line.product):
        raise ProductUnavailable(product=line.product.name)
    check_available(line.product, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def remove_from_cart(*, telegram_id: int, product_id: int) -> bool:
    """Take a product out of the cart; return whether it was there (a repeat press is harmless)."""
    customer = lock_buyer(telegram_id=telegram_id)
    deleted, _rows = CartLine.objects.filter(
        customer=customer, product_id=clean_id(product_id, NotInCart)
    ).delete()
    return bool(deleted)


@transaction.atomic
def clear_cart(*, telegram_id: int) -> int:
    """Empty the cart; return how many lines it held."""
    customer = lock_buyer(telegram_id=telegram_id)
    deleted, _rows = CartLine.objects.filter(customer=customer).delete()
    return deleted


@transaction.atomic
def apply_promo_to_cart_line(*, telegram_id: int, product_id: int, code: str) -> CartLine:
    """Attach a discount code to a cart line, after checking it works for this product and customer.

    The code is redeemed (its use counted) only at checkout; a once-per-user
    code can sit on one line at a time.
    """
    customer = lock_buyer(telegram_id=telegram_id)
    line = get_line(customer_id=customer.pk, product_id=product_id)
    promo = find_promo(code=code)
    check_applies(promo, line.product)
    check_may_use(customer)
    check_usable(promo, at=now(), already_used=bool(used_promo_ids(customer=customer, promo_ids=[promo.pk])))
    if promo.once_per_user and (
        CartLine.objects.filter(customer=customer, promo_code=promo).exclude(pk=line.pk).exists()
    ):
        raise PromoAlreadyUsed()
    line.promo_code = promo
    line.save(update_fields=["promo_code"])
    return line


@transaction.atomic
def remove_promo_from_cart_line(*, telegram_id: int, product_id: int) -> CartLine:
    """Detach the promo code from a cart line."""
    customer = lock_buyer(telegram_id=telegram_id)
    line = get_line(customer_id=customer.pk, product_id=product_id)
    line.promo_code = None
    line.save(update_fields=["promo_code"])
    return line


def quote_cart(*, telegram_id: int, answers: object = None) -> Cart:
    """Return the cart priced today for the checkout confirmation, with the intent its Pay button names.

    A cart that cannot be checked out (empty, or a line not available) gets no
    intent, and so no Pay button. ``answers`` are the checkout answers of its
    manual products (``catalog.services.manual.clean_answers``), kept on the intent.
    """
    customer = get_buyer(telegram_id=telegram_id)
    cart = get_cart(telegram_id=telegram_id)
    if not cart.can_checkout:
        return cart
    cleaned = clean_answers(products=[item.product for item in cart.items], answers=answers)
    intent = write_intent(
        customer=customer,
        kind=PurchaseIntent.Kind.CART,
        total=cart.total,
        lines=cart_snapshot(cart),
        answers=cleaned,
    )
    return replace(cart, intent_id=intent.pk)


@transaction.atomic
def checkout_cart(
    *, telegram_id: int, intent_id: object = None, receipt_in_chat: bool = False
) -> list[Purchase]:
    """Buy everything in the cart from the balance, or nothing; return the purchases.

    Locks the customer row, claims the intent (``intent_id``, the confirmation's
    Pay button; see ``catalog.services.intents``), takes every line's units
    (SKIP LOCKED, lines in cart order), then locks the lines' promo rows in
    ascending id and prices the cart exactly as ``get_cart`` shows it (a code
    that stopped working gives no discount). A line that cannot be delivered
    raises an error naming its product; lines, codes or a total that differ
    from the intent's raise ``CartChanged``; in both cases nothing is sold or
    charged and the intent stays unused. Without ``intent_id`` (tools, tests)
    the cart is bought at today's total. The cart is emptied on success, and
    metrics are counted on commit. With ``receipt_in_chat`` (a face other than
    the chat) the chat's receipt is owed in the same transaction.
    """
    customer = lock_buyer(telegram_id=telegram_id)
    claimed = None
    if intent_id is not None:
        claimed = claim_intent(intent_id=intent_id, customer=customer, kind=PurchaseIntent.Kind.CART)
    lines = list(
        CartLine.objects.filter(customer=customer)
        .select_related("product__category")
        .order_by("created", "id")
    )
    if not lines:
        raise CartEmpty()
    for line in lines:
        if not is_for_sale(line.product):
            raise ProductUnavailable(product=line.product.name)
    deliveries = {line.pk: take_units(product=line.product, quantity=line.quantity) for line in lines}
    promo_ids = sorted({line.promo_code_id for line in lines if line.promo_code_id})
    locked = PromoCode.objects.select_for_update().filter(pk__in=promo_ids).order_by("pk")
    promos = {promo.pk: promo for promo in locked}
    cart = price_cart(customer=customer, lines=lines, at=now(), promos=promos)
    if claimed is not None and (cart.total != claimed.total or cart_snapshot(cart) != claimed.lines):
        raise CartChanged()
    check_spend(customer, cart.total)
    if cart.total > customer.balance:
        raise InsufficientFunds(
            price=format_money(cart.total), balance=format_money(customer.balance), amount=cart.total
        )
    sales = []
    for item in cart.items:
        for index, delivery in enumerate(deliveries[item.line_id]):
            # The discount of a line's code goes to its first unit only.
            discounted = index == 0 and item.discount > 0
            sales.append(
                Sale(
                    product=item.product,
                    delivery=delivery,
                    list_price=item.unit_price,
                    price=item.unit_price - item.discount if discounted else item.unit_price,
                    discount=item.discount if discounted else ZERO,
                    promo=item.promo if discounted else None,
                )
            )
    purchases = record_sales(customer=customer, sales=sales, answers=claimed.answers if claimed else None)
    CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
    if receipt_in_chat:
        owe_receipt(customer=customer, purchases=purchases)
    count_sales(purchases, method="balance")
    return purchases
