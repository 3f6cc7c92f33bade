"""Reads behind the admin menu in the bot, each checking the admin's permission first.

Every function takes the ``actor`` and refuses (audited, by
``require_permission``) unless the actor holds the permission the screen
needs: callback data and typed text are forged easily, and a screen is no
less sensitive than the action it leads to. Results are evaluated, as in
``catalog.selectors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Sum, Value
from django.db.models.functions import Coalesce

from accounts.actors import Actor, permissions_of_actor
from accounts.models import Customer
from accounts.selectors.staff import get_customer
from accounts.services import require_permission
from catalog import selectors
from catalog.models import Category, Product, PromoCode, Purchase, StockUnit
from catalog.selectors import Page, ProductCard, count_unsold, paginate
from catalog.services import Deleted, StockReport, preview_stock
from catalog.services.common import clean_id
from payments.models import LedgerEntry, ReferralReward
from shopbot.errors import CategoryNotFound, PromoNotFound, StockUnitNotFound

CATEGORY_CHOICES = 50
RECENT_LEDGER = 5


def require(actor: Actor, codename: str, action: str) -> None:
    require_permission(actor=actor, codename=codename, action=action)


# --- catalog [manage_catalog; the stock screens reuse them with manage_stock] -----
def list_categories(*, actor: Actor, page: int, codename: str = "manage_catalog") -> Page[Category]:
    """Return a page of every category, hidden ones included."""
    require(actor, codename, "list_categories")
    return selectors.list_all_categories(page=page)


def get_category(
    *, actor: Actor, category_id: int, page: int, codename: str = "manage_catalog"
) -> tuple[Category, Page[Product]]:
    """Return a category and a page of its products, each with ``unsold`` counted."""
    require(actor, codename, "view_category")
    category = Category.objects.filter(pk=clean_id(category_id, CategoryNotFound)).first()
    if category is None:
        raise CategoryNotFound()
    products = (
        Product.objects.filter(category=category)
        .annotate(unsold=Coalesce(count_unsold(OuterRef("pk")), 0))
        .order_by("position", "name", "id")
    )
    result = paginate(products, page=page)
    for product in result.items:
        product.category = category
    return category, result


def list_category_choices(*, actor: Actor) -> list[Category]:
    """Return the first categories to choose from while writing a product."""
    require(actor, "manage_catalog", "list_categories")
    return list(Category.objects.order_by("position", "name", "id")[:CATEGORY_CHOICES])


def count_category_contents(*, actor: Actor, category_id: int) -> tuple[Category, Deleted]:
    """Return a category and what deleting it would take: its products and their unsold units."""
    require(actor, "manage_catalog", "delete_category")
    category = Category.objects.filter(pk=clean_id(category_id, CategoryNotFound)).first()
    if category is None:
        raise CategoryNotFound()
    products = Product.objects.filter(category=category).count()
    units = StockUnit.objects.filter(product__category=category, sold_at__isnull=True).count()
    return category, Deleted(products=products, units=units)


def get_product(*, actor: Actor, product_id: int, codename: str = "manage_catalog") -> ProductCard:
    """Return a product's card with its stock, hidden or not."""
    require(actor, codename, "view_product")
    return selectors.get_product_card(product_id=product_id, include_hidden=True)


# --- stock [manage_stock] ---------------------------------------------------------
def list_units(*, actor: Actor, product_id: int, page: int) -> Page[StockUnit]:
    """Return a page of a product's unsold units, oldest first."""
    require(actor, "manage_stock", "list_stock_units")
    return selectors.list_stock_units(product_id=product_id, page=page)


def get_unit(*, actor: Actor, unit_id: int) -> StockUnit:
    """Return one unsold stock unit with its product."""
    require(actor, "manage_stock", "view_stock_unit")
    # A sold unit's value is a customer's key: a forged button must not show it as stock.
    units = StockUnit.objects.select_related("product").filter(sold_at__isnull=True)
    unit = units.filter(pk=clean_id(unit_id, StockUnitNotFound)).first()
    if unit is None:
        raise StockUnitNotFound()
    return unit


def preview_upload(*, actor: Actor, product_id: int, values: list[str]) -> StockReport:
    """Return what adding ``values`` would do, writing nothing."""
    require(actor, "manage_stock", "preview_stock")
    return preview_stock(product_id=product_id, values=values)


def list_low_stock(*, actor: Actor) -> list[Product]:
    """Return the products at or below their low-stock threshold, emptiest first."""
    require(actor, "manage_stock", "list_low_stock")
    return selectors.list_low_stock()


# --- promo codes [manage_promos; binding a code reuses list_categories] -----------
def list_promos(*, actor: Actor, page: int) -> Page[PromoCode]:
    """Return a page of promo codes, newest first, with what each is bound to."""
    require(actor, "manage_promos", "list_promos")
    return selectors.list_promo_codes(page=page)


def get_promo(*, actor: Actor, promo_id: int) -> PromoCode:
    """Return one promo code with what it is bound to."""
    require(actor, "manage_promos", "get_promo")
    promo = (
        PromoCode.objects.select_related("category", "product")
        .filter(pk=clean_id(promo_id, PromoNotFound))
        .first()
    )
    if promo is None:
        raise PromoNotFound()
    return promo


def list_products(
    *, actor: Actor, category_id: int, page: int, codename: str = "manage_promos"
) -> Page[Product]:
    """Return a page of a category's products, hidden ones included, to bind a code to one."""
    require(actor, codename, "list_products")
    return selectors.list_all_products(category_id=category_id, page=page)


# --- orders and users [manage_users] ----------------------------------------------
def get_order(*, actor: Actor, order_number: str) -> Purchase:
    """Return the purchase with this order number, with its buyer."""
    require(actor, "manage_users", "find_order")
    return selectors.find_purchase_by_order_number(order_number=order_number)


def shows_delivered_values(*, actor: Actor) -> bool:
    """Return whether the actor may see customers' keys as delivered (not part of managing users)."""
    return "view_delivered_values" in permissions_of_actor(actor)


@dataclass(frozen=True)
class CustomerProfile:
    """What the admin sees of a customer."""

    customer: Customer
    recent: list[LedgerEntry]
    purchases: int
    spent: Decimal
    referrals: int


def get_customer_profile(*, actor: Actor, telegram_id: int) -> CustomerProfile:
    """Return a customer with their latest balance changes, purchases and referrals."""
    customer = get_customer(actor=actor, telegram_id=telegram_id)
    recent = list(LedgerEntry.objects.filter(customer=customer).order_by("-created", "-id")[:RECENT_LEDGER])
    money = DecimalField(max_digits=12, decimal_places=2)
    spent = Coalesce(Sum("price"), Value(Decimal("0.00")), output_field=money)
    bought = Purchase.objects.filter(buyer=customer).aggregate(n=Count("id"), spent=spent)
    return CustomerProfile(
        customer=customer,
        recent=recent,
        purchases=bought["n"],
        spent=bought["spent"],
        referrals=Customer.objects.filter(referrer=customer).count(),
    )


# --- refunds [refund_payments] ------------------------------------------------------
REFUND_ITEMS_SHOWN = 10


@dataclass(frozen=True)
class RefundEffects:
    """What a refund of a payment leaves in place, for the admin to read before confirming."""

    delivered: list[Purchase]  # the first REFUND_ITEMS_SHOWN units the order delivered
    delivered_count: int
    reward: ReferralReward | None  # the referrer's share of this top-up, taken back by the refund


def get_refund_effects(*, actor: Actor, payment_id: int) -> RefundEffects:
    """Return what the payment delivered (a refund does not take it back) and the referral reward it paid.

    The refund takes the reward back from the referrer as far as their balance
    allows, and records the rest as owed (``payments.services.reversals``).
    """
    require(actor, "refund_payments", "view_payment")
    purchases = Purchase.objects.filter(payment_id=payment_id).order_by("id")
    reward = ReferralReward.objects.filter(payment_id=payment_id).select_related("referrer").first()
    return RefundEffects(
        delivered=list(purchases[:REFUND_ITEMS_SHOWN]), delivered_count=purchases.count(), reward=reward
    )
