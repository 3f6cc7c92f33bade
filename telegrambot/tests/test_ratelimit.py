"""Per-user rate limits: the global limit and its ban, one notice, admins, per-action limits, shared counters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

from django.conf import settings
from django.test import override_settings
from django.utils import translation

from catalog.models import Purchase
from monitoring.metrics import RATE_LIMITED
from telegrambot import callbacks
from telegrambot.testing.driver import ChatUser, Shop
from telegrambot.tests.helpers import BotTestCase, change_customer
from telegrambot.texts import operations as texts

START = 1_900_000_000.0  # a fixed "now"; windows and bans move only when a test moves it


class Clock:
    """The time seen by django-ratelimit's windows and by the bans."""

    def __init__(self) -> None:
        self.now = START

    def time(self) -> float:
        return self.now


@contextmanager
def limits(**rates: Any) -> Iterator[Clock]:
    clock = Clock()
    rates = {"RATE_LIMITS": True, "RATE_LIMIT_GLOBAL": "", "RATE_LIMIT_BAN_SECONDS": 300, **rates}
    with (
        override_settings(**rates),
        mock.patch("django_ratelimit.core.time", clock),
        mock.patch("telegrambot.ratelimit.clock", clock.time),
    ):
        yield clock


def refused(scope: str) -> float:
    return RATE_LIMITED.labels(scope=scope)._value.get()


class GlobalLimitTests(BotTestCase):
    async def test_it_bans_a_flooding_user_tells_them_once_and_lets_them_back_later(self) -> None:
        _shop, alice = await self.start_chat()
        before = refused("global")
        with limits(RATE_LIMIT_GLOBAL="3/60s") as clock:
            for _ in range(3):
                await alice.send("/start")
            answered = len(alice.messages)

            await alice.send("/start")
            self.assertIn("too many requests", alice.screen.text)
            self.assertIn("5 minutes", alice.screen.text)

            await alice.send("/start")
            await alice.send("hello")
            await alice.press_data(callbacks.MENU.build())
            self.assertEqual(len(alice.messages), answered + 1)  # the one notice, nothing else
            self.assertEqual(alice.alert, None)  # the press was answered silently
            self.assertEqual(refused("global") - before, 4)

            clock.now += 299
            await alice.send("/start")
            self.assertEqual(len(alice.messages), answered + 1)

            clock.now += 2
            await alice.send("/start")
            self.assertIn("Hello", alice.screen.text)

    async def test_it_counts_only_the_first_window_of_a_short_ban(self) -> None:
        _shop, alice = await self.start_chat()
        with limits(RATE_LIMIT_GLOBAL="2/60s", RATE_LIMIT_BAN_SECONDS=0) as clock:
            await alice.send("/start")
            await alice.send("/start")
            await alice.send("/start")
            self.assertIn("1 minute", alice.screen.text)

            clock.now += 61
            await alice.send("/start")
            self.assertIn("Hello", alice.screen.text)

    async def test_it_keeps_the_ban_over_a_restart(self) -> None:
        shop, alice = await self.start_chat()
        with limits(RATE_LIMIT_GLOBAL="1/60s"):
            await alice.send("/start")
            await alice.send("/start")
            answered = len(alice.messages)

            await shop.restart()
            await alice.send("/start")

            self.assertEqual(len(alice.messages), answered)

    async def test_it_lets_the_owner_and_admins_through(self) -> None:
        shop = await self.start_shop()
        owner = await shop.user(self.owner.telegram_id, first_name="Olga")
        admin = await shop.user(self.admin.telegram_id, first_name="Adam")
        with limits(RATE_LIMIT_GLOBAL="2/60s"):
            for _ in range(5):
                await owner.send("/start")
                await admin.send("/start")

        self.assertEqual(len(owner.messages), 5)
        self.assertEqual(len(admin.messages), 5)

    async def test_it_tells_the_user_in_their_language(self) -> None:
        # The language Bob chose in the shop, not his Telegram app's, which says English.
        await change_customer(self.bob.pk, language="ru")
        shop = await self.start_shop()
        bob = await shop.user(self.bob.telegram_id, language_code="en", first_name="Bob")
        with limits(RATE_LIMIT_GLOBAL="1/60s"):
            await bob.send("/start")
            await bob.send("/start")

        with translation.override("ru"):
            self.assertEqual(bob.screen.text, texts.too_many_updates(300))

    async def test_it_never_limits_payments(self) -> None:
        _shop, alice = await self.start_chat()
        with limits(RATE_LIMIT_GLOBAL="1/60s"):
            await alice.send("/start")
            answer = await alice.pre_checkout(payload="unknown", currency="XTR", total_amount=10)

        self.assertIsNotNone(answer)


class ActionLimitTests(BotTestCase):
    async def buy(self, user: ChatUser) -> None:
        await user.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await user.press("💰 Buy")
        await user.press("✅ Pay")

    async def test_it_limits_purchases_with_one_notice(self) -> None:
        _shop, alice = await self.start_chat()
        before = refused("purchase")
        with limits(RATE_LIMIT_PURCHASE="1/m"):
            await self.buy(alice)
            self.assertIn("AAA-111", alice.screen.text)

            await self.buy(alice)
            self.assertIn("Too many purchases", alice.alert or "")

            await alice.press("✅ Pay")
            self.assertIsNone(alice.alert)

        self.assertEqual(await Purchase.objects.acount(), 1)
        self.assertEqual(refused("purchase") - before, 2)

    async def test_it_limits_promo_code_attempts(self) -> None:
        _shop, alice = await self.start_chat()
        with limits(RATE_LIMIT_PROMO="2/10m"):
            await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
            await alice.press("🎟 Apply promo code")
            for code in ("WRONG1", "WRONG2"):
                await alice.send(code)
                self.assertNotIn("Too many", alice.screen.text)

            await alice.send("WRONG3")
            self.assertIn("Too many promo code attempts", alice.screen.text)

    async def test_it_lets_admins_buy_without_limit(self) -> None:
        _shop, owner = await self.start_chat(self.owner.telegram_id, first_name="Olga")
        await self.run_in_db(self.owner, balance="100.00")
        with limits(RATE_LIMIT_PURCHASE="1/m"):
            await self.buy(owner)
            await self.buy(owner)

        self.assertEqual(await Purchase.objects.acount(), 2)

    async def run_in_db(self, customer: Any, *, balance: str) -> None:
        customer.balance = Decimal(balance)
        await customer.asave(update_fields=["balance"])


class SharedCounterTests(BotTestCase):
    async def test_it_counts_one_window_across_two_workers(self) -> None:
        """Two Applications over one cache (Redis in CI) are two workers of one shop."""
        if "REDIS_URL" in __import__("os").environ:
            self.assertEqual(settings.CACHES["default"]["BACKEND"], "django_redis.cache.RedisCache")
        first, second = Shop(), Shop()
        second.telegram = first.telegram
        await first.start()
        await second.start()
        alice_here, alice_there = (
            await first.user(self.alice.telegram_id),
            await second.user(self.alice.telegram_id),
        )
        with limits(RATE_LIMIT_GLOBAL="3/60s"):
            await alice_here.send("/start")
            await alice_there.send("/start")
            await alice_here.send("/start")
            answered = len(alice_here.messages)

            await alice_there.send("/start")
            await alice_here.send("/start")

        self.assertEqual(len(alice_here.messages), answered + 1)
        self.assertIn("too many requests", alice_here.screen.text)
        await first.stop()
        await second.stop()
