"""Prompt state: kept in the table, with a cache marker that only saves a query."""

from unittest import mock

from telegrambot import dialog
from telegrambot.models import DialogState
from telegrambot.tests.helpers import BotTestCase


class DialogStateTests(BotTestCase):
    def test_it_remembers_that_a_user_has_no_prompt(self) -> None:
        self.assertIsNone(dialog.get_state(telegram_id=1001))

        with self.assertNumQueries(0):
            self.assertIsNone(dialog.get_state(telegram_id=1001))
            dialog.clear_state(telegram_id=1001)

    def test_it_finds_a_prompt_set_after_the_marker(self) -> None:
        dialog.clear_state(telegram_id=1001)

        dialog.set_state(telegram_id=1001, state="top_up_amount", data={"x": 1})

        self.assertEqual(dialog.get_state(telegram_id=1001), dialog.Dialog("top_up_amount", {"x": 1}))

    def test_it_forgets_a_cleared_prompt(self) -> None:
        dialog.set_state(telegram_id=1001, state="top_up_amount")

        dialog.clear_state(telegram_id=1001)

        self.assertIsNone(dialog.get_state(telegram_id=1001))
        self.assertFalse(DialogState.objects.filter(telegram_id=1001).exists())

    def test_it_asks_the_table_when_the_cache_fails(self) -> None:
        dialog.set_state(telegram_id=1001, state="top_up_amount")
        with mock.patch("telegrambot.dialog.cache.get", side_effect=ConnectionError("down")):
            self.assertEqual(dialog.get_state(telegram_id=1001).state, "top_up_amount")

    def test_it_survives_a_cache_restart(self) -> None:
        from django.core.cache import cache

        dialog.set_state(telegram_id=1001, state="top_up_amount")
        cache.clear()

        self.assertEqual(dialog.get_state(telegram_id=1001).state, "top_up_amount")
