"""Maintenance mode: the switch, customers turned away, admins and payments let through."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import override_settings

from payments.models import Payment
from telegrambot import callbacks
from telegrambot.services.maintenance import is_maintenance_on
from telegrambot.tests.admin_tools import audited, denials, make_admin
from telegrambot.tests.helpers import BotTestCase

NOTICE = "The shop is closed for maintenance"


class MaintenanceTests(BotTestCase):
    async def switch_on(self, shop):
        adam = await shop.user(self.admin.telegram_id, first_name="Adam")
        await adam.send("/start")
        await adam.press_data(callbacks.ADMIN_MAINTENANCE.build())
        self.assertIn("Maintenance mode is off", adam.screen.text)
        await adam.press("🛠 Turn maintenance on")
        self.assertIn("Maintenance mode is ON", adam.screen.text)
        return adam

    async def test_it_turns_customers_away_while_admins_keep_working(self):
        shop, alice = await self.start_chat()
        adam = await self.switch_on(shop)

        await alice.send("/start")
        self.assertIn(NOTICE, alice.screen.text)
        await alice.press_data(callbacks.PROFILE.build())
        self.assertIn(NOTICE, alice.alert)
        await alice.send("hello")
        self.assertIn(NOTICE, alice.screen.text)

        await adam.send("/start")
        self.assertIn("🛠 Admin panel", adam.screen.labels)
        await adam.press_data(callbacks.ADMIN_MAINTENANCE.build())
        await adam.press("✅ Open the shop again")
        self.assertIn("Maintenance mode is off", adam.screen.text)
        self.assertIn("Last changed by Adam", adam.screen.text)

        await alice.send("/start")
        self.assertNotIn(NOTICE, alice.screen.text)
        self.assertEqual([entry.action for entry in await audited("maintenance_on")], ["maintenance_on"])
        self.assertEqual(len(await audited("maintenance_off")), 1)

    async def test_it_stays_on_across_a_restart(self):
        shop, alice = await self.start_chat()
        await self.switch_on(shop)

        await sync_to_async(cache.clear)()
        await shop.restart()
        await alice.send("/start")

        self.assertIn(NOTICE, alice.screen.text)
        self.assertIs(await sync_to_async(is_maintenance_on)(), True)

    @override_settings(STARS_PER_VALUE=Decimal("1.5"))
    async def test_it_still_credits_a_payment_made_during_maintenance(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press("💳 Top up")
        await bob.send("20")
        await bob.press("⭐ Telegram Stars")
        invoice = bob.latest_bot_message().media
        await self.switch_on(shop)

        answer = await bob.pre_checkout(payload=invoice["payload"], currency="XTR", total_amount=30)
        await bob.successful_payment(payload=invoice["payload"], currency="XTR", total_amount=30)

        self.assertEqual(answer, {"ok": True, "error_message": None})
        payment = await sync_to_async(Payment.objects.get)()
        self.assertEqual(payment.status, Payment.Status.PAID)
        await sync_to_async(self.bob.refresh_from_db)()
        self.assertEqual(self.bob.balance, Decimal("20.00"))
        self.assertIn("topped up", bob.screen.text)


class MaintenanceRefusalTests(BotTestCase):
    async def test_it_refuses_a_customer_and_an_admin_without_the_permission(self):
        shop = await self.start_shop()
        await make_admin(3001, "view_statistics")
        for telegram_id in (self.alice.telegram_id, 3001):
            user = await shop.user(telegram_id)
            await user.send("/start")

            await user.press_data(callbacks.ADMIN_MAINTENANCE.build())
            self.assertEqual(user.alert, "You are not allowed to do that.")
            await user.press_data(callbacks.ADMIN_MAINTENANCE_SET.build("on"))
            self.assertEqual(user.alert, "You are not allowed to do that.")

            self.assertEqual(await denials(telegram_id), ["get_maintenance", "set_maintenance"])
        self.assertIs(await sync_to_async(is_maintenance_on)(), False)
        self.assertEqual(await audited("maintenance_on"), [])
