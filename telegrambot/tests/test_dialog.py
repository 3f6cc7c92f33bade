"""Prompt state: kept in the table, with a cache marker that only saves a query."""

from unittest import mock

import pytest
from django.utils.timezone import now

from shopbot.errors import InvalidInput
from shopbot.test import is_postgresql, race
from telegrambot.models import DialogState
from telegrambot.services import dialog
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

    def test_it_ends_the_prompt_with_the_write_it_asked_for(self) -> None:
        dialog.set_state(telegram_id=1001, state="admin_balance_reason")

        result = dialog.finish_with(lambda **kwargs: kwargs, answered_by=1001, amount="5")

        self.assertEqual(result, {"amount": "5"})
        self.assertIsNone(dialog.get_state(telegram_id=1001))

    def test_it_keeps_the_prompt_when_the_write_is_refused(self) -> None:
        dialog.set_state(telegram_id=1001, state="admin_balance_reason")

        def refuse() -> None:
            raise InvalidInput(reason="no")

        with self.assertRaises(InvalidInput):
            dialog.finish_with(refuse, answered_by=1001)

        self.assertEqual(dialog.get_state(telegram_id=1001).state, "admin_balance_reason")

    def test_it_asks_the_table_when_the_cache_fails(self) -> None:
        dialog.set_state(telegram_id=1001, state="top_up_amount")
        with mock.patch("telegrambot.services.dialog.cache.get", side_effect=ConnectionError("down")):
            self.assertEqual(dialog.get_state(telegram_id=1001).state, "top_up_amount")

    def test_it_survives_a_cache_restart(self) -> None:
        from django.core.cache import cache

        dialog.set_state(telegram_id=1001, state="top_up_amount")
        cache.clear()

        self.assertEqual(dialog.get_state(telegram_id=1001).state, "top_up_amount")


class TakeStateTests(BotTestCase):
    def test_it_takes_a_state_once(self) -> None:
        dialog.set_state(telegram_id=1001, state="product_draft", data={"product_id": 7, "promo_code": "X"})

        taken = dialog.take_state(telegram_id=1001, state="product_draft")

        self.assertEqual(taken, dialog.Dialog("product_draft", {"product_id": 7, "promo_code": "X"}))
        self.assertIsNone(dialog.take_state(telegram_id=1001, state="product_draft"))
        self.assertIsNone(dialog.get_state(telegram_id=1001))

    def test_it_leaves_another_state_alone(self) -> None:
        dialog.set_state(telegram_id=1001, state="top_up_amount", data={"x": 1})

        self.assertIsNone(dialog.take_state(telegram_id=1001, state="product_draft"))

        self.assertEqual(dialog.get_state(telegram_id=1001), dialog.Dialog("top_up_amount", {"x": 1}))

    def test_it_does_not_take_a_forgotten_state(self) -> None:
        dialog.set_state(telegram_id=1001, state="product_draft", data={"product_id": 7})
        DialogState.objects.filter(telegram_id=1001).update(updated=now() - dialog.STATE_LIFETIME * 2)

        self.assertIsNone(dialog.take_state(telegram_id=1001, state="product_draft"))

    def test_it_costs_one_query_and_none_once_the_user_has_no_state(self) -> None:
        dialog.set_state(telegram_id=1001, state="product_draft", data={"product_id": 7})
        with self.assertNumQueries(1):
            dialog.take_state(telegram_id=1001, state="product_draft")
        with self.assertNumQueries(0):
            self.assertIsNone(dialog.take_state(telegram_id=1001, state="product_draft"))


@pytest.mark.django_db(transaction=True)
def test_it_gives_a_state_to_one_of_ten_racing_takers() -> None:
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")
    dialog.set_state(telegram_id=4242, state="product_draft", data={"product_id": 1})

    results = race(10, lambda: dialog.take_state(telegram_id=4242, state="product_draft"))

    assert [result for result in results if result is not None] == [
        dialog.Dialog("product_draft", {"product_id": 1})
    ]
