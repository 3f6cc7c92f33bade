"""Stock arriving: the one hook every way of adding stock calls, inside the transaction that adds it.

Text units (``add_stock``), the catalog import, file units and a shared file
all end here. The order is the rule: claims waiting for the product's stock
are replaced first (care after a sale comes before any new sale), then the
paid pre-orders are filled oldest first (``catalog.services.preorders``), and
the back-in-stock waitlist is released only if units remain after them, so
nobody is told of stock that the claims and pre-orders already took.
"""

from __future__ import annotations

from accounts.actors import Actor
from catalog.models import Claim, Product
from catalog.services.claims import fill_waiting_claims
from catalog.services.listing import forget_lists_if_hiding
from catalog.services.preorders import fill_preorders
from catalog.services.waitlist import stock_added


def stock_arrived(*, product: Product, actor: Actor | None, added: int) -> list[Claim]:
    """Hand ``added`` new units to the waiting claims, then the pre-orders, then the waitlist; return the filled claims.

    A product without units (one shared value or file) has nothing to replace
    a claim with: only its waitlist hears of it.
    """
    if added <= 0:
        return []
    forget_lists_if_hiding([product.pk])  # a product that hides when sold out may be back in the lists
    filled = [] if product.is_unlimited else fill_waiting_claims(product=product, actor=actor)
    preordered = fill_preorders(product=product) if added > len(filled) else []
    if added > len(filled) + len(preordered):
        stock_added([product.pk])
    return filled
