"""Showing a screen: a press whose answer another worker already sent still gets its screen."""

from monitoring.metrics import TELEGRAM_API_ERRORS
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.tests.helpers import BotTestCase

APOLOGY = "Something went wrong on our side. Please try again later."


class AnsweredBeforeTelegram(FakeTelegram):
    """A Bot API whose presses were answered already, as by a webhook worker killed before its screen."""

    def open_callback_query(self) -> str:
        query_id = super().open_callback_query()
        self.callback_queries[query_id] = {"text": None, "show_alert": False}
        return query_id


def expired() -> float:
    return TELEGRAM_API_ERRORS.labels(kind="callback_query_expired")._value.get()


class AnsweredBeforeTests(BotTestCase):
    async def test_it_shows_the_screen_of_a_redelivered_press_telegram_refuses_to_answer_again(self) -> None:
        shop = await self.start_shop(AnsweredBeforeTelegram())
        alice = await shop.user(1001)
        await alice.send("/start")
        before = expired()

        await alice.press("🛍 Shop", strict=False)

        self.assertIn("Choose a category:", alice.screen.text)
        self.assertIn("📂 Games", alice.screen.labels)
        self.assertEqual(shop.errors, [])
        self.assertNotIn(APOLOGY, [message.text for message in alice.messages])
        refused = [call.method for call in shop.telegram.rejections]
        self.assertEqual(refused, ["answerCallbackQuery"])  # Telegram's refusal, and nothing else
        self.assertEqual(expired(), before + 1)


class EditTests(BotTestCase):
    async def test_a_press_edits_the_message_with_the_bots_defaults_and_its_buttons(self) -> None:
        shop, alice = await self.start_chat(1001)
        menu = alice.screen.message

        await alice.press("🛍 Shop")

        edit = shop.telegram.calls_to("editMessageText")[-1]
        self.assertTrue(edit.ok)
        self.assertEqual((edit.params["chat_id"], edit.params["message_id"]), (1001, menu.message_id))
        self.assertEqual(edit.params["parse_mode"], "HTML")
        self.assertEqual(edit.params["link_preview_options"], {"is_disabled": True})
        self.assertIn("📂 Games", alice.screen.labels)
        self.assertEqual(alice.screen.message.message_id, menu.message_id)  # edited in place, not sent anew
