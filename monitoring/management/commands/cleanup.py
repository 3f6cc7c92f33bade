from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.retention import delete_old_records


class Command(BaseCommand):
    help = "Delete audit entries and expired or failed payments older than RETENTION_DAYS (0 keeps all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override RETENTION_DAYS.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.RETENTION_DAYS if options["days"] is None else options["days"]
        if days < 0:
            raise CommandError("--days must be 0 or more")
        if days == 0:
            self.stdout.write("RETENTION_DAYS is 0: everything is kept.")
            return
        deleted = delete_old_records(days=days)
        self.stdout.write(
            f"Deleted {deleted['audit_entries']} audit entries, {deleted['payments']} payments, "
            f"{deleted['purchase_intents']} purchase intents and {deleted['staff_notices']} sent staff notices "
            f"older than {days} days."
        )
