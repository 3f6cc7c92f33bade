"""``manage.py import_seed --from URL [--dry-run] [--merge] [--owner ID]``: move a shop over from the seed bot."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.importing.seed import import_seed
from shopbot.errors import ShopError


class Command(BaseCommand):
    help = (
        "Import customers, balances, the catalog with its unsold stock, purchases and the rest from the "
        "PostgreSQL database of interlumpen/Telegram-shop (read-only), in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="url", required=True, help="postgres://user:pass@host:5432/dbname")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be imported, write nothing"
        )
        parser.add_argument(
            "--merge", action="store_true", help="import into a shop that already has customers or purchases"
        )
        parser.add_argument(
            "--owner", type=int, default=None, help="the owner's Telegram id (default: OWNER_ID)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = options["owner"] if options["owner"] is not None else settings.OWNER_ID
        try:
            report = import_seed(
                url=options["url"], dry_run=options["dry_run"], merge=options["merge"], owner_id=owner
            )
        except ShopError as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.balances_equal:
            raise CommandError("The balances carried over differ from the seed's; see the report above.")
