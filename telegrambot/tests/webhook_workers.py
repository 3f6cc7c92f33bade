"""What the tests of several ``runbot --webhook`` workers share: the fake Bot API and the workers' settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.workers import bot_env

SECRET = "two-workers-secret-0123456789"


class WebhookTelegram(FakeTelegram):
    """The fake Bot API, which also remembers the webhook the workers set."""

    def __init__(self) -> None:
        super().__init__()
        self.webhooks: list[dict[str, Any]] = []

    def api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhooks.append(params)
        return True


def database_url() -> str:
    """The URL of the test database, which the workers share with the test."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_env(api_url: str, **overrides: str) -> dict[str, str]:
    overrides = {"CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""), **overrides}
    return bot_env(
        DATABASE_URL=database_url(),
        TELEGRAM_API_URL=api_url,
        WEBHOOK_URL="https://shop.example.com/telegram/webhook/",
        WEBHOOK_SECRET=SECRET,
        JOB_LOCK_SECONDS="3",
        # A call the fake holds on purpose (a worker killed mid-call) must still be in flight when
        # the kill comes, however long a loaded machine takes to start the next worker.
        TELEGRAM_READ_TIMEOUT="120",
        **overrides,
    )
