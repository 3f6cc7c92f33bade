"""Where the chat opens the Mini App: the menu button runbot sets and the main menu's button, HTTPS only."""

from __future__ import annotations

from django.test import override_settings

from telegrambot.tests.helpers import BotTestCase

APP_URL = "https://shop.example.com/app/"


class LaunchTests(BotTestCase):
    @override_settings(MINIAPP_URL=APP_URL)
    async def test_it_sets_the_menu_button_and_offers_the_shop_on_the_main_menu(self):
        shop, alice = await self.start_chat(self.alice.telegram_id)

        self.assertEqual(
            shop.telegram.menu_buttons[None],
            {"type": "web_app", "text": "Shop", "web_app": {"url": APP_URL}},
        )
        [opener] = [button for row in alice.screen.message.buttons for button in row if "web_app" in button]
        self.assertEqual((opener["text"], opener["web_app"]), ("🛍 Open the shop", {"url": APP_URL}))

    @override_settings(MINIAPP_URL="http://127.0.0.1:8000/app/")
    async def test_it_keeps_the_chat_shop_alone_without_https(self):
        shop, alice = await self.start_chat(self.alice.telegram_id)

        self.assertEqual(shop.telegram.menu_buttons[None], {"type": "default"})
        self.assertFalse(
            [button for row in alice.screen.message.buttons for button in row if "web_app" in button]
        )
        self.assertIn("🛍 Shop", alice.screen.labels)

    @override_settings(MINIAPP_URL=APP_URL)
    async def test_it_starts_even_when_telegram_refuses_the_menu_button(self):
        from telegrambot.simulator.fake_telegram import FakeTelegram

        telegram = FakeTelegram()
        telegram.fail_next("setChatMenuButton")
        shop = await self.start_shop(telegram)
        alice = await shop.user(self.alice.telegram_id)

        await alice.send("/start")

        self.assertIn("Choose a section", alice.screen.text)


class DeployCheckTests(BotTestCase):
    def test_it_warns_when_the_mini_app_is_not_on_https(self):
        from io import StringIO

        from django.core.management import call_command

        with override_settings(MINIAPP_URL="http://shop.example.com/app/"):
            from telegrambot.miniapp.checks import check_miniapp_https

            [warning] = check_miniapp_https()
        with override_settings(MINIAPP_URL=APP_URL):
            self.assertEqual(check_miniapp_https(), [])

        self.assertEqual(warning.id, "shopbot.W001")
        self.assertIn("HTTPS", warning.msg)
        output = StringIO()
        with override_settings(MINIAPP_URL="http://shop.example.com/app/"):
            call_command("check", "--deploy", "--fail-level", "ERROR", stdout=output, stderr=output)
        self.assertIn("shopbot.W001", output.getvalue())
