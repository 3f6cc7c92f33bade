"""``manage.py export_catalog [FILE]``: write the catalog as JSON that ``import_catalog`` reads back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.importing import dump_catalog


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner may read: the export holds every unsold key."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file that existed keeps its old mode through O_CREAT
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


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
            write_private(Path(options["file"]), text)
        except OSError as error:
            raise CommandError(f"Cannot write {options['file']}: {error.strerror}") from None
        self.stderr.write(f"Wrote the catalog to {options['file']}.")
