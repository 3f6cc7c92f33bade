"""The top-up entry point: the amount prompt and the payment methods."""

from decimal import Decimal

from django.test import override_settings

from telegrambot import callbacks
from telegrambot.models import DialogState
from telegrambot.tests.helpers import BotTestCase

ALL_METHODS = {
    "STARS_PER_VALUE": Decimal("0.5"),
    "TELEGRAM_PROVIDER_TOKEN": "provider",
    "CRYPTO_PAY_TOKEN": "crypto",
}


class TopUpTests(BotTestCase):
    @override_settings(**ALL_METHODS)
    async def test_it_asks_an_amount_and_offers_each_method_in_its_unit(self) -> None:
        shop, alice = await self.start_chat()

        await alice.press("💳 Top up")
        self.assertIn("from 1.00 RUB to 10000.00 RUB", alice.screen.text)
        await alice.send("150.55")

        self.assertIn("Top up by 150.55 RUB", alice.screen.text)
        self.assertEqual(
            alice.screen.labels,
            [
                "⭐ Telegram Stars · 76 ⭐",
                "💳 Card · 150.55 RUB",
                "🪙 Crypto (CryptoPay) · 150.55 RUB",
                "🏠 Menu",
            ],
        )
        data = [button["callback_data"] for row in alice.screen.message.buttons for button in row]
        self.assertEqual(
            data[:3],
            [
                callbacks.TOP_UP_STARS.build(Decimal("150.55")),
                callbacks.TOP_UP_CARD.build(Decimal("150.55")),
                callbacks.TOP_UP_CRYPTO.build(Decimal("150.55")),
            ],
        )
        self.assertFalse(await DialogState.objects.filter(telegram_id=alice.id).aexists())

    @override_settings(STARS_PER_VALUE=Decimal("2"))
    async def test_it_offers_only_the_configured_methods(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press("💳 Top up")

        await alice.send("10")

        self.assertEqual(alice.screen.labels, ["⭐ Telegram Stars · 20 ⭐", "🏠 Menu"])

    async def test_it_says_when_no_method_is_configured(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press("💳 Top up")

        await alice.send("10")

        self.assertIn("No payment method is configured yet.", alice.screen.text)

    @override_settings(**ALL_METHODS)
    async def test_it_answers_each_method_button(self) -> None:
        shop, alice = await self.start_chat()
        for label in ("⭐ Telegram Stars", "💳 Card", "🪙 Crypto"):
            await alice.press_data(callbacks.TOP_UP.build())
            await alice.send("10")

            await alice.press(label)  # strict driver: fails unless the payments handlers answer

    async def test_it_refuses_hostile_amounts_and_keeps_asking(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press("💳 Top up")
        answers = {
            "0.5": "Enter an amount from 1.00 RUB to 10000.00 RUB.",
            "10000.01": "Enter an amount from 1.00 RUB to 10000.00 RUB.",
            "-5": "Enter an amount as a number",
            "1e9": "Enter an amount as a number",
            "ten": "Enter an amount as a number",
            "10.555": "Enter an amount as a number",
            "NaN": "Enter an amount as a number",
            "9" * 5000: "Enter an amount as a number",
            "<b>10</b> & more": "Enter an amount as a number",
            "1\u200b0": "Enter an amount as a number",
            "💰": "Enter an amount as a number",
        }
        for text, expected in answers.items():
            await alice.send(text)
            self.assertIn(expected, alice.screen.text, text)
        await alice.send("10,50")

        self.assertIn("Top up by 10.50 RUB", alice.screen.text)

    async def test_it_lets_the_user_cancel_the_prompt(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press("💳 Top up")

        await alice.press("✖️ Cancel")
        await alice.send("150")

        self.assertIn("I did not understand that", alice.screen.text)

    async def test_it_takes_the_answer_after_a_restart(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press("💳 Top up")

        await shop.restart()
        await alice.send("150")

        self.assertIn("Top up by 150.00 RUB", alice.screen.text)

    async def test_it_works_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5401, language_code="ru")
        await ivan.press("💳 Пополнить")
        self.assertIn("Отправьте сумму", ivan.screen.text)

        await ivan.send("abc")

        self.assertIn("Введите сумму числом", ivan.screen.text)
