"""The catalog's pages of the Django admin; importing the modules registers them."""

from catalog.admin import (  # noqa: F401 - registers the catalog, category, claim, dynamic order, manual order, promo code and ticket admins
    catalog,
    categories,
    claims,
    dynamic,
    manual,
    promos,
    tickets,
)
