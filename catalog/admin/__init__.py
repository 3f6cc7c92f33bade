"""The catalog's pages of the Django admin; importing the modules registers them."""

from catalog.admin import catalog, promos  # noqa: F401 - registers the catalog and promo code admins
