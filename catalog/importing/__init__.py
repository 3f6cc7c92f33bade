"""Import and export of the catalog as JSON: backups, moving a shop, the demo catalog.

The file::

    {"categories": [
      {"name": "Games", "position": 1, "active": true, "products": [
        {"name": "Game key", "description": "…", "price": "9.99", "unlimited": false,
         "stock": ["AAA-111", "BBB-222"]},
        {"name": "E-book", "price": "3.50", "unlimited": true, "value": "https://example.com/book.pdf"}
      ]}
    ]}

A category needs ``name``; a product needs ``name`` and ``price`` (text such as
"9.99" in PAY_CURRENCY, or a whole number; never a JSON float). ``value`` is
what every buyer of an unlimited product receives: it is required when
``"unlimited": true`` and allowed only then. A stock product lists its
deliverable values in ``stock``. The other keys (``products``,
``description``, ``image``, ``active``, ``position``, ``low_stock_threshold``)
are optional; one left out keeps the shop's current value (or the default for
something new). Unknown keys are refused, so a typo never passes silently.

Text is stored as the catalog services store it: names with whitespace runs
collapsed, everything trimmed, no control characters (line breaks and tabs
allowed in a description and a value).

Import is idempotent: categories are matched by name and products by category
and name (ignoring case, as the services keep names unique), and stock values
already unsold in the shop are skipped. The whole file is checked before
anything is written, and the writes happen in one transaction, locking each
category, then each of its products, as it goes.
"""

from catalog.importing.exporting import dump_catalog, export_catalog
from catalog.importing.reading import CategorySpec, ProductSpec, read_catalog
from catalog.importing.writing import DEMO_CATALOG, ImportReport, Tally, import_catalog, load_demo_catalog

__all__ = [
    "DEMO_CATALOG",
    "CategorySpec",
    "ImportReport",
    "ProductSpec",
    "Tally",
    "dump_catalog",
    "export_catalog",
    "import_catalog",
    "load_demo_catalog",
    "read_catalog",
]
