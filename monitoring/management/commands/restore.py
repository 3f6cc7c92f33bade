from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from monitoring.backups import BackupError, restore_database


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup`. Stop the bot and web first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A .dump (PostgreSQL) or .sqlite3 (SQLite) backup.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        if options["interactive"]:
            answer = input(
                f"This replaces every table of the database {connection.settings_dict['NAME']!s} "
                f"with {path}.\nType 'yes' to continue: "
            )
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore_database(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {path}")
