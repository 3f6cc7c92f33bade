"""The catalog's pages of the Django admin; importing the modules registers them."""

from catalog.admin import catalog, claims, promos, tickets  # noqa: F401 - registers the catalog, claim, promo code and ticket admins
