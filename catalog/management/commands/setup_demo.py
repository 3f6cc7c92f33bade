"""``manage.py setup_demo``: make a fresh local shop usable; safe to run on every start."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from catalog.importing import load_demo_catalog

STAFF_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Load the demo catalog if the shop has no categories, and create a local staff login "
        "if there is no staff user (its password is printed once). Does nothing the second time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_demo_catalog()
        if report is None:
            self.stdout.write("The shop already has a catalog; the demo catalog was not loaded.")
        else:
            self.stdout.write("Loaded the demo catalog:")
            for line in report.lines():
                self.stdout.write(f"  {line}")
        self.create_staff_login()

    def create_staff_login(self) -> None:
        User = get_user_model()
        if User.objects.filter(is_staff=True).exists():
            self.stdout.write("A staff login exists; none was created.")
            return
        username = STAFF_USERNAME
        if User.objects.filter(username=username).exists():
            # A non-staff "admin" exists (say, made by hand): leave it alone.
            username = f"{STAFF_USERNAME}-{secrets.token_hex(2)}"
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created a staff login for http://127.0.0.1:8000/admin/ "
                f"(shown only this once):\n  username: {username}\n  password: {password}"
            )
        )
