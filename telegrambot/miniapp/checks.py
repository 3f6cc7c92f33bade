"""``manage.py check --deploy``: say when Telegram could not open the Mini App (it needs HTTPS)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_miniapp_https(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.MINIAPP_URL.startswith("https://"):
        return []
    return [
        checks.Warning(
            f"MINIAPP_URL ({settings.MINIAPP_URL}) is not HTTPS: Telegram opens Mini Apps over HTTPS only, "
            "so the bot offers the chat shop alone.",
            hint="Serve the web process over HTTPS and set SITE_URL (or MINIAPP_URL) to its https:// address.",
            id="shopbot.W001",
        )
    ]
