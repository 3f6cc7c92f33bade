"""Prices after promo codes, for one product or a whole cart.

Pure reads: the confirmation screens (``quote_product``, ``get_cart``) and the
writes (``purchase_product``, ``checkout_cart``) price with the same functions,
so what a customer was shown is what the services charge.

A percent or fixed code takes its discount off one unit; a fixed discount
larger than the price makes that unit free (0.00) rather than negative, and a
free unit writes no ledger row because no money moves.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import Customer
from catalog.models import CartLine, Product, PromoCode, PromoUsage
from catalog.services.common import is_for_sale
from payments.money import ZERO, percent_of
from shopbot.errors import (
    NotEnoughStock,
    OutOfStock,
    ProductUnavailable,
    PromoAlreadyUsed,
    PromoExpired,
    PromoInactive,
    PromoNotApplicable,
    PromoNotFound,
    PromoUsedUp,
    PromoWrongKind,
    ShopError,
    StaffCodeRefused,
)

CODE_PATTERN = re.compile(r"[A-Z0-9_-]{3,32}")


def normalize_code(code: object) -> str:
    """Return a typed promo code upper-cased, or refuse what cannot be a code."""
    cleaned = code.strip().upper() if isinstance(code, str) else ""
    if not CODE_PATTERN.fullmatch(cleaned):
        raise PromoNotFound()
    return cleaned


def find_promo(*, code: object, lock: bool = False) -> PromoCode:
    """Return the promo code typed, locked FOR UPDATE when ``lock`` (after customer and stock locks)."""
    queryset = PromoCode.objects.select_for_update() if lock else PromoCode.objects.all()
    promo = queryset.filter(code=normalize_code(code)).first()
    if promo is None:
        raise PromoNotFound()
    return promo


def used_promo_ids(*, customer: Customer, promo_ids: Iterable[int]) -> set[int]:
    """Return which of these promo codes the customer has already redeemed."""
    ids = set(promo_ids)
    if not ids:
        return set()
    used = PromoUsage.objects.filter(customer=customer, promo_code_id__in=ids)
    return set(used.values_list("promo_code_id", flat=True))


def check_usable(promo: PromoCode, *, at: datetime, already_used: bool, pending_uses: int = 0) -> None:
    """Refuse a promo code that is off, expired, used up, or already used by this customer."""
    if not promo.is_active:
        raise PromoInactive()
    if promo.expires_at is not None and promo.expires_at <= at:
        raise PromoExpired()
    if promo.max_uses is not None and promo.uses + pending_uses >= promo.max_uses:
        raise PromoUsedUp()
    if promo.once_per_user and already_used:
        raise PromoAlreadyUsed()


def makes_codes_without_balances(permissions: frozenset[str]) -> bool:
    """Return whether someone may make promo codes yet not change balances: their own codes are money."""
    return "manage_promos" in permissions and "manage_balances" not in permissions


def check_may_use(customer: Customer) -> None:
    """Refuse a discount code to an admin who could have made it and may not credit the same value."""
    if makes_codes_without_balances(roles.permissions_of(customer)):
        raise StaffCodeRefused()


def check_applies(promo: PromoCode, product: Product) -> None:
    """Refuse a balance code, or a discount bound to another product or category."""
    if promo.kind == PromoCode.Kind.BALANCE:
        raise PromoWrongKind(reason=_("This code adds money to your balance: redeem it from your profile."))
    if promo.product_id is not None and promo.product_id != product.pk:
        raise PromoNotApplicable()
    if promo.category_id is not None and promo.category_id != product.category_id:
        raise PromoNotApplicable()


def discount_for(promo: PromoCode, price: Decimal) -> Decimal:
    """Return what a discount code takes off one unit at ``price``, never more than the price."""
    if promo.kind == PromoCode.Kind.PERCENT:
        discount = percent_of(price, promo.value)
    else:
        discount = promo.value
    return min(discount, price)


def check_discount(promo: PromoCode, *, customer: Customer, product: Product, at: datetime) -> Decimal:
    """Return the discount a customer gets on one unit of ``product``, or raise why none."""
    check_applies(promo, product)
    check_may_use(customer)
    used = used_promo_ids(customer=customer, promo_ids=[promo.pk])
    check_usable(promo, at=at, already_used=promo.pk in used)
    return discount_for(promo, product.price)


@dataclass(frozen=True)
class CartItem:
    """One cart line priced today; ``problem`` says why it cannot be bought now ("" if it can)."""

    line_id: int
    product: Product
    quantity: int
    unit_price: Decimal
    discount: Decimal
    total: Decimal
    promo: PromoCode | None
    promo_problem: str
    problem: str

    @property
    def available(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class Cart:
    """A customer's cart priced today: what the confirmation screen shows and checkout charges."""

    items: list[CartItem]
    total: Decimal
    count: int
    intent_id: int | None = None  # the purchase intent a checkout confirmation's Pay button names

    @property
    def is_empty(self) -> bool:
        return not self.items

    @property
    def list_total(self) -> Decimal:
        """The cart at list prices: what a direct Stars order charges (promo codes apply to balance purchases)."""
        return sum((item.unit_price * item.quantity for item in self.items), Decimal("0.00"))

    @property
    def can_checkout(self) -> bool:
        return bool(self.items) and all(item.available for item in self.items)


def line_problem(product: Product, quantity: int, stock: Mapping[int, int] | None) -> str:
    if not is_for_sale(product):
        return str(ProductUnavailable(product=product.name))
    if product.is_unlimited:
        return "" if product.sells_without_units else str(OutOfStock(product=product.name))
    if stock is None:
        return ""
    available = stock.get(product.pk, 0)
    if available == 0:
        return str(OutOfStock(product=product.name))
    if available < quantity:
        return str(NotEnoughStock(product=product.name, available=available))
    return ""


def price_cart(
    *,
    customer: Customer,
    lines: list[CartLine],
    at: datetime,
    stock: Mapping[int, int] | None = None,
    promos: Mapping[int, PromoCode] | None = None,
) -> Cart:
    """Price cart lines (with products, categories and promo codes loaded) in their order.

    ``stock`` maps product ids to unsold units (None: not checked here);
    ``promos`` replaces the lines' promo codes with freshly locked rows. A code
    that stopped working gives no discount and says why in ``promo_problem``;
    codes shared by several lines count their uses in line order.
    """
    attached = {line.promo_code_id for line in lines if line.promo_code_id}
    used = used_promo_ids(customer=customer, promo_ids=attached)
    staff_refused = bool(attached) and makes_codes_without_balances(roles.permissions_of(customer))
    pending: Counter[int] = Counter()
    items = []
    for line in lines:
        # A code deleted since the line was read simply gives no discount.
        promo = line.promo_code if promos is None else promos.get(line.promo_code_id or 0)
        discount, promo_problem = ZERO, ""
        if promo is not None:
            try:
                check_applies(promo, line.product)
                if staff_refused:
                    raise StaffCodeRefused()
                check_usable(promo, at=at, already_used=promo.pk in used, pending_uses=pending[promo.pk])
            except ShopError as error:
                promo_problem = str(error)
            else:
                discount = discount_for(promo, line.product.price)
                pending[promo.pk] += 1
                used.add(promo.pk)
        items.append(
            CartItem(
                line_id=line.pk,
                product=line.product,
                quantity=line.quantity,
                unit_price=line.product.price,
                discount=discount,
                total=line.product.price * line.quantity - discount,
                promo=promo,
                promo_problem=promo_problem,
                problem=line_problem(line.product, line.quantity, stock),
            )
        )
    total = sum((item.total for item in items), ZERO)
    return Cart(items=items, total=total, count=sum(item.quantity for item in items))


def cart_snapshot(cart: Cart) -> list[list[int | None]]:
    """What a purchase intent keeps of a priced cart: product, quantity and promo code per line."""
    return [[item.product.pk, item.quantity, item.promo.pk if item.promo else None] for item in cart.items]
