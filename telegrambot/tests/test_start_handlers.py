"""/start, the main menu, /help, /terms, /paysupport, rules and support."""

from decimal import Decimal

from django.test import override_settings

from accounts.models import Customer
from telegrambot.tests.helpers import BotTestCase


class StartTests(BotTestCase):
    async def test_it_registers_a_new_user_and_shows_the_menu(self) -> None:
        shop, user = await self.start_chat(5001, first_name="Eve <script>")

        customer = await Customer.objects.aget(telegram_id=5001)
        self.assertEqual(customer.language, "en")
        self.assertIn("Hello, Eve <script>!", user.screen.text)
        self.assertIn("Eve &lt;script&gt;", user.screen.html)
        self.assertEqual(
            user.screen.labels,
            ["🛍 Shop", "🛒 Cart", "👤 Profile", "💳 Top up", "👥 Referrals", "🌐 Language"],
        )

    async def test_it_speaks_russian_to_a_russian_telegram(self) -> None:
        shop, user = await self.start_chat(5002, language_code="ru")

        self.assertEqual((await Customer.objects.aget(telegram_id=5002)).language, "ru")
        self.assertIn("Здравствуйте", user.screen.text)
        self.assertIn("🛍 Магазин", user.screen.labels)

    async def test_it_takes_the_referrer_from_a_referral_code(self) -> None:
        shop = await self.start_shop()
        user = await shop.user(5003)

        await user.send(f"/start ref_{self.alice.referral_code}")

        self.assertEqual((await Customer.objects.aget(telegram_id=5003)).referrer_id, self.alice.pk)
        self.assertIn("Hello", user.screen.text)

    async def test_it_takes_the_referrer_from_the_seeds_numeric_payload(self) -> None:
        shop = await self.start_shop()
        user = await shop.user(5004)

        await user.send(f"/start {self.bob.telegram_id}")

        self.assertEqual((await Customer.objects.aget(telegram_id=5004)).referrer_id, self.bob.pk)

    async def test_it_registers_whatever_garbage_the_payload_holds(self) -> None:
        shop = await self.start_shop()
        for number, payload in enumerate(
            ["ref_nobody", "99999", "<b>&amp;", "x" * 5000, "ref_" + "\u200b" * 10, "-1"]
        ):
            user = await shop.user(5005 + number)
            await user.send(f"/start {payload}")
            customer = await Customer.objects.aget(telegram_id=5005 + number)
            self.assertIsNone(customer.referrer_id, payload)
            self.assertIn("Hello", user.screen.text)

    async def test_it_ignores_a_self_referral(self) -> None:
        shop = await self.start_shop()
        user = await shop.user(5019)
        await user.send("/start")

        customer = await Customer.objects.aget(telegram_id=5019)
        await user.send(f"/start ref_{customer.referral_code}")

        self.assertIsNone((await Customer.objects.aget(telegram_id=5019)).referrer_id)

    async def test_it_ignores_a_start_in_a_group(self) -> None:
        shop = await self.start_shop()
        user = await shop.user(5020)

        await user.send_in_group("/start")

        self.assertFalse(await Customer.objects.filter(telegram_id=5020).aexists())
        self.assertEqual(shop.telegram.calls_to("sendMessage"), [])

    async def test_it_keeps_the_first_referrer_on_a_second_start(self) -> None:
        shop = await self.start_shop()
        user = await shop.user(5021)
        await user.send(f"/start ref_{self.alice.referral_code}")

        await user.send(f"/start ref_{self.bob.referral_code}")

        self.assertEqual((await Customer.objects.aget(telegram_id=5021)).referrer_id, self.alice.pk)


class MenuTests(BotTestCase):
    @override_settings(
        RULES="No refunds after 24 hours <really>.",
        HELPER_ID="shop_helper",
        CHANNEL_URL="https://t.me/shop_news",
    )
    async def test_it_shows_rules_support_and_news_when_configured(self) -> None:
        shop, alice = await self.start_chat()

        self.assertIn("📢 News channel", alice.screen.labels)
        await alice.press("📜 Rules")
        self.assertIn("No refunds after 24 hours <really>.", alice.screen.text)
        await alice.press("🏠 Menu")
        await alice.press("💬 Support")
        self.assertIn("@shop_helper", alice.screen.text)

    @override_settings(REFERRAL_PERCENT=Decimal("0"), HELPER_ID="", RULES="")
    async def test_it_hides_what_is_not_configured(self) -> None:
        shop, alice = await self.start_chat()

        self.assertEqual(alice.screen.labels, ["🛍 Shop", "🛒 Cart", "👤 Profile", "💳 Top up", "🌐 Language"])

    @override_settings(RULES="https://example.com/rules", HELPER_ID="123456")
    async def test_it_links_rules_given_as_a_url_and_mentions_a_numeric_helper(self) -> None:
        shop, alice = await self.start_chat()
        rules = [
            button for row in alice.screen.message.buttons for button in row if button["text"] == "📜 Rules"
        ]

        self.assertEqual(rules[0]["url"], "https://example.com/rules")
        await alice.press("💬 Support")
        self.assertIn('href="tg://user?id=123456"', alice.screen.html)

    async def test_it_shows_the_admin_panel_only_to_admins(self) -> None:
        shop, alice = await self.start_chat()
        admin = await shop.user(self.admin.telegram_id)
        await admin.send("/start")

        self.assertNotIn("🛠 Admin panel", alice.screen.labels)
        self.assertIn("🛠 Admin panel", admin.screen.labels)
        await admin.press("🛠 Admin panel")
        self.assertIn("Admin", admin.screen.text)

    async def test_it_counts_the_cart_on_the_menu(self) -> None:
        from asgiref.sync import sync_to_async

        from catalog.services import add_to_cart

        await sync_to_async(add_to_cart)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2
        )
        shop, alice = await self.start_chat()

        self.assertIn("🛒 Cart (2)", alice.screen.labels)

    async def test_it_answers_help_terms_and_paysupport_in_both_languages(self) -> None:
        shop, alice = await self.start_chat()
        ivan = await shop.user(5030, language_code="ru")
        expected = {
            "/help": ("How the shop works", "Как работает магазин"),
            "/terms": ("Terms of service", "Условия использования"),
            "/paysupport": ("Payment support", "Помощь с оплатой"),
        }
        for command, (english, russian) in expected.items():
            await alice.send(command)
            self.assertIn(english, alice.screen.text)
            await ivan.send(command)
            self.assertIn(russian, ivan.screen.text)

    async def test_it_answers_text_stickers_and_unknown_commands_with_a_way_back(self) -> None:
        shop, alice = await self.start_chat()

        for action in (alice.send("hello <b>&"), alice.send_sticker(), alice.send("/nonsense")):
            await action
            self.assertIn("I did not understand that", alice.screen.text)
            self.assertEqual(alice.screen.labels, ["🏠 Menu"])

    async def test_it_leaves_a_prompt_on_start(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press("💳 Top up")

        await alice.send("/start")
        await alice.send("150")

        self.assertIn("I did not understand that", alice.screen.text)


class CommandListTests(BotTestCase):
    async def test_it_publishes_the_commands_in_both_languages(self) -> None:
        shop = await self.start_shop()

        names = ["start", "shop", "profile", "help", "language", "terms", "paysupport", "mydata"]
        for language in (None, "en", "ru"):
            self.assertEqual([command["command"] for command in shop.telegram.commands[language]], names)
        self.assertEqual(shop.telegram.commands["en"][0]["description"], "Open the main menu")
        self.assertEqual(shop.telegram.commands["ru"][0]["description"], "Открыть главное меню")
