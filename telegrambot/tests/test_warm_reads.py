"""Warm browse screens are answered on the event loop, from Redis or the local-memory cache, and
follow what the web admin changes at the next update."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from accounts.roles import ADMIN_ROLE
from accounts.services import set_language
from monitoring.metrics import WARM_READS
from shopbot import warmcache
from shopbot.test import make_staff
from telegrambot import adapter
from telegrambot.services.maintenance import set_maintenance
from telegrambot.testing.driver import ChatUser
from telegrambot.tests.helpers import BotTestCase

CHANGELIST = reverse("admin:accounts_customer_changelist")
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "warm-reads"}}
BROWSE = ["shop", "cat:{games}:1", "prod:{key}:1"]


def loop_reads() -> float:
    return WARM_READS.labels(path="loop")._value.get()


@contextmanager
def counting_orm_trips() -> Iterator[list[object]]:
    """Every function the adapter runs on the ORM thread, in order."""
    trips: list[object] = []
    real = adapter._run

    def run(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append(func)
        return real(func, *args, **kwargs)

    with mock.patch("telegrambot.adapter._run", run):
        yield trips


class WarmBrowseTests(BotTestCase):
    async def browse(self, user: ChatUser) -> list[str]:
        screens = []
        for data in BROWSE:
            await user.press_data(data.format(games=self.games.pk, key=self.key.pk))
            screens.append(user.screen.text)
        return screens

    async def assert_browses_on_the_loop(self) -> None:
        shop, alice = await self.start_chat(self.alice.telegram_id)
        cold = await self.browse(alice)  # builds the pages and keeps the customer's row
        before = loop_reads()

        with counting_orm_trips() as trips:
            warm = await self.browse(alice)

        self.assertEqual(trips, [])  # neither the gate nor the screens went to the ORM thread
        self.assertEqual(warm, cold)
        self.assertIn("Game key", warm[2])
        self.assertGreaterEqual(loop_reads() - before, 2 * len(BROWSE))  # the gate and each screen

    async def test_it_browses_warm_screens_on_the_event_loop_with_redis(self) -> None:
        self.assertEqual(warmcache.backend(), "redis")
        await self.assert_browses_on_the_loop()

    async def test_it_browses_warm_screens_on_the_event_loop_with_the_local_memory_cache(self) -> None:
        with override_settings(CACHES=LOCMEM):
            self.assertEqual(warmcache.backend(), "locmem")
            try:
                await self.assert_browses_on_the_loop()
            finally:
                await sync_to_async(cache.clear)()


class WebAdminChangeTests(BotTestCase):
    """What the web admin changes reaches the next update that the cache would have answered."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)

    async def warm_chat(self) -> ChatUser:
        _shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press("🛍 Shop")
        await bob.press("🏠 Menu")  # the customer's row and the pages are in the cache now
        return bob

    async def admin_action(self, **data: object) -> None:
        await sync_to_async(self.client.force_login)(self.root)
        response = await sync_to_async(self.client.post)(CHANGELIST, {"index": "0", **data}, follow=True)
        self.assertEqual(response.status_code, 200)

    async def check_both_caches(self, check) -> None:  # type: ignore[no-untyped-def]
        with self.subTest(cache="redis"):
            await check()
        with override_settings(CACHES=LOCMEM), self.subTest(cache="locmem"):
            try:
                await check()
            finally:
                await sync_to_async(cache.clear)()

    async def test_it_turns_away_a_customer_blocked_in_the_web_admin_at_the_next_press(self) -> None:
        async def check() -> None:
            bob = await self.warm_chat()
            await self.admin_action(
                action="block", _selected_action=[self.bob.pk], apply="1", reason="Chargebacks"
            )
            await bob.press("🛍 Shop")
            self.assertIn("blocked", bob.alert or "")
            await self.admin_action(action="unblock", _selected_action=[self.bob.pk])

        await self.check_both_caches(check)

    async def test_it_shows_the_admin_button_once_the_web_admin_gives_a_role(self) -> None:
        async def check() -> None:
            bob = await self.warm_chat()
            self.assertNotIn("adm", bob.keyboard_data())
            role = await Group.objects.aget(name=ADMIN_ROLE)
            await self.admin_action(
                action="change_role", _selected_action=[self.bob.pk], apply="1", role=role.pk
            )
            await bob.press("🛍 Shop")
            await bob.press("🏠 Menu")
            self.assertIn("adm", bob.keyboard_data())
            await self.admin_action(action="change_role", _selected_action=[self.bob.pk], apply="1", role="")

        await self.check_both_caches(check)

    async def test_it_speaks_the_language_the_web_admin_sets_at_the_next_press(self) -> None:
        async def check() -> None:
            bob = await self.warm_chat()
            await sync_to_async(set_language)(telegram_id=self.bob.telegram_id, language="ru")
            await bob.press("🛍 Shop")  # the English screen the customer still looks at
            self.assertIn("Магазин", bob.screen.text)
            await sync_to_async(set_language)(telegram_id=self.bob.telegram_id, language="en")

        await self.check_both_caches(check)

    async def test_it_closes_the_shop_at_the_next_press_once_maintenance_is_switched_on(self) -> None:
        async def check() -> None:
            bob = await self.warm_chat()
            await sync_to_async(set_maintenance)(actor=self.root, enabled=True)
            await bob.press("🛍 Shop", strict=False)
            self.assertNotIn("Choose a category:", bob.screen.text)
            self.assertIn("maintenance", (bob.alert or bob.screen.text).lower())
            await sync_to_async(set_maintenance)(actor=self.root, enabled=False)

        await self.check_both_caches(check)
