"""Promo codes in the admin menu: step-by-step creation, list, card, on/off, delete, refusals."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from asgiref.sync import sync_to_async
from django.test import override_settings

from accounts.models import Customer
from catalog.models import PromoCode
from shopbot.test import make_promo
from telegrambot import callbacks
from telegrambot.handlers.admin_promos import VALUE
from telegrambot.services import dialog
from telegrambot.tests.admin_tools import audited, denials, make_admin, take_permissions
from telegrambot.tests.helpers import BotTestCase


@sync_to_async
def promos() -> list[PromoCode]:
    return list(PromoCode.objects.select_related("category", "product").order_by("code"))


class PromoCreationTests(BotTestCase):
    async def start_new_code(self, telegram_id=None):
        shop, adam = await self.start_chat(telegram_id or self.admin.telegram_id)
        await adam.press_data(callbacks.ADMIN_PROMOS.build())
        self.assertIn("No promo codes yet.", adam.screen.text)
        await adam.press("➕ New promo code")
        self.assertIn("step 1 of 6", adam.screen.text)
        return shop, adam

    @override_settings(TIME_ZONE="Europe/Moscow")
    async def test_it_creates_a_percent_code_for_a_category_refusing_each_bad_answer(self):
        shop, adam = await self.start_new_code()

        await adam.send("bad code!")
        self.assertIn("A code is 3 to 32 characters", adam.screen.text)
        await adam.send("summer10")
        await adam.press("% Percent off")
        await adam.send("150")
        self.assertIn("A percent discount is from 0.01 to 100.", adam.screen.text)
        await adam.send("15")
        await adam.send("many")
        self.assertIn("The number of uses must be a whole number from 1 to 1000000.", adam.screen.text)
        await adam.send("100")
        await adam.send("2020-01-01")
        self.assertIn("The expiry must be in the future.", adam.screen.text)
        await adam.send("2030-02-30")
        self.assertIn("There is no such date or time.", adam.screen.text)
        await adam.send("2030-12-31")
        await adam.press("📁 A category")
        await adam.press("Games")

        self.assertIn("✅ Saved.", adam.screen.text)
        self.assertIn("SUMMER10", adam.screen.text)
        self.assertIn("Gives: Percent off, 15%", adam.screen.text)
        self.assertIn("Applies to: category Games", adam.screen.text)
        self.assertIn("Used: 0 of 100", adam.screen.text)
        [promo] = await promos()
        self.assertEqual((promo.kind, promo.value, promo.max_uses), ("percent", Decimal("15.00"), 100))
        self.assertEqual(promo.category_id, self.games.pk)
        self.assertEqual(promo.expires_at, datetime(2030, 12, 31, 23, 59, tzinfo=ZoneInfo("Europe/Moscow")))
        self.assertEqual([entry.target for entry in await audited("save_promo")], ["SUMMER10"])
        self.assertIsNone(await sync_to_async(dialog.get_state)(telegram_id=self.admin.telegram_id))

    async def test_it_creates_a_balance_code_skipping_the_optional_steps(self):
        shop, adam = await self.start_new_code()

        await adam.send("GIFT50")
        await adam.press("💰 Balance credit")
        await adam.send("50")
        await adam.press("⏭ Skip")
        await adam.press("⏭ Skip")

        self.assertIn("Gives: Balance credit, 50.00 RUB", adam.screen.text)
        self.assertIn("Used: 0, no limit", adam.screen.text)
        self.assertIn("Expires: never", adam.screen.text)
        [promo] = await promos()
        self.assertEqual((promo.kind, promo.max_uses, promo.expires_at), ("balance", None, None))

    async def test_it_binds_a_fixed_code_to_a_product(self):
        shop, adam = await self.start_new_code()

        await adam.send("KEY2")
        await adam.send("typed instead of pressed")
        self.assertIn("step 2 of 6", adam.screen.text)
        await adam.press("➖ Fixed amount off")
        await adam.send("2.50")
        await adam.press("⏭ Skip")
        await adam.press("⏭ Skip")
        await adam.press("📦 A product")
        await adam.press("Games")
        await adam.press("Game key")

        [promo] = await promos()
        self.assertEqual(
            (promo.code, promo.kind, promo.value, promo.product), ("KEY2", "fixed", Decimal("2.50"), self.key)
        )

    async def test_it_refuses_a_code_already_in_use(self):
        await sync_to_async(make_promo)("TAKEN")
        shop, adam = await self.start_chat(self.admin.telegram_id)
        await adam.press_data(callbacks.ADMIN_PROMO_ADD.build())

        await adam.send("taken")

        self.assertIn("The name TAKEN is already used.", adam.screen.text)

    async def test_it_leaves_nothing_behind_when_cancelled(self):
        shop, adam = await self.start_new_code()
        await adam.send("HALFWAY")
        await adam.press("% Percent off")

        await adam.press("✖️ Cancel")
        await adam.send("10")

        self.assertEqual(await promos(), [])
        self.assertIn("I did not understand that", adam.screen.text)
        await adam.press_data(callbacks.ADMIN_PROMO_SKIP.build())
        self.assertEqual(adam.alert, "This step is no longer open. Start again from the promo codes.")


class PromoListTests(BotTestCase):
    async def test_it_pages_codes_with_their_usage_and_switches_and_deletes_one(self):
        for number in range(12):
            await sync_to_async(make_promo)(f"CODE{number:02}", max_uses=5)
        shop, adam = await self.start_chat(self.admin.telegram_id)

        await adam.press_data(callbacks.ADMIN_PROMOS.build())
        self.assertIn("CODE11 · 10% · 0 of 5", adam.screen.labels)
        await adam.press("▶️")
        await adam.press("CODE00")
        self.assertIn("Status: active", adam.screen.text)
        await adam.press("⏸ Deactivate")
        self.assertIn("Status: switched off", adam.screen.text)
        await adam.press("⬅️ Back")
        self.assertIn("CODE00 · 10% · 0 of 5 ⏸", adam.screen.labels)
        await adam.press("CODE00")
        await adam.press("▶️ Activate")
        await adam.press("🗑 Delete")
        self.assertIn("Delete the promo code CODE00?", adam.screen.text)
        await adam.press("🗑 Yes, delete it")

        self.assertEqual(adam.alert, "The promo code was deleted.")
        self.assertEqual(len(await promos()), 11)
        self.assertEqual([entry.action for entry in await audited("deactivate_promo")], ["deactivate_promo"])
        self.assertEqual(len(await audited("activate_promo")), 1)
        self.assertEqual([entry.target for entry in await audited("delete_promo")], ["CODE00"])


class PromoRefusalTests(BotTestCase):
    async def test_it_refuses_forged_presses_of_a_customer_and_an_admin_without_the_permission(self):
        promo = await sync_to_async(make_promo)("KEEP")
        await make_admin(3001, "view_statistics")
        shop = await self.start_shop()
        forged = [
            callbacks.ADMIN_PROMOS.build(),
            callbacks.ADMIN_PROMO.build(promo.pk, 1),
            callbacks.ADMIN_PROMO_ACTIVE.build(promo.pk, "off", 1),
            callbacks.ADMIN_PROMO_DELETE_YES.build(promo.pk),
            callbacks.ADMIN_PROMO_ADD.build(),
            callbacks.ADMIN_PROMO_KIND.build("percent"),
        ]
        for telegram_id in (self.alice.telegram_id, 3001):
            user = await shop.user(telegram_id)
            await user.send("/start")
            for data in forged:
                await user.press_data(data)
                self.assertEqual(user.alert, "You are not allowed to do that.", data)
            self.assertEqual(
                await denials(telegram_id),
                ["list_promos", "get_promo", "set_promo_active", "delete_promo", "check_step", "check_step"],
            )
        [kept] = await promos()
        self.assertIs(kept.is_active, True)

    async def test_it_refuses_a_balance_code_to_an_admin_who_may_not_change_balances(self):
        await make_admin(3003, "manage_promos")
        await sync_to_async(make_promo)("CASH", kind="balance", value="10000")
        shop, pat = await self.start_chat(3003)
        await pat.press_data(callbacks.ADMIN_PROMO_ADD.build())
        await pat.send("MINT")

        await pat.press("💰 Balance credit")

        self.assertEqual(
            pat.alert, "Balance codes create money: they need the permission to change balances."
        )
        self.assertIn("step 2 of 6", pat.screen.text)
        await pat.press_data(callbacks.PROFILE.build())
        await pat.press("🎟 Redeem a promo code")
        await pat.send("CASH")
        self.assertIn("they need the permission to change balances", pat.screen.text)
        self.assertEqual((await Customer.objects.aget(telegram_id=3003)).balance, Decimal("0"))
        self.assertEqual(
            [entry.target for entry in await audited("escalation_refused")],
            ["check_kind", "redeem_balance_promo"],
        )

    async def test_it_refuses_typed_answers_once_the_permission_is_gone(self):
        editor = await make_admin(3002, "manage_promos")
        shop, user = await self.start_chat(3002)
        await user.press_data(callbacks.ADMIN_PROMO_ADD.build())
        await user.send("LATE")
        await user.press("% Percent off")

        await take_permissions(editor)
        await user.send("10")

        self.assertIn("You are not allowed to do that.", user.screen.text)
        self.assertEqual(await denials(3002), ["check_value"])
        self.assertEqual(await promos(), [])

    async def test_it_refuses_a_customer_typing_into_a_forged_step(self):
        shop, alice = await self.start_chat()
        await sync_to_async(dialog.set_state)(
            telegram_id=self.alice.telegram_id, state=VALUE, data={"kind": "percent"}
        )

        await alice.send("10")

        self.assertIn("You are not allowed to do that.", alice.screen.text)
        self.assertEqual(await denials(self.alice.telegram_id), ["check_value"])
