"""``manage.py import_catalog FILE [--dry-run]``: add and update the catalog from a JSON file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.importing import import_catalog
from shopbot.errors import ShopError


class Command(BaseCommand):
    help = (
        "Import categories, products and stock from a JSON file (see catalog/importing.py for the format). "
        "Idempotent; a bad file is refused before anything is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the JSON file, or - to read standard input")
        parser.add_argument("--dry-run", action="store_true", help="check and report without writing")

    def handle(self, *args: Any, **options: Any) -> None:
        text = read_input(options["file"])
        try:
            report = import_catalog(text=text, dry_run=options["dry_run"])
        except ShopError as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)


def read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {name}: {error.strerror}") from None
