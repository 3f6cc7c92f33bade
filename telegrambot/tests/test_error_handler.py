"""The single error handler: refusals are answered, bugs are logged, counted and apologised for."""

from unittest import mock

from monitoring.metrics import HANDLER_ERRORS, REFUSALS
from telegrambot.tests.helpers import BotTestCase

APOLOGY = "Something went wrong on our side. Please try again later."


def count(metric, label: str) -> float:  # type: ignore[no-untyped-def]
    return metric.labels(label)._value.get()


class ErrorHandlerTests(BotTestCase):
    async def test_it_apologises_in_an_alert_for_a_broken_button(self) -> None:
        shop, alice = await self.start_chat()
        errors = count(HANDLER_ERRORS, "RuntimeError")

        with (
            mock.patch("payments.selectors.get_ledger_totals", side_effect=RuntimeError("boom")),
            self.assertLogs("telegrambot.handlers.errors", "ERROR") as logs,
        ):
            await alice.press("👤 Profile", strict=False)

        self.assertEqual(alice.alert, APOLOGY)
        self.assertEqual(count(HANDLER_ERRORS, "RuntimeError"), errors + 1)
        self.assertIn('"data": "prof"', logs.output[0])
        self.assertEqual(len(shop.telegram.calls_to("answerCallbackQuery")), 1)

    async def test_it_apologises_in_a_reply_for_a_broken_command(self) -> None:
        shop, alice = await self.start_chat()

        with (
            mock.patch("payments.selectors.get_ledger_totals", side_effect=RuntimeError("boom")),
            self.assertLogs("telegrambot.handlers.errors", "ERROR"),
        ):
            await alice.send("/profile", strict=False)

        self.assertEqual(alice.screen.text, "⚠️ " + APOLOGY)

    async def test_it_stops_the_update_when_the_gate_fails(self) -> None:
        shop = await self.start_shop()
        alice = await shop.user(self.alice.telegram_id)

        with (
            mock.patch("telegrambot.admission.register_customer", side_effect=RuntimeError("database down")),
            self.assertLogs("telegrambot.handlers.errors", "ERROR") as logs,
        ):
            await alice.send("/start", strict=False)

        self.assertEqual(len(logs.output), 1)
        self.assertEqual(len(shop.errors), 1)
        self.assertEqual([message.text for message in alice.messages], ["⚠️ " + APOLOGY])

    async def test_it_apologises_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5801, language_code="ru")

        with (
            mock.patch("payments.selectors.get_ledger_totals", side_effect=RuntimeError("boom")),
            self.assertLogs("telegrambot.handlers.errors", "ERROR"),
        ):
            await ivan.press("👤 Профиль", strict=False)

        self.assertEqual(ivan.alert, "У нас что-то пошло не так. Попробуйте ещё раз позже.")

    async def test_it_counts_refusals_and_shows_them_escaped(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press("💳 Top up")
        refusals = count(REFUSALS, "InvalidAmount")

        await alice.send("<b>many</b>")

        self.assertEqual(count(REFUSALS, "InvalidAmount"), refusals + 1)
        self.assertTrue(alice.screen.text.startswith("⚠️ Enter an amount as a number"))
