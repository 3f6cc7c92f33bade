"""``manage.py export_catalog [FILE]``: write the catalog as JSON that ``import_catalog`` reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.importing import dump_catalog


class Command(BaseCommand):
    help = "Export categories, products and unsold stock as JSON, to FILE or standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="where to write; standard output when left out")

    def handle(self, *args: Any, **options: Any) -> None:
        text = dump_catalog()
        if not options["file"]:
            self.stdout.write(text, ending="")
            return
        try:
            Path(options["file"]).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {options['file']}: {error.strerror}") from None
        self.stderr.write(f"Wrote the catalog to {options['file']}.")
