"""The import's order of steps, its transaction and its refusals."""

from __future__ import annotations

from django.db import DatabaseError, transaction

from accounts.models import Customer
from accounts.roles import ensure_builtin_roles, invalidate_role_cache
from accounts.services import record_audit
from catalog.cache import forget_catalog, forget_stock
from catalog.importing.seed import extras, goods, history, people
from catalog.importing.seed.report import SeedReport
from catalog.importing.seed.source import read_seed
from catalog.importing.seed.state import SeedImport
from catalog.models import Purchase
from shopbot.errors import SeedRefused

# Order matters: each step finds the rows the steps before it made.
STEPS = [
    people.import_roles,
    people.import_customers,
    goods.import_categories,
    goods.import_products,
    goods.import_purchases,
    history.import_payments,
    history.import_operations,
    people.import_referral_rewards,
    extras.import_promo_codes,
    extras.import_promo_uses,
    extras.import_reviews,
    extras.import_carts,
    people.import_audit,
]


class DryRun(Exception):
    """Raised at the end of a dry run so its transaction rolls back with everything it wrote."""


def import_seed(
    *, url: str, dry_run: bool = False, merge: bool = False, owner_id: int | None = None
) -> SeedReport:
    """Import the seed bot's database at ``url`` into this shop; return the report.

    Refuses with ``SeedRefused`` a database that is not the seed's, and a shop
    that already has customers or purchases unless ``merge``. Rows the import
    cannot take are reported, never half-written: everything is written in one
    transaction, or nothing (always nothing with ``dry_run``).
    """
    rows, others = read_seed(url)
    if not merge and (Customer.objects.exists() or Purchase.objects.exists()):
        raise SeedRefused(
            reason="this shop already has customers or purchases; add --merge to import into it"
        )
    report = SeedReport(dry_run=dry_run, merge=merge, other_tables=others)
    state = SeedImport(rows=rows, report=report, owner_id=owner_id or None)
    try:
        with transaction.atomic():
            ensure_builtin_roles()  # inside: a dry run leaves even these alone
            for step in STEPS:
                step(state)
            record_audit(actor=None, action="import_seed", details=report.counts())
            forget_catalog()
            forget_stock(product.pk for product in state.products.values())
            transaction.on_commit(invalidate_role_cache)
            if dry_run:
                raise DryRun()
    except DryRun:
        pass
    except DatabaseError as error:
        # A row this shop's database refused that the checks above let through: nothing is kept.
        raise SeedRefused(reason=f"nothing was written: {str(error).strip().splitlines()[0]}") from None
    return report
