"""The base class of bot tests: the shared cast and the real bot over the fake Bot API.

Bot tests are ``async def test_it_*`` methods on a Django ``TestCase``: Django
runs them under ``async_to_sync``, so the adapter's ``sync_to_async`` calls
run on the test's thread and see the test's transaction, on SQLite and on
PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Customer
from shopbot.test import ShopTestCase
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.driver import ChatUser, Shop


class BotTestCase(ShopTestCase):
    """A ShopTestCase with helpers to start the bot and talk to it."""

    async def start_shop(self, telegram: FakeTelegram | None = None) -> Shop:
        shop = Shop(telegram)
        await shop.start()
        return shop

    async def start_chat(
        self, telegram_id: int = 1001, *, language_code: str = "en", **user: object
    ) -> tuple[Shop, ChatUser]:
        """Start the bot and a user who has sent /start (Alice, unless told otherwise)."""
        shop = await self.start_shop()
        chat_user = await shop.user(telegram_id, language_code=language_code, **user)  # type: ignore[arg-type]
        await chat_user.send("/start")
        return shop, chat_user


async def change_customer(customer_id: int, **fields: Any) -> None:
    """Change a customer's row as the web admin or a service does (a save, which the gate's cache follows)."""
    customer = await Customer.objects.aget(pk=customer_id)
    for name, value in fields.items():
        setattr(customer, name, value)
    await customer.asave(update_fields=list(fields))
