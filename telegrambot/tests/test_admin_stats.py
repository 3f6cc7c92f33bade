"""Statistics in the bot: shown to holders of view_statistics, refused and audited for anyone else."""

from asgiref.sync import sync_to_async
from django.core.cache import cache

from catalog.services import purchase_product
from telegrambot import callbacks
from telegrambot.tests.admin_tools import denials, make_admin
from telegrambot.tests.helpers import BotTestCase


class StatisticsScreenTests(BotTestCase):
    async def test_it_shows_the_numbers_to_an_analyst(self):
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        await make_admin(3001, "view_statistics")
        shop, analyst = await self.start_chat(3001)

        await analyst.press_data(callbacks.ADMIN_STATS.build())

        text = analyst.screen.text
        self.assertIn("📊 Statistics", text)
        self.assertIn("Users: 5 (new: 5 today", text)
        self.assertIn("Buyers: 1", text)
        self.assertIn("Sales: 1 today · 1 in 7 days · 1 in 30 days · 1 in all", text)
        self.assertIn("1. Game key — 1 sold, 9.99 RUB", text)
        self.assertIn("Balances outstanding: 40.01 RUB", text)
        self.assertIn("Units in stock: 1 · unlimited products: 1", text)
        self.assertEqual(analyst.screen.labels, ["🔄 Refresh", "⬅️ Back", "🏠 Menu"])
        await analyst.press("🔄 Refresh")
        self.assertEqual(analyst.alert, "The numbers are up to date; they are refreshed once a minute.")
        await sync_to_async(cache.clear)()
        await analyst.press("🔄 Refresh")
        self.assertIn("📊 Statistics", analyst.screen.text)

    async def test_it_refuses_a_customer_and_an_admin_without_the_permission(self):
        shop = await self.start_shop()
        await make_admin(3002, "broadcast")
        for telegram_id in (self.alice.telegram_id, 3002):
            user = await shop.user(telegram_id)
            await user.send("/start")
            before = user.screen.text

            await user.press_data(callbacks.ADMIN_STATS.build())

            self.assertEqual(user.alert, "You are not allowed to do that.")
            self.assertEqual(user.screen.text, before)
            self.assertEqual(await denials(telegram_id), ["get_statistics"])
