"""Reads on the catalog for the bot and the admin menu.

Every selector returns evaluated data (lists, instances with the relations the
screens need already loaded), so async code never reaches a lazy relation.
Lists are paged by fetching one row more than a page: no count of a table
that grows with the shop is made on a customer screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils.timezone import now

from accounts.selectors import MAX_PAGE as MAX_PAGE
from accounts.selectors import PAGE_SIZE as PAGE_SIZE
from accounts.selectors import Page, clean_page, paginate
from catalog.cache import cached, cached_cart_count, cached_with, get_stock_counts, stock_key
from catalog.models import CartLine, Category, Product, PromoCode, Purchase, Review, StockUnit
from catalog.services.common import clean_id
from catalog.services.listing import listed_categories, listed_products
from catalog.services.pricing import Cart, price_cart
from shopbot.errors import CategoryNotFound, ProductNotFound, PurchaseNotFound

# Customers see exact stock up to this many units, "1000+" beyond: counting stops there.
STOCK_SHOWN_MAX = 1000
ORDER_NUMBER = re.compile(r"[A-Z0-9]{1,16}")


def unsold_units(product_ref: OuterRef | int) -> QuerySet[StockUnit]:
    return StockUnit.objects.filter(product=product_ref, sold_at__isnull=True)


def count_unsold(product_ref: OuterRef) -> Subquery:
    """A subquery counting all of a product's unsold units (for staff: exact, and as costly as the stock)."""
    units = unsold_units(product_ref).order_by().values("product").annotate(n=Count("id")).values("n")
    return Subquery(units)


class CountRows(Subquery):
    """The number of rows a subquery returns; the subquery bounds it with a slice."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def count_unsold_shown(product_ref: OuterRef | int) -> CountRows:
    """Count a product's unsold units up to ``STOCK_SHOWN_MAX`` + 1, for customers' screens.

    Reads at most that many index entries, so a card of a drop with 100,000
    units costs what a card of ten does; more than the maximum shows as "1000+".
    """
    return CountRows(unsold_units(product_ref).order_by().values("id")[: STOCK_SHOWN_MAX + 1])


# --- the shop, as customers see it --------------------------------------------
def list_categories(*, page: object = 1) -> Page[Category]:
    """Return a page of the categories customers see, in the admin's order. Cached; one query when not.

    A category that hides when sold out is left out while none of its products has anything to sell.
    """
    number = clean_page(page)
    return cached("categories", number, build=lambda: load_categories(number))


def load_categories(number: int) -> Page[Category]:
    # Built only when the page is not cached: composing the queryset costs more than reading the page.
    categories = listed_categories(Category.objects.filter(is_active=True)).order_by("position", "name", "id")
    return paginate(categories, page=number)


def get_category(*, category_id: object) -> Category:
    """Return a category customers may see, or raise ``CategoryNotFound``."""
    category = Category.objects.filter(pk=clean_id(category_id, CategoryNotFound), is_active=True).first()
    if category is None:
        raise CategoryNotFound()
    return category


def list_products(*, category_id: object, page: object = 1) -> Page[Product]:
    """Return a page of a visible category's active products; each has ``in_stock`` set.

    Sold-out products that hide when sold out are left out (``catalog.services.listing``).

    Hidden or missing categories raise ``CategoryNotFound``. Products come with
    their category loaded, in the order position, name, id. The page is cached
    (two queries when not); the stock of its products is cached apart, for
    less time, and counted in one query for those not cached.
    """
    number = clean_page(page)
    category_pk = clean_id(category_id, CategoryNotFound)
    counted: dict[int, int] = {}
    category, result = cached(
        "products", category_pk, number, build=lambda: load_products(category_pk, number, counted)
    )
    stock = get_stock_counts([product.pk for product in result.items], count_unsold_units, known=counted)
    for product in result.items:
        product.category = category
        product.in_stock = stock[product.pk] > 0 or (product.is_unlimited and product.sells_without_units)
    return result


def load_products(category_id: int, number: int, counted: dict[int, int]) -> tuple[Category, Page[Product]]:
    """Load a page of products, putting their unsold units in ``counted`` (the page is cached without them)."""
    category = get_category(category_id=category_id)
    products = (
        listed_products(Product.objects.filter(category=category, is_active=True))
        .annotate(unsold=count_unsold_shown(OuterRef("pk")))
        .order_by("position", "name", "id")
    )
    result = paginate(products, page=number)
    for product in result.items:
        counted[product.pk] = product.unsold or 0
        del product.unsold
    return category, result


def count_unsold_units(product_ids: list[int]) -> dict[int, int]:
    """Return the unsold units of each product as customers see them (up to ``STOCK_SHOWN_MAX`` + 1)."""
    rows = Product.objects.filter(pk__in=product_ids).annotate(n=count_unsold_shown(OuterRef("pk")))
    return dict(rows.values_list("pk", "n"))


@dataclass(frozen=True)
class ProductCard:
    """What the product screen shows; ``stock`` is None for an unlimited product."""

    product: Product
    category: Category
    stock: int | None
    rating: Decimal | None
    review_count: int

    @property
    def in_stock(self) -> bool:
        # A shared product sells only with its value: a shared file not set yet is sold out.
        if self.stock is None:
            return self.product.sells_without_units
        return self.stock > 0


def get_product_card(*, product_id: object, include_hidden: bool = False) -> ProductCard:
    """Return a product with its stock, average rating and review count.

    Hidden products (or products of hidden categories) raise
    ``ProductNotFound`` unless ``include_hidden`` (the admin's view). The card
    is cached (one query when not); its stock is cached apart, for less time,
    and counted up to ``STOCK_SHOWN_MAX`` + 1 (the admin's view counts it all).
    """
    pk = clean_id(product_id)
    counted: dict[int, int] = {}
    card, found = cached_with(
        "card",
        pk,
        int(include_hidden),
        build=lambda: load_card(pk, include_hidden, counted),
        also=[stock_key(pk)],
    )
    if card.product.is_unlimited:
        return card
    if include_hidden:  # the admin's view: exact, and never the customers' bounded count
        return replace(card, stock=counted[pk] if pk in counted else unsold_units(pk).count())
    return replace(card, stock=get_stock_counts([pk], count_unsold_units, known=counted, found=found)[pk])


def load_card(product_id: int, include_hidden: bool, counted: dict[int, int]) -> ProductCard:
    """Load a card, putting its unsold units in ``counted`` (the card is cached without them)."""
    reviews = Review.objects.filter(product=OuterRef("pk")).order_by().values("product")
    products = Product.objects.select_related("category").annotate(
        unsold=count_unsold(OuterRef("pk")) if include_hidden else count_unsold_shown(OuterRef("pk")),
        rating=Subquery(reviews.annotate(avg=Avg("rating")).values("avg")),
        review_count=Subquery(reviews.annotate(n=Count("id")).values("n")),
    )
    if not include_hidden:
        products = products.filter(is_active=True, category__is_active=True)
    product = products.filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound()
    rating = None if product.rating is None else Decimal(str(product.rating)).quantize(Decimal("0.1"))
    counted[product.pk] = product.unsold or 0
    del product.unsold
    return ProductCard(
        product=product,
        category=product.category,
        stock=None,  # set by get_product_card for limited products
        rating=rating,
        review_count=product.review_count or 0,
    )


def list_reviews(*, product_id: object, page: object = 1) -> Page[Review]:
    """Return a page of a visible product's reviews, newest first, with their authors. Two queries."""
    product = Product.objects.filter(
        pk=clean_id(product_id), is_active=True, category__is_active=True
    ).first()
    if product is None:
        raise ProductNotFound()
    reviews = Review.objects.filter(product=product).select_related("customer").order_by("-created", "-id")
    result = paginate(reviews, page=page)
    for review in result.items:
        review.product = product
    return result


# --- a customer's own things --------------------------------------------------
def get_cart(*, telegram_id: int) -> Cart:
    """Return the customer's cart priced today, with each line's availability and discount.

    Checkout charges exactly this total. The units left are the cached counts
    the product cards show. At most three queries, whatever the size of the catalog.
    """
    lines = list(
        CartLine.objects.filter(customer__telegram_id=telegram_id)
        .select_related("customer", "product__category", "promo_code")
        .order_by("created", "id")
    )
    if not lines:
        return Cart(items=[], total=Decimal("0.00"), count=0)
    limited = [line.product_id for line in lines if not line.product.is_unlimited]
    # What the cards show: the checkout decides on the locked rows, never on this count.
    stock = get_stock_counts(limited, count_unsold_units) if limited else {}
    return price_cart(customer=lines[0].customer, lines=lines, at=now(), stock=stock)


def count_cart_items(*, customer_id: int) -> int:
    """Return how many units the customer's cart holds, for the menu badge: cached, else one query."""

    def count() -> int:
        total = CartLine.objects.filter(customer_id=customer_id).aggregate(n=Coalesce(Sum("quantity"), 0))
        return int(total["n"])

    return cached_cart_count(customer_id, count)


def list_purchases(*, telegram_id: int, page: object = 1) -> Page[Purchase]:
    """Return a page of the customer's purchases, newest first (snapshot fields, file, replacement). One query."""
    purchases = Purchase.objects.filter(buyer__telegram_id=telegram_id).select_related("file", "replacement")
    return paginate(purchases.order_by("-created", "-id"), page=page)


def get_purchase(*, telegram_id: int, purchase_id: object) -> Purchase:
    """Return one of the customer's purchases; anyone else's id raises ``PurchaseNotFound``."""
    purchase = (
        Purchase.objects.select_related("buyer", "product", "promo_code", "file", "replacement", "replaces")
        .filter(pk=clean_id(purchase_id, PurchaseNotFound), buyer__telegram_id=telegram_id)
        .first()
    )
    if purchase is None:
        raise PurchaseNotFound()
    return purchase


def list_receipt_purchases(*, telegram_id: int, purchase_ids: object) -> list[Purchase]:
    """Return the customer's purchases a receipt names, oldest first; ids of anyone else's are left out."""
    ids = [pk for pk in purchase_ids if isinstance(pk, int)] if isinstance(purchase_ids, list) else []
    # With their files: the bot sends them after the receipt, on the event loop.
    purchases = Purchase.objects.filter(pk__in=ids, buyer__telegram_id=telegram_id).select_related("file")
    return list(purchases.order_by("id"))


# --- the admin's views --------------------------------------------------------
def find_purchase_by_order_number(*, order_number: object) -> Purchase:
    """Return the purchase with this order number (typed with or without "#", any case)."""
    text = order_number.strip().lstrip("#").upper() if isinstance(order_number, str) else ""
    if not ORDER_NUMBER.fullmatch(text):
        raise PurchaseNotFound()
    purchases = Purchase.objects.select_related("buyer", "product", "promo_code", "payment", "file")
    purchase = purchases.filter(order_number=text).first()
    if purchase is None:
        raise PurchaseNotFound()
    return purchase


def list_all_categories(*, page: object = 1) -> Page[Category]:
    """Return a page of every category, hidden ones included, in the shop's order."""
    return paginate(Category.objects.order_by("position", "name", "id"), page=page)


def list_all_products(*, category_id: object, page: object = 1) -> Page[Product]:
    """Return a page of every product of a category, hidden ones included."""
    category = Category.objects.filter(pk=clean_id(category_id, CategoryNotFound)).first()
    if category is None:
        raise CategoryNotFound()
    result = paginate(Product.objects.filter(category=category).order_by("position", "name", "id"), page=page)
    for product in result.items:
        product.category = category
    return result


def list_stock_units(*, product_id: object, page: object = 1, sold: bool = False) -> Page[StockUnit]:
    """Return a page of a product's unsold units (or sold ones), oldest first."""
    product = Product.objects.filter(pk=clean_id(product_id)).first()
    if product is None:
        raise ProductNotFound()
    units = StockUnit.objects.filter(product=product, sold_at__isnull=not sold)
    # Unsold: in the order they are sold, along stock_unsold_oldest_idx.
    result = paginate(units.order_by("id") if sold else units.order_by("created", "id"), page=page)
    for unit in result.items:
        unit.product = product
    return result


def list_promo_codes(*, page: object = 1) -> Page[PromoCode]:
    """Return a page of promo codes, newest first, with what each is bound to."""
    return paginate(
        PromoCode.objects.select_related("category", "product").order_by("-created", "-id"), page=page
    )


# A threshold of 0 watches nothing: a sold-out product without a threshold is not "low".
WATCHED_FOR_LOW_STOCK = Q(is_unlimited=False, low_stock_threshold__gt=0)


def low_stock(products: QuerySet[Product], *, unsold: Expression | None = None) -> QuerySet[Product]:
    """Return those of ``products`` at or below their low-stock threshold, with ``unsold`` annotated.

    The one definition of low stock, for the staff's list in the bot, the
    dashboard and the alert after a sale: a limited product with a threshold
    above 0 whose unsold units are at or below it, hidden or not (it is still
    stock to refill). ``unsold`` counts the units (all of them by default; the
    alert bounds the count by the threshold).
    """
    counted = Coalesce(count_unsold(OuterRef("pk")), 0) if unsold is None else unsold
    watched = products.filter(WATCHED_FOR_LOW_STOCK).annotate(unsold=counted)
    return watched.filter(unsold__lte=F("low_stock_threshold"))


def list_low_stock(*, limit: int = 50) -> list[Product]:
    """Return up to ``limit`` products low on stock, emptiest first, with their category.

    For the staff (the bot's stock screen, the dashboard): counts every unsold
    unit of each watched product.
    """
    return list(low_stock(Product.objects.select_related("category")).order_by("unsold", "id")[:limit])


def low_stock_among(*, product_ids: Iterable[int]) -> list[Product]:
    """Return which of these products are low on stock, emptiest first (for the alert after a sale).

    Runs after every sale of a product with a threshold, so each product's
    unsold units are counted only up to its threshold + 1: a sale from a drop
    of 100,000 units reads what its threshold says, not its stock.
    """
    wanted = sorted({clean_id(product_id) for product_id in product_ids})
    watched = Product.objects.filter(WATCHED_FOR_LOW_STOCK, pk__in=wanted)
    low: list[Product] = []
    for product_id, threshold in watched.values_list("pk", "low_stock_threshold"):
        counted = CountRows(unsold_units(OuterRef("pk")).order_by().values("id")[: threshold + 1])
        low += low_stock(Product.objects.select_related("category").filter(pk=product_id), unsold=counted)
    return sorted(low, key=lambda product: (product.unsold, product.pk))


def list_sold_units_without_purchase(*, limit: int = 100) -> list[StockUnit]:
    """Return sold stock units that no purchase delivered (same product and value), oldest first.

    Every sale writes the purchase in the transaction that marks the unit sold,
    so any row here is a unit that left the shop unaccounted for.
    """
    delivered = Purchase.objects.filter(product=OuterRef("product"), value=OuterRef("value"))
    return list(
        StockUnit.objects.filter(sold_at__isnull=False)
        .exclude(Exists(delivered))
        .select_related("product")
        .order_by("sold_at", "id")[:limit]
    )
