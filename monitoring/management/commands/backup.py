from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.backups import BackupError, backup_database


class Command(BaseCommand):
    help = "Write a backup of the database (pg_dump or SQLite's backup API) and keep the newest N."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="Folder of backups (default: BACKUP_DIR).")
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="Backups to keep, newest first; 0 keeps all (default: BACKUP_KEEP).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["dir"] or settings.BACKUP_DIR
        keep = settings.BACKUP_KEEP if options["keep"] is None else options["keep"]
        if keep < 0:
            raise CommandError("--keep must be 0 or more")
        try:
            path = backup_database(directory=Path(directory), keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
