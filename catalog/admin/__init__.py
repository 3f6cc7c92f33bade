"""The catalog's pages of the Django admin; importing the modules registers them."""

from catalog.admin import (  # noqa: F401 - registers the catalog, category, claim, manual order, pre-order, promo code and ticket admins
    catalog,
    categories,
    claims,
    manual,
    preorders,
    promos,
    tickets,
)
