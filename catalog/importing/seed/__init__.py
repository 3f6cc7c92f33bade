"""Moving a shop over from the seed bot (interlumpen/Telegram-shop): ``manage.py import_seed``.

The seed's PostgreSQL database is read in one read-only transaction (see
``source``), checked to be the seed's at its last Alembic version, and written
here in one ``transaction.atomic``: roles, customers (each seed balance as one
opening-balance ledger row), categories, products with their unsold stock or
shared value, purchases with their snapshot and order number, payment history,
referral rewards, promo codes with their uses, reviews, carts and the audit log.
A dry run does all of it and rolls back. ``merge`` upserts by Telegram id,
names, codes and order numbers, so a second run changes nothing.
"""

from catalog.importing.seed.report import SeedReport
from catalog.importing.seed.run import import_seed

__all__ = ["SeedReport", "import_seed"]
