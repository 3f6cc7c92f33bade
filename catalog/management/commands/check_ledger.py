"""``manage.py check_ledger``: every balance is the sum of its ledger, every sold unit has its purchase."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from catalog.selectors import list_sold_units_without_purchase
from payments.selectors import list_ledger_drift


class Command(BaseCommand):
    help = (
        "Check that sum(ledger) == balance for every customer and that every sold stock unit has its "
        "purchase; print what differs and exit with 1 when anything does."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        drifted = list_ledger_drift()
        orphans = list_sold_units_without_purchase()
        for drift in drifted:
            self.stdout.write(
                f"Customer {drift.telegram_id}: balance {drift.balance}, ledger sums to {drift.ledger_total}"
            )
        for unit in orphans:
            self.stdout.write(
                f"Stock unit {unit.pk} of {unit.product.name} (product {unit.product_id}), "
                f"sold {unit.sold_at:%Y-%m-%d %H:%M}: no purchase delivered it"
            )
        if drifted or orphans:
            self.stdout.write(
                f"{len(drifted)} balances differ from their ledgers, {len(orphans)} sold units lack a purchase."
            )
            sys.exit(1)
        self.stdout.write("Every balance matches its ledger and every sold unit has its purchase.")
