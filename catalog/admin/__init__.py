"""The catalog's pages of the Django admin; importing the modules registers them."""

from catalog.admin import catalog, claims, promos  # noqa: F401 - registers the catalog, claim and promo code admins
