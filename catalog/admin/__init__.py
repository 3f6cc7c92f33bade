"""The catalog's pages of the Django admin; importing the modules registers them."""

from catalog.admin import (  # noqa: F401 - registers each catalog admin page
    catalog,
    categories,
    claims,
    dynamic,
    manual,
    preorders,
    promos,
    sales,
    tickets,
)
