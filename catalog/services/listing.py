"""Hide when sold out: which products and categories the lists show, and forgetting them when stock moves.

A product that hides when sold out (its own flag or its category's) leaves the
lists while it has nothing to sell; a category whose flag is on leaves them when
none of its active products has. The lists are cached without the stock
(``catalog.cache``), so whatever empties or refills such a product forgets the
catalog, as a change to a product does. Its card, opened by id, still shows it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from catalog.cache import forget_catalog
from catalog.models import Category, Product, StockUnit

HIDES = Q(hide_when_sold_out=True) | Q(category__hide_when_sold_out=True)


def has_something_to_sell(product_ref: OuterRef | str = "pk") -> Q:
    """A product with an unsold unit, or a shared one with its value (a shared file not set yet has none).

    A product of units taking pre-orders can always be paid, so it stays listed while sold out.
    """
    unsold = StockUnit.objects.filter(product=OuterRef(product_ref), sold_at__isnull=True)
    endpoint = Q(delivery=Product.DeliveryKind.DYNAMIC) & ~Q(endpoint_url="") & ~Q(endpoint_secret="")
    shared = ~Q(unlimited_value="") | Q(delivery=Product.DeliveryKind.MANUAL) | endpoint
    units = Q(preorders=True) | Exists(unsold)
    return Q(Q(is_unlimited=True) & shared) | Q(Q(is_unlimited=False) & units)


def listed_products(products: QuerySet[Product]) -> QuerySet[Product]:
    """Return those of ``products`` the lists show: every one but the sold-out that hide when sold out."""
    return products.filter(~HIDES | has_something_to_sell())


def listed_categories(categories: QuerySet[Category]) -> QuerySet[Category]:
    """Return those of ``categories`` the lists show: one whose flag is on needs an active product to sell."""
    for_sale = Product.objects.filter(has_something_to_sell(), category=OuterRef("pk"), is_active=True)
    return categories.filter(Q(hide_when_sold_out=False) | Exists(for_sale))


def forget_lists_if_hiding(product_ids: Iterable[int]) -> None:
    """Forget the cached lists when stock was added, removed or returned for a product that hides when sold out.

    For staff work and restocks: one query, the same whatever the stock.
    """
    ids = set(product_ids)
    if ids and Product.objects.filter(HIDES, pk__in=ids).exists():
        forget_catalog()


def forget_lists_after_sale(products: Iterable[Product]) -> None:
    """Forget the cached lists when a sale just took the last unit of a product that hides when sold out.

    ``products`` are loaded with their category; a sale of a product that does
    not hide costs no query, one that does costs one.
    """
    ids = {product.pk for product in products if not product.is_unlimited and product.hides_when_sold_out}
    if not ids:
        return
    sold_out = Product.objects.filter(pk__in=ids).exclude(has_something_to_sell())
    if sold_out.exists():
        forget_catalog()
