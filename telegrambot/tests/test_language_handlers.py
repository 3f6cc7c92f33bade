"""Choosing the language, saved per customer."""

from accounts.models import Customer
from telegrambot.tests.helpers import BotTestCase


class LanguageTests(BotTestCase):
    async def test_it_switches_to_russian_and_back(self) -> None:
        shop, alice = await self.start_chat()

        await alice.press("🌐 Language")
        self.assertEqual(alice.screen.labels, ["English", "Русский", "🏠 Menu"])
        await alice.press("Русский")
        self.assertIn("Здравствуйте", alice.screen.text)
        self.assertEqual(alice.alert, "Язык сохранён.")
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).language, "ru")

        await alice.send("/profile")
        self.assertIn("Профиль", alice.screen.text)
        await alice.send("/language")
        await alice.press("English")
        self.assertIn("Hello", alice.screen.text)

    async def test_it_keeps_the_choice_over_telegrams_language(self) -> None:
        shop, alice = await self.start_chat(5501, language_code="ru")
        await alice.press("🌐 Язык")
        await alice.press("English")

        await alice.send("/start")

        self.assertIn("Hello", alice.screen.text)

    async def test_it_refuses_a_language_the_shop_does_not_speak(self) -> None:
        shop, alice = await self.start_chat()

        for data in ("lang:de", "lang:EN", "lang:en-US", "lang:" + "x" * 60):
            await alice.press_data(data)
            self.assertEqual(alice.alert, "This button is no longer valid. Open the menu with /start.")
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).language, "en")
