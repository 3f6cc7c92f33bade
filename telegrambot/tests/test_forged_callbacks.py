"""Forged callback data gets a polite refusal, shows nothing and changes nothing."""

import re

from asgiref.sync import sync_to_async

from accounts.models import Customer
from catalog.services import purchase_product
from payments.models import LedgerEntry
from telegrambot import callbacks
from telegrambot.models import DialogState
from telegrambot.tests.helpers import BotTestCase

HUGE = "9" * 18


class ForgedCallbackTests(BotTestCase):
    async def assert_refused(self, user, data: str) -> None:  # type: ignore[no-untyped-def]
        before = [(message.message_id, message.text, message.reply_markup) for message in user.messages]
        balance = (await Customer.objects.aget(telegram_id=user.id)).balance

        answer = await user.press_data(data)

        self.assertTrue(answer and answer["text"], f"{data!r} was answered without a word")
        after = [(message.message_id, message.text, message.reply_markup) for message in user.messages]
        self.assertEqual(after, before, f"{data!r} changed the chat")
        self.assertEqual((await Customer.objects.aget(telegram_id=user.id)).balance, balance)

    async def test_it_refuses_malformed_and_unknown_strings(self) -> None:
        shop, alice = await self.start_chat()
        # Malformed on purpose, so written by hand: Route.build refuses to make any of these.
        for data in [
            "",
            " ",
            "pur",
            "pur:",
            "pur:abc:1",
            "pur:1",
            "pur:-1:1",
            "ops:0",
            "ops:-1",
            "purs:1:1",
            "lang:xx",
            "menu ",
            "MENU",
            "💳",
            "<b>x</b>",
            "x" * 64,
            "\u200bmenu",
            "../../etc",
            "tus:-100",
            "tus:1e9",
            "tus:abc",
            "refl:0",
            "unknown:1",
            "adm:1",
        ]:
            await self.assert_refused(alice, data)

    async def test_it_refuses_huge_numbers(self) -> None:
        shop, alice = await self.start_chat()
        for data in [
            callbacks.PURCHASE.build(int(HUGE), 1),
            # The rest are too long for their fields: forged on purpose, written by hand.
            f"pur:{HUGE}9:1",
            "ops:999999",
            "purs:999999",
            "refl:999999",
            f"tus:{HUGE}",
        ]:
            await self.assert_refused(alice, data)

    async def test_it_refuses_another_customers_purchase_at_any_page(self) -> None:
        purchase = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk
        )
        shop, bob = await self.start_chat(self.bob.telegram_id)

        for page in (1, 2, 99999):
            await self.assert_refused(bob, callbacks.PURCHASE.build(purchase.pk, page))
        self.assertEqual(bob.alert, "This order was not found.")

    async def test_it_refuses_admin_routes_to_a_customer(self) -> None:
        shop, alice = await self.start_chat()
        admin_routes = [
            route
            for route in vars(callbacks).values()
            if isinstance(route, callbacks.Route) and route.prefix.startswith(callbacks.ADMIN_PANEL.prefix)
        ]
        self.assertIn(callbacks.ADMIN_PANEL, admin_routes)
        entries = await LedgerEntry.objects.acount()

        for route in admin_routes:
            values = [sample(field) for field in route.fields]
            await self.assert_refused(alice, ":".join([route.prefix, *values]))

        self.assertEqual(await LedgerEntry.objects.acount(), entries)
        self.assertFalse(await DialogState.objects.filter(telegram_id=alice.id).exclude(state="").aexists())

    async def test_it_refuses_forged_presses_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5601, language_code="ru")

        await ivan.press_data(callbacks.PURCHASE.build(1, 1))
        self.assertEqual(ivan.alert, "Заказ не найден.")
        await ivan.press_data("nonsense")  # forged on purpose
        self.assertEqual(ivan.alert, "Эта кнопка больше не действует. Откройте меню командой /start.")


def sample(field: callbacks.Field) -> str:
    """A value a forged button could carry for ``field``: an id of a row that belongs to someone else."""
    if field.regex.startswith("(?:"):
        return re.sub(r"\\(.)", r"\1", field.regex[3:-1].split("|")[0])
    for candidate in ("1", "100", "manage_users"):
        if re.fullmatch(field.regex, candidate):
            return candidate
    raise AssertionError(f"no sample for {field.regex}")
