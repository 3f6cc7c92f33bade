"""Reads for the Mini App storefront: search over the products customers see, and one's own order.

PostgreSQL: full-text search (``websearch_to_tsquery`` with the ``simple``
configuration, which keeps every language's words as they are) over name and
description, answered by the GIN index of migration ``0005_miniapp_search``,
so a search costs the same on 50,000 products as on ten. SQLite: a plain
case-insensitive substring match.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet

from accounts.selectors import PAGE_SIZE, Page, paginate
from catalog.cache import get_stock_counts
from catalog.models import Product, Purchase, Review
from catalog.selectors import count_unsold_units
from catalog.services.common import clean_id
from catalog.services.listing import listed_products
from payments.models import Payment
from shopbot.errors import PaymentNotFound

QUERY_MAX = 100
# The expression of the index in 0005_miniapp_search, spelled the same so the planner uses it.
DOCUMENT = (
    'to_tsvector(\'simple\'::regconfig, "catalog_product"."name" || \' \' || "catalog_product"."description")'
)
MATCH = f"{DOCUMENT} @@ websearch_to_tsquery('simple'::regconfig, %s)"


def clean_query(query: object) -> str:
    """Return the searched words: one line, single spaces, at most ``QUERY_MAX`` characters."""
    if not isinstance(query, str):
        return ""
    return " ".join(query.split())[:QUERY_MAX]


def matching(text: str) -> QuerySet[Product]:
    products = listed_products(Product.objects.filter(is_active=True, category__is_active=True))
    if connection.vendor == "postgresql":
        return products.extra(where=[MATCH], params=[text])  # the text is a parameter, never spliced
    return products.filter(Q(name__icontains=text) | Q(description__icontains=text))


def search_products(*, query: object, page: object = 1, page_size: int = PAGE_SIZE) -> Page[Product]:
    """Return a page of listed products matching ``query``, with their category and ``shown_stock`` set.

    Sold-out products that hide when sold out are left out, as in the category lists.

    ``shown_stock`` is the count customers see (None for an unlimited product), from
    the same cache as the product cards. Two queries when nothing is cached.
    """
    text = clean_query(query)
    if not text:
        return Page(items=[], number=1, has_previous=False, has_next=False)
    products = matching(text).select_related("category").order_by("position", "name", "id")
    result = paginate(products, page=page, size=page_size)
    set_stock(result.items)
    return result


def set_stock(products: list[Product]) -> None:
    """Set ``shown_stock`` (None when unlimited) and ``in_stock`` on each product, from the shared stock cache."""
    limited = [product.pk for product in products if not product.is_unlimited]
    counts = get_stock_counts(limited, count_unsold_units) if limited else {}
    for product in products:
        product.shown_stock = None if product.is_unlimited else counts[product.pk]
        product.in_stock = product.sells_without_units if product.is_unlimited else product.shown_stock > 0


def set_ratings(products: list[Product]) -> None:
    """Set ``rating`` (one decimal, None without reviews) and ``review_count`` on each product. One query."""
    rows = (
        Review.objects.filter(product_id__in=[product.pk for product in products])
        .values("product_id")
        .annotate(average=Avg("rating"), count=Count("id"))
        .order_by()
    )
    found = {row["product_id"]: row for row in rows}
    for product in products:
        row = found.get(product.pk)
        product.rating = None if row is None else Decimal(str(row["average"])).quantize(Decimal("0.1"))
        product.review_count = 0 if row is None else row["count"]


def get_order(*, telegram_id: int, payment_id: object) -> tuple[Payment, list[Purchase]]:
    """Return one of the customer's Stars orders and what it delivered; anyone else's raises ``PaymentNotFound``."""
    payment = Payment.objects.filter(
        pk=clean_id(payment_id, PaymentNotFound),
        customer__telegram_id=telegram_id,
        purpose=Payment.Purpose.ORDER,
    ).first()
    if payment is None:
        raise PaymentNotFound()
    return payment, list(Purchase.objects.filter(payment=payment).order_by("id"))
